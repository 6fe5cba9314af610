// @switchboard/gateway: Serve a Switchboard router as one MCP endpoint
export {};
