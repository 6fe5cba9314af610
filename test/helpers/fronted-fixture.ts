// A gateway in front of one HTTP test upstream named `up` (the gateway fixture: note://up/{id}
// resources, subscribable), the setup several gateway tests share; close() ends both.
import { startGatewayFixture, type GatewayFixture } from './gateway-fixture.js';
import { startGateway, type GatewayHarness } from './gateway-setup.js';

export interface FrontedFixture {
  readonly upstream: GatewayFixture;
  readonly harness: GatewayHarness;
  close(): Promise<void>;
}

export async function startFrontedFixture(): Promise<FrontedFixture> {
  const upstream = await startGatewayFixture({ name: 'up' });
  const harness = await startGateway([{ name: 'up', transport: 'http', url: upstream.url }]);
  return {
    upstream,
    harness,
    async close() {
      await harness.close();
      await upstream.close();
    },
  };
}
