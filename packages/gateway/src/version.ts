// Reported as the gateway's serverInfo.version and upstream clientInfo.version.
export const GATEWAY_VERSION = '0.1.0';
