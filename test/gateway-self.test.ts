// A gateway pointed at itself (the init template's placeholder once was serve's own address)
// refuses that upstream with a clear error instead of looping every call back into itself.
import { serverEntrySchema, toDescriptors } from '@switchboard/core';
import { afterEach, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './helpers/gateway-fixture.js';
import { firstText, startGateway, type GatewayHarness } from './helpers/gateway-setup.js';
import { waitFor } from './helpers/wait.js';

let harness: GatewayHarness | undefined;
let upstream: GatewayFixture | undefined;
afterEach(async () => {
  await harness?.close();
  await upstream?.close();
  harness = upstream = undefined;
});

describe('a gateway listed as its own upstream', () => {
  it('is refused as UPSTREAM_IS_SELF, and the real upstreams keep working', async () => {
    upstream = await startGatewayFixture({ name: 'real' });
    harness = await startGateway([{ name: 'real', url: upstream.url }]);
    for (const d of toDescriptors(serverEntrySchema.parse({ name: 'self', url: harness.http.url }), 'test')) harness.router.registry.apply({ type: 'added', service: d });
    await waitFor(async () => (await harness!.router.getServiceHealth()).self?.lastError !== undefined, { what: 'the self upstream judged' });
    const self = (await harness.router.getServiceHealth()).self!;
    expect(self.lastError).toMatch(/service self \(http .*\) is this Switchboard gateway itself/);
    expect(self.healthy).toBe(false);
    const client = await harness.connect();
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('whoami');
    expect(names.some((n) => n.startsWith('self__'))).toBe(false);
    expect(firstText(await client.callTool({ name: 'whoami' }))).toBe('real');
  });
});
