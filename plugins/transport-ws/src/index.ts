// @switchboard/transport-ws: Switchboard plugin: MCP over WebSocket
export {};
