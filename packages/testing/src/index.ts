// @switchboard/testing: Fixture MCP servers and conformance suites for Switchboard plugins
export {};
export * from './candidates.js';
export * from './conformance/strategy.js';
export * from './fixtures/server.js';
export * from './fixtures/http.js';
export * from './fixtures/paths.js';
export { evaluateArithmetic } from './fixtures/arithmetic.js';
export * from './fixtures/etcd.js';
