// @switchboard/testing: Fixture MCP servers and conformance suites for Switchboard plugins
export {};
