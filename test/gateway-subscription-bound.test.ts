// A 2025 client session may hold at most MAX_SUBSCRIPTIONS_PER_SESSION resource subscriptions:
// through a URI template any URI can be subscribed to, and each one is held by the gateway, by the
// upstream, and in the state instances share. Past the bound a new one is refused with -32602
// naming why; renewing one it holds, unsubscribing, and other sessions are unaffected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SUBSCRIPTIONS_PER_SESSION } from '../packages/gateway/src/downstream/session.js';
import type { GatewayHarness } from './helpers/gateway-setup.js';
import { startFrontedFixture, type FrontedFixture } from './helpers/fronted-fixture.js';

let fronted: FrontedFixture;
let harness: GatewayHarness;
beforeAll(async () => {
  fronted = await startFrontedFixture();
  harness = fronted.harness;
});
afterAll(() => fronted?.close());

describe('resource subscriptions per session', () => {
  it(`are refused past ${MAX_SUBSCRIPTIONS_PER_SESSION}, with room again after an unsubscribe`, async () => {
    const client = await harness.connect();
    for (let i = 0; i < MAX_SUBSCRIPTIONS_PER_SESSION; i++) await client.subscribeResource({ uri: `note://up/${i}` });
    const refused = await client.subscribeResource({ uri: 'note://up/one-too-many' }).then(
      () => undefined,
      (error: unknown) => error as { code?: number; message?: string },
    );
    expect(refused?.code).toBe(-32602);
    expect(refused?.message).toMatch(/already holds 1024 resource subscriptions, the most one session may; unsubscribe from one first/);
    await expect(client.subscribeResource({ uri: 'note://up/0' })).resolves.toBeDefined(); // one it holds
    await client.unsubscribeResource({ uri: 'note://up/0' });
    await expect(client.subscribeResource({ uri: 'note://up/one-too-many' })).resolves.toBeDefined();

    const other = await harness.connect();
    await expect(other.subscribeResource({ uri: 'note://up/0' })).resolves.toBeDefined();
    await other.close();
    await client.close();
  });
});
