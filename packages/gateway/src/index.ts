// @switchboard/gateway: serve a Switchboard router as one MCP endpoint (Streamable HTTP or stdio).
export { createGateway, type Gateway, type GatewayOptions } from './gateway.js';
export { GatewaySession } from './downstream/session.js';
export { serveHttp, type HttpAuthOptions, type HttpGateway, type ServeHttpOptions } from './downstream/serve-http.js';
export { serveStdio, type ServeStdioOptions, type StdioGateway } from './downstream/serve-stdio.js';
export { GatewayMetrics, type RequestSample } from './ops/metrics.js';
export { NAME_SEPARATOR, type NamingConflict, type NamingMode } from './catalog/naming.js';
export type { CatalogSnapshot, ToolRoute, PromptRoute, UriRoute } from './catalog/catalog.js';
export { GATEWAY_VERSION } from './version.js';
export { PROCESS_LIMIT_CODE, type Isolation } from './upstream/isolation.js';
export { gatewayConfigSchema, GATEWAY_CLIENT_CAPABILITIES, type GatewayConfig } from './config.js';
export { createDashboard, DASHBOARD_PATH, type Dashboard, type DashboardOptions, type DashboardService, type DashboardSnapshot, type DashboardTool } from './ops/dashboard.js';
export { SessionTokens, MIN_SECRET_LENGTH, type SessionSeed, type SessionTokensOptions } from './downstream/session-token.js';
export { HttpSessionTransport, type HttpSessionTransportOptions } from './downstream/http-session-transport.js';
export { createMemorySessionStore, type SessionStateStore, type SharedSessionState } from './downstream/session-store.js';
