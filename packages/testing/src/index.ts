// @switchboard/testing: Fixture MCP servers and conformance suites for Switchboard plugins
export {};
export * from './candidates.js';
export * from './conformance/strategy.js';
export * from './fixtures/server.js';
export * from './fixtures/http.js';
export * from './fixtures/paths.js';
export { evaluateArithmetic } from './fixtures/arithmetic.js';
export * from './fixtures/etcd.js';
export * from './conformance/discoverer.js';
export * from './conformance/transport.js';
export * from './conformance/health.js';
export * from './conformance/plugin-context.js';
export { RecordingSink, type RecordedWarning } from './conformance/recording-sink.js';
export { waitUntil } from './conformance/wait.js';
export * from './conformance/test-servers.js';
export { createConformanceServer } from './fixtures/conformance-server.js';
