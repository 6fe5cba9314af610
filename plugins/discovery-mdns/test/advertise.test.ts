// advertise(): probing for a unique name, answering queries, validation and clean shutdown.
import { SwitchboardError } from '@switchboard/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { advertise, type Advertisement } from '../src/advertise.js';
import { discoverer, LOOPBACK, openUdpSockets, randomPort, recordingSink, requireLoopbackMulticast, uniqueServiceType, waitFor } from './helpers.js';

const port = randomPort();
const cleanups: (() => Promise<void>)[] = [];

beforeAll(() => requireLoopbackMulticast(port));
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

function tracked(ad: Advertisement): Advertisement {
  cleanups.push(() => ad.stop());
  return ad;
}

describe('advertise', () => {
  it('probes and renames on a name conflict, and both instances are discovered', async () => {
    const serviceType = uniqueServiceType();
    const first = tracked(await advertise({ name: 'dup', port: 4200, interface: LOOPBACK, serviceType, mdnsPort: port }));
    const second = tracked(await advertise({ name: 'dup', port: 4201, interface: LOOPBACK, serviceType, mdnsPort: port }));
    expect(first.instanceName).toBe('dup');
    expect(second.instanceName).toBe('dup (2)');
    expect(second.fullName).toBe(`dup (2).${serviceType}`);

    const sink = recordingSink();
    const d = discoverer(port, { serviceType });
    cleanups.push(() => d.stop());
    await d.start(sink);
    await waitFor(() => sink.services.size === 2, 'both instances');
    expect(sink.services.get('dup')?.url).toBe('http://127.0.0.1:4200/mcp');
    expect(sink.services.get('dup (2)')?.url).toBe('http://127.0.0.1:4201/mcp');
  });

  it('stop() sends a goodbye and closes its socket', async () => {
    const serviceType = uniqueServiceType();
    const sink = recordingSink();
    const d = discoverer(port, { serviceType });
    cleanups.push(() => d.stop());
    await d.start(sink);
    const before = await openUdpSockets();
    const ad = await advertise({ name: 'brief', port: 4210, interface: LOOPBACK, serviceType, mdnsPort: port });
    await waitFor(() => sink.services.has('brief'), 'brief discovered');
    expect(await openUdpSockets()).toBe(before + 1);
    await ad.stop();
    expect(await openUdpSockets()).toBe(before);
    await waitFor(() => !sink.services.has('brief'), 'brief said goodbye');
    await ad.stop(); // idempotent
  });

  it('rejects bad options with a CONFIG_INVALID error from the plugin, opening no socket', async () => {
    const before = await openUdpSockets();
    const attempts = [
      advertise({ name: 'has.dot', port: 4220, interface: LOOPBACK, mdnsPort: port }),
      advertise({ name: 'x', port: 0, interface: LOOPBACK, mdnsPort: port }),
      advertise({ name: 'x', port: 4220, proto: 'grpc' as 'http', interface: LOOPBACK, mdnsPort: port }),
      advertise({ name: 'x'.repeat(64), port: 4220, interface: LOOPBACK, mdnsPort: port }),
    ];
    for (const attempt of attempts) {
      const error: unknown = await attempt.then(() => undefined, (e: unknown) => e);
      expect(SwitchboardError.is(error)).toBe(true);
      expect(error).toMatchObject({ code: 'CONFIG_INVALID', plugin: 'discovery-mdns' });
    }
    expect(await openUdpSockets()).toBe(before);
  });

  it('accepts caps as the CLI passes them, comma-separated', async () => {
    const serviceType = uniqueServiceType();
    tracked(await advertise({ name: 'cli', port: 4230, caps: 'a, b,,c', proto: 'sse', path: '/events', interface: LOOPBACK, serviceType, mdnsPort: port }));
    const sink = recordingSink();
    const d = discoverer(port, { serviceType });
    cleanups.push(() => d.stop());
    await d.start(sink);
    await waitFor(() => sink.services.has('cli'), 'cli discovered');
    expect(sink.services.get('cli')).toMatchObject({ transport: 'sse', url: 'http://127.0.0.1:4230/events', capabilities: ['a', 'b', 'c'] });
  });
});
