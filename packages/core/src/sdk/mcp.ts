// The MCP SDK as this package uses it: every SDK import of the package is re-exported here, so the
// SDK's surface in use is one list and a change of SDK (v1 to v2) starts in this file. Nothing
// outside src/sdk/ imports an SDK package (test/sdk-boundary.test.ts checks it).
export { ErrorCode, McpError, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
export type { CallToolResult, ClientCapabilities, Implementation, Tool } from '@modelcontextprotocol/sdk/types.js';
export { Client } from '@modelcontextprotocol/sdk/client/index.js';
