// A peer on the link announcing a new instance per packet, over real multicast on 127.0.0.1: the
// discoverer holds at most maxInstances, warns once, and takes new instances again once one leaves.
import { silentLogger } from '@switchboard/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MdnsDiscoverer } from '../src/discoverer.js';
import { openMdnsSocket, type MdnsSocket } from '../src/socket.js';
import { discoverer, LOOPBACK, randomPort, recordingSink, requireLoopbackMulticast, uniqueServiceType, waitFor } from './helpers.js';

const port = randomPort();
const cleanups: (() => Promise<void>)[] = [];
beforeAll(() => requireLoopbackMulticast(port));
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

function announce(peer: MdnsSocket, serviceType: string, label: string, ttl = 120): Promise<Error | undefined> {
  const fqdn = `${label}.${serviceType}`;
  return peer.respond({
    answers: [
      { name: serviceType, type: 'PTR', ttl, data: fqdn },
      { name: fqdn, type: 'SRV', ttl, data: { target: 'flood.local', port: 7000 } },
      { name: fqdn, type: 'TXT', ttl, data: ['txtvers=1', 'proto=http'] },
      { name: 'flood.local', type: 'A', ttl, data: LOOPBACK },
    ],
  });
}

describe('an mDNS announcement flood', () => {
  it('holds maxInstances instances, warns once, and has room again when one says goodbye', async () => {
    const serviceType = uniqueServiceType();
    const d: MdnsDiscoverer = discoverer(port, { serviceType, maxInstances: 40 });
    cleanups.push(() => d.stop());
    const sink = recordingSink();
    await d.start(sink);
    const peer = await openMdnsSocket({ interface: LOOPBACK, port, logger: silentLogger });
    cleanups.push(() => peer.close());

    for (let i = 0; i < 300; i++) {
      await announce(peer, serviceType, `flood-${i}`);
      if (i % 5 === 4) await new Promise((r) => setTimeout(r, 1));
    }
    await waitFor(() => sink.services.size === 40, '40 services held');
    // Announce the whole set again: renewals of held instances are taken, new names still are not.
    for (let i = 0; i < 300; i++) {
      await announce(peer, serviceType, `flood-${i}`);
      if (i % 5 === 4) await new Promise((r) => setTimeout(r, 1));
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.services.size).toBe(40);
    expect(sink.events.filter((e) => e.type === 'removed')).toEqual([]);
    const capWarnings = sink.warnings.filter((w) => w.message.includes('maxInstances'));
    expect(capWarnings).toHaveLength(1);
    expect(capWarnings[0]?.fields).toMatchObject({ serviceType, maxInstances: 40 });

    const held = [...sink.services.keys()][0]!;
    await announce(peer, serviceType, held, 0);
    await waitFor(() => !sink.services.has(held), `${held} removed after its goodbye`);
    await announce(peer, serviceType, 'late-arrival');
    await waitFor(() => sink.services.has('late-arrival'), 'a new instance taken once there is room');
    expect(sink.services.size).toBe(40);
  });
});
