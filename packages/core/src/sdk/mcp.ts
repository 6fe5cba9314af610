// The MCP SDK as this package uses it: every SDK import of the package is re-exported here, so the
// SDK's surface in use is one list. This is the official SDK's v2 client (both protocol eras);
// nothing outside src/sdk/ imports an SDK package (test/sdk-boundary.test.ts checks it).
export { CLIENT_CAPABILITIES_META_KEY, CLIENT_INFO_META_KEY, Client, PROTOCOL_VERSION_META_KEY, ProtocolError, ProtocolErrorCode, SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
export type { CallToolResult, ClientCapabilities, DiscoverResult, Implementation, PriorDiscovery, Prompt, Resource, ResourceTemplateType as ResourceTemplate, Tool } from '@modelcontextprotocol/client';
export { callUpstreamTool, UpstreamClient } from './upstream-client.js';
export type { ToolCallOptions } from './legacy-tool-call.js';
