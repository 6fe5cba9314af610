// The MCP SDK as this package uses it: every SDK import of the package is re-exported here, so the
// SDK's surface in use is one list and a change of SDK (v1 to v2) starts in this file. Nothing
// outside src/sdk/ imports an SDK package (test/sdk-boundary.test.ts checks it).
export { Client } from '@modelcontextprotocol/sdk/client/index.js';
export { CallToolRequestSchema, CompleteRequestSchema, CreateMessageRequestSchema, ElicitRequestSchema, ErrorCode, GetPromptRequestSchema, LATEST_PROTOCOL_VERSION, ListPromptsRequestSchema, ListResourceTemplatesRequestSchema, ListResourcesRequestSchema, ListRootsRequestSchema, ListToolsRequestSchema, LoggingMessageNotificationSchema, McpError, PromptListChangedNotificationSchema, ReadResourceRequestSchema, ResourceListChangedNotificationSchema, ResourceUpdatedNotificationSchema, ResultSchema, RootsListChangedNotificationSchema, SUPPORTED_PROTOCOL_VERSIONS, SetLevelRequestSchema, SubscribeRequestSchema, UnsubscribeRequestSchema, isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
export type { CallToolResult, ClientCapabilities, CompleteResult, Implementation, InitializeRequest, JSONRPCMessage, LoggingLevel, LoggingMessageNotification, MessageExtraInfo, Prompt, Request, RequestId, RequestMeta, Resource, ResourceTemplate, ResourceUpdatedNotification, Result, ServerNotification, ServerRequest, Tool } from '@modelcontextprotocol/sdk/types.js';
export { Server } from '@modelcontextprotocol/sdk/server/index.js';
export type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
export { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
export type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
