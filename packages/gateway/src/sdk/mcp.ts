// The MCP SDK as this package uses it: every SDK import of the package is re-exported here, so the
// SDK's surface in use is one list. This is the official SDK's v2 (both protocol eras): its client
// for upstreams, its server for client sessions. Nothing outside src/sdk/ imports an SDK package
// (test/sdk-boundary.test.ts checks it).
export { Client } from '@modelcontextprotocol/client';
export { CLIENT_CAPABILITIES_META_KEY, CLIENT_INFO_META_KEY, LATEST_PROTOCOL_VERSION, LOG_LEVEL_META_KEY, PROTOCOL_VERSION_META_KEY, ProtocolError, ProtocolErrorCode, SERVER_INFO_META_KEY, SUPPORTED_PROTOCOL_VERSIONS, MissingRequiredClientCapabilityError, SdkError, SdkErrorCode, Server, isInitializeRequest } from '@modelcontextprotocol/server';
export type { CallToolRequest, CallToolResult, ClientCapabilities, CompleteResult, Implementation, InitializeRequest, JSONRPCMessage, LoggingLevel, LoggingMessageNotification, MessageExtraInfo, Prompt, Request, RequestId, RequestMeta, Resource, ResourceTemplateType as ResourceTemplate, ResourceUpdatedNotification, Result, ServerContext, ServerNotification, ServerRequest, Tool, Transport, TransportSendOptions } from '@modelcontextprotocol/server';
export { serveStdio as serveStdioEntry, StdioServerTransport } from '@modelcontextprotocol/server/stdio';
export { classifyInboundRequest, createMcpHandler, isLegacyRequest } from '@modelcontextprotocol/server';
export type { AuthInfo, McpHttpHandler } from '@modelcontextprotocol/server';
export { toNodeHandler, toWebRequest } from '@modelcontextprotocol/node';
