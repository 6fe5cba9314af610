// Test helpers: an isolated mDNS "link" (random port on loopback), a recording sink, polling, and a
// preflight that fails with setup instructions when this host cannot loop multicast back.
import { silentLogger, type DiscoverySink, type ServiceDescriptor, type ServiceEvent } from '@switchboard/core';
import { MdnsDiscoverer } from '../src/discoverer.js';
import { mdnsOptionsSchema, type MdnsOptionsInput } from '../src/options.js';
import { openMdnsSocket } from '../src/socket.js';

export const LOOPBACK = '127.0.0.1';

/** A random high UDP port per test file, so parallel files never hear each other. */
export function randomPort(): number {
  return 20_000 + Math.floor(Math.random() * 40_000);
}

let counter = 0;
/** A service type per test, so one test's leftovers cannot leak into the next. */
export function uniqueServiceType(): string {
  counter += 1;
  return `_t${counter}x${Math.floor(Math.random() * 1e6)}._tcp.local`;
}

export interface RecordingSink extends DiscoverySink {
  readonly events: ServiceEvent[];
  readonly warnings: { message: string; fields?: Record<string, unknown> }[];
  /** The current view, built from the events. */
  readonly services: Map<string, ServiceDescriptor>;
}

export function recordingSink(): RecordingSink {
  const events: ServiceEvent[] = [];
  const warnings: { message: string; fields?: Record<string, unknown> }[] = [];
  const services = new Map<string, ServiceDescriptor>();
  return {
    events,
    warnings,
    services,
    emit(event) {
      events.push(event);
      if (event.type === 'removed') services.delete(event.name);
      else services.set(event.service.name, event.service);
    },
    warn(message, fields) {
      warnings.push(fields === undefined ? { message } : { message, fields });
    },
  };
}

export function discoverer(mdnsPort: number, options: Partial<MdnsOptionsInput> = {}, id = 'mdns#0'): MdnsDiscoverer {
  return new MdnsDiscoverer(id, mdnsOptionsSchema.parse({ interface: LOOPBACK, mdnsPort, initialWaitMs: 100, ...options }), silentLogger);
}

/** Poll until `check` returns true; fail with `what` after `timeoutMs`. No timing is asserted. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const LOOPBACK_SETUP =
  'These tests need IPv4 multicast looped back on the loopback interface (127.0.0.1). On Linux it usually works as is; ' +
  'if not, run as root: `ip link set lo multicast on` and `ip route add 224.0.0.0/4 dev lo` ' +
  '(or run the tests inside a network namespace: `unshare -n sh -c "ip link set lo up && pnpm vitest run plugins/discovery-mdns"`).';

/** Throws with setup instructions unless a query sent on 127.0.0.1 comes back to another socket. */
export async function requireLoopbackMulticast(port: number): Promise<void> {
  let a: Awaited<ReturnType<typeof openMdnsSocket>> | undefined;
  let b: Awaited<ReturnType<typeof openMdnsSocket>> | undefined;
  try {
    a = await openMdnsSocket({ interface: LOOPBACK, port, logger: silentLogger });
    b = await openMdnsSocket({ interface: LOOPBACK, port, logger: silentLogger });
    let heard = false;
    b.mdns.on('query', (q) => {
      if (q.questions.some((x) => x.name === 'preflight.local')) heard = true;
    });
    const deadline = Date.now() + 3000;
    while (!heard && Date.now() < deadline) {
      await a.query({ questions: [{ name: 'preflight.local', type: 'A' }] });
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!heard) throw new Error(`loopback multicast does not work on this host. ${LOOPBACK_SETUP}`);
  } catch (err) {
    throw new Error(`mDNS preflight failed: ${(err as Error).message}. ${LOOPBACK_SETUP}`, { cause: err });
  } finally {
    await a?.close();
    await b?.close();
  }
}

/**
 * UDP sockets this process holds. 'close' fires before libuv releases the handle (in the loop's
 * close phase, after the check phase), so let two loop turns pass first.
 */
export async function openUdpSockets(): Promise<number> {
  for (let i = 0; i < 2; i++) await new Promise((r) => setImmediate(r));
  return process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap').length;
}
