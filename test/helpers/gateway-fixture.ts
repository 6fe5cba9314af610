// The gateway's upstream test server lives with the gateway package (where zod resolves); the
// end-to-end tests here use it through this re-export.
export { startGatewayFixture, type GatewayFixture, type GatewayFixtureOptions } from '../../packages/gateway/test/fixtures/upstream-fixture.js';
