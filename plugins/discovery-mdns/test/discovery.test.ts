// Browsing against real advertisers over real multicast on 127.0.0.1.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { advertise, type Advertisement } from '../src/advertise.js';
import type { MdnsDiscoverer } from '../src/discoverer.js';
import { discoverer, LOOPBACK, openUdpSockets, randomPort, recordingSink, requireLoopbackMulticast, uniqueServiceType, waitFor } from './helpers.js';

const port = randomPort();
const cleanups: (() => Promise<void>)[] = [];

function track<T extends Advertisement | MdnsDiscoverer>(thing: T): T {
  cleanups.push(() => thing.stop());
  return thing;
}

beforeAll(() => requireLoopbackMulticast(port));
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

describe('mDNS discovery on loopback', () => {
  it('discovers an advertised service with its url, transport and capabilities', async () => {
    const serviceType = uniqueServiceType();
    await Promise.all([
      advertise({ name: 'weather', port: 4100, path: '/rpc', proto: 'http', caps: ['forecast', 'alerts'], interface: LOOPBACK, serviceType, mdnsPort: port }).then(track),
      advertise({ name: 'chat', port: 4101, proto: 'ws', interface: LOOPBACK, serviceType, mdnsPort: port }).then(track),
    ]);
    const sink = recordingSink();
    const d = track(discoverer(port, { serviceType }));
    await d.start(sink);
    await waitFor(() => sink.services.size === 2, 'both services');

    const weather = sink.services.get('weather');
    expect(weather).toMatchObject({
      name: 'weather',
      transport: 'http',
      url: 'http://127.0.0.1:4100/rpc',
      capabilities: ['forecast', 'alerts'],
      source: 'mdns#0',
      metadata: { mdnsInstance: `weather.${serviceType}`, addresses: ['127.0.0.1'] },
    });
    expect(weather?.metadata.host).toMatch(/\.local$/);
    expect(sink.services.get('chat')).toMatchObject({ transport: 'websocket', url: 'ws://127.0.0.1:4101/mcp', capabilities: [] });
    expect(sink.warnings).toEqual([]);
  });

  it('start() resolves with services that were already announced', async () => {
    const serviceType = uniqueServiceType();
    track(await advertise({ name: 'early', port: 4110, interface: LOOPBACK, serviceType, mdnsPort: port }));
    const sink = recordingSink();
    // The announcement went out before this discoverer existed: only its browse query can find it.
    await track(discoverer(port, { serviceType, initialWaitMs: 1000 })).start(sink);
    expect(sink.services.get('early')?.url).toBe('http://127.0.0.1:4110/mcp');
  });

  it('removes a service when it says goodbye', async () => {
    const serviceType = uniqueServiceType();
    const [leaving] = await Promise.all([
      advertise({ name: 'leaving', port: 4120, interface: LOOPBACK, serviceType, mdnsPort: port }),
      advertise({ name: 'staying', port: 4121, interface: LOOPBACK, serviceType, mdnsPort: port }).then(track),
    ]);
    const sink = recordingSink();
    await track(discoverer(port, { serviceType })).start(sink);
    await waitFor(() => sink.services.size === 2, 'both services');

    await leaving.stop();
    await waitFor(() => !sink.services.has('leaving'), 'leaving removed');
    expect(sink.events).toContainEqual({ type: 'removed', name: 'leaving', source: 'mdns#0' });
    expect(sink.services.has('staying')).toBe(true);
  });

  it('removes a service whose records expire without a goodbye, after re-querying it', async () => {
    const serviceType = uniqueServiceType();
    const crashing = await advertise({ name: 'crashing', port: 4130, ttlSeconds: 2, interface: LOOPBACK, serviceType, mdnsPort: port });
    const sink = recordingSink();
    await track(discoverer(port, { serviceType })).start(sink);
    await waitFor(() => sink.services.has('crashing'), 'crashing discovered');

    // While it answers, the 80% re-queries keep it alive past its 2 s TTL.
    const seenAt = Date.now();
    await waitFor(() => Date.now() - seenAt > 2500, 'more than one TTL');
    expect(sink.services.has('crashing')).toBe(true);

    await crashing.stop({ goodbye: false });
    await waitFor(() => !sink.services.has('crashing'), 'crashing expired');
    expect(sink.events.at(-1)).toEqual({ type: 'removed', name: 'crashing', source: 'mdns#0' });
  });

  it('refresh() finds a service whose announcement it missed', async () => {
    const serviceType = uniqueServiceType();
    const sink = recordingSink();
    const d = track(discoverer(port, { serviceType, queryIntervalMs: 600_000 }));
    await d.start(sink);
    const ad = track(await advertise({ name: 'late', port: 4140, interface: LOOPBACK, serviceType, mdnsPort: port }));
    await waitFor(() => sink.services.has('late'), 'late announced');
    // A second discoverer that starts after the announcements and never browses again on its own.
    const sink2 = recordingSink();
    const d2 = track(discoverer(port, { serviceType, queryIntervalMs: 600_000, initialWaitMs: 0 }, 'mdns#2'));
    await d2.start(sink2);
    await d2.refresh();
    await waitFor(() => sink2.services.has('late'), 'late found by refresh');
    expect(sink2.services.get('late')?.source).toBe('mdns#2');
    expect(ad.instanceName).toBe('late');
  });

  it('stop() closes its socket and emits nothing afterwards', async () => {
    const serviceType = uniqueServiceType();
    const udpBefore = await openUdpSockets();
    const sink = recordingSink();
    const d = discoverer(port, { serviceType });
    await d.start(sink);
    expect(await openUdpSockets()).toBe(udpBefore + 1);
    await d.stop();
    expect(await openUdpSockets()).toBe(udpBefore);

    // A control discoverer proves the announcement happened; the stopped one must not have seen it.
    const control = recordingSink();
    await track(discoverer(port, { serviceType }, 'mdns#control')).start(control);
    track(await advertise({ name: 'after-stop', port: 4150, interface: LOOPBACK, serviceType, mdnsPort: port }));
    await waitFor(() => control.services.has('after-stop'), 'control saw the service');
    expect(sink.events).toEqual([]);
    await d.stop(); // idempotent
  });
});
