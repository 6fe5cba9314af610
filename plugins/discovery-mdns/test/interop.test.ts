// Foreign responders written with raw multicast-dns: one that answers like Avahi (records in the
// additional section, TXT keys in another order and case, NSEC, AAAA), one that answers only the
// exact question asked (so the discoverer must resolve SRV/TXT/A itself), and one with bad TXTs.
import { silentLogger } from '@switchboard/core';
import type { QueryPacket, ResponseOutgoingPacket } from 'multicast-dns';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openMdnsSocket, type MdnsSocket } from '../src/socket.js';
import { discoverer, LOOPBACK, randomPort, recordingSink, requireLoopbackMulticast, uniqueServiceType, waitFor } from './helpers.js';

type Answer = ResponseOutgoingPacket['answers'][number];

const port = randomPort();
const cleanups: (() => Promise<void>)[] = [];

beforeAll(() => requireLoopbackMulticast(port));
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function rawResponder(answer: (query: QueryPacket) => ResponseOutgoingPacket | undefined): Promise<MdnsSocket> {
  const socket = await openMdnsSocket({ interface: LOOPBACK, port, logger: silentLogger });
  socket.mdns.on('query', (query: QueryPacket) => {
    const reply = answer(query);
    if (reply) void socket.respond(reply);
  });
  cleanups.push(() => socket.close());
  return socket;
}

/** Any record but EDNS OPT, so `{ ...record, ttl: 0 }` type-checks. */
type Rec = Exclude<Answer, { type: 'OPT' }>;

interface InstanceRecords {
  ptr: Rec;
  srv: Rec;
  txt: Rec;
  a: Rec;
  aaaa: Rec;
}

function instanceRecords(serviceType: string, label: string, srvPort: number, txt: string[], host = 'avahi-box.local'): InstanceRecords {
  const fqdn = `${label}.${serviceType}`;
  return {
    ptr: { name: serviceType, type: 'PTR', ttl: 4500, data: fqdn },
    srv: { name: fqdn, type: 'SRV', ttl: 120, flush: true, data: { target: host, port: srvPort, priority: 0, weight: 0 } },
    txt: { name: fqdn, type: 'TXT', ttl: 4500, flush: true, data: txt },
    a: { name: host, type: 'A', ttl: 120, flush: true, data: '127.0.0.1' },
    aaaa: { name: host, type: 'AAAA', ttl: 120, flush: true, data: 'fd00::1234' },
  };
}

describe('interop with foreign responders', () => {
  it('resolves an Avahi-style answer: PTR in answers, SRV/TXT/A/AAAA/NSEC in additionals', async () => {
    const serviceType = uniqueServiceType();
    const r = instanceRecords(serviceType, 'Avahi MCP on box', 8931, ['caps=files, search', 'Path=/sse', 'PROTO=sse', 'txtvers=1', 'proto=ws']);
    await rawResponder((query) =>
      query.questions.some((q) => q.name === serviceType && q.type === 'PTR')
        ? {
            answers: [r.ptr],
            additionals: [r.srv, r.txt, r.aaaa, r.a, { name: 'avahi-box.local', type: 'NSEC', ttl: 120, flush: true, data: { nextDomain: 'avahi-box.local', rrtypes: ['A', 'AAAA'] } }],
          }
        : undefined,
    );
    const sink = recordingSink();
    await cleanupLater(discoverer(port, { serviceType })).start(sink);
    await waitFor(() => sink.services.has('Avahi MCP on box'), 'the Avahi-style service');
    // Keys are case-insensitive and the first occurrence wins (RFC 6763 §6.4): PROTO=sse, not proto=ws.
    expect(sink.services.get('Avahi MCP on box')).toMatchObject({
      transport: 'sse',
      url: 'http://127.0.0.1:8931/sse',
      capabilities: ['files', 'search'],
      metadata: { mdnsInstance: `Avahi MCP on box.${serviceType}`, host: 'avahi-box.local', addresses: ['fd00::1234', '127.0.0.1'] },
    });
  });

  it('has a responder that missed the first query and answers the second late in its first view', async () => {
    const serviceType = uniqueServiceType();
    const r = instanceRecords(serviceType, 'slowpoke', 8935, ['txtvers=1'], 'slow-host.local');
    let ptrQueries = 0;
    const socket = await rawResponder(() => undefined);
    socket.mdns.on('query', (query: QueryPacket) => {
      if (!query.questions.some((q) => q.name === serviceType && q.type === 'PTR')) return;
      // Deaf to the first query; the second is answered after a delay past RFC 6762's 120 ms.
      if (++ptrQueries === 2) setTimeout(() => void socket.respond({ answers: [r.ptr, r.srv, r.txt, r.a] }), 150);
    });
    const sink = recordingSink();
    // The one-shot view: what start() has reported when it resolves, with no polling after.
    await cleanupLater(discoverer(port, { serviceType, initialWaitMs: 800 })).start(sink);
    expect(ptrQueries).toBeGreaterThanOrEqual(2);
    expect(sink.services.get('slowpoke')).toMatchObject({ url: 'http://127.0.0.1:8935/mcp' });
  });

  it('resolves a responder that answers only the exact question, by asking for SRV, TXT and A itself', async () => {
    const serviceType = uniqueServiceType();
    const r = instanceRecords(serviceType, 'terse', 8932, ['txtvers=1', 'proto=http', 'name=terse-server'], 'terse-host.local');
    const asked = new Set<string>();
    await rawResponder((query) => {
      const answers: Answer[] = [];
      for (const q of query.questions) {
        asked.add(q.type);
        if (q.type === 'PTR' && q.name === serviceType) answers.push(r.ptr);
        if (q.type === 'SRV' && q.name === `terse.${serviceType}`) answers.push(r.srv);
        if (q.type === 'TXT' && q.name === `terse.${serviceType}`) answers.push(r.txt);
        if (q.type === 'A' && q.name === 'terse-host.local') answers.push(r.a);
      }
      return answers.length > 0 ? { answers } : undefined;
    });
    const sink = recordingSink();
    await cleanupLater(discoverer(port, { serviceType })).start(sink);
    // Polls for the address too: were the A answer slower than the address wait, the service would
    // first be reported by host name and then updated.
    await waitFor(() => sink.services.get('terse-server')?.url === 'http://127.0.0.1:8932/mcp', 'the terse service, named by its TXT name=, at its address');
    expect(sink.services.get('terse-server')?.metadata.mdnsInstance).toBe(`terse.${serviceType}`);
    expect([...asked].sort()).toEqual(['A', 'AAAA', 'PTR', 'SRV', 'TXT']);
  });

  it('skips records with a bad TXT or port with a warning naming instance and field, and still finds the good one', async () => {
    const serviceType = uniqueServiceType();
    const good = instanceRecords(serviceType, 'good', 8940, ['txtvers=1', 'proto=http']);
    const noVers = instanceRecords(serviceType, 'no-vers', 8941, ['proto=http']);
    const badProto = instanceRecords(serviceType, 'bad-proto', 8942, ['txtvers=1', 'proto=grpc']);
    const badPort = instanceRecords(serviceType, 'bad-port', 0, ['txtvers=1', 'proto=http']);
    const announcer = await rawResponder(() => undefined);
    await announcer.respond({
      answers: [good, noVers, badProto, badPort].flatMap((r) => [r.ptr, r.srv, r.txt]),
      additionals: [good.a],
    });
    const sink = recordingSink();
    const d = cleanupLater(discoverer(port, { serviceType }));
    await d.start(sink);
    // The announcement went out before start(); the browse query brings nothing (the announcer does
    // not answer), so announce again now that the discoverer listens.
    await announcer.respond({ answers: [good, noVers, badProto, badPort].flatMap((r) => [r.ptr, r.srv, r.txt]), additionals: [good.a] });
    await waitFor(() => sink.services.has('good') && sink.warnings.length >= 3, 'the good service and three warnings');

    expect([...sink.services.keys()]).toEqual(['good']);
    const byInstance = new Map(sink.warnings.map((w) => [w.fields?.instance, w]));
    expect(byInstance.get(`no-vers.${serviceType}`)?.fields?.field).toBe('txtvers');
    expect(byInstance.get(`bad-proto.${serviceType}`)?.fields?.field).toBe('proto');
    expect(byInstance.get(`bad-port.${serviceType}`)?.fields?.field).toBe('port');
    expect(byInstance.get(`bad-proto.${serviceType}`)?.message).toContain("'bad-proto.");
    // Warned once each, even though the records arrived twice.
    expect(sink.warnings).toHaveLength(3);
  });

  it('drops a service on a goodbye sent by a foreign responder', async () => {
    const serviceType = uniqueServiceType();
    const r = instanceRecords(serviceType, 'bye', 8950, ['txtvers=1']);
    const announcer = await rawResponder(() => undefined);
    const sink = recordingSink();
    await cleanupLater(discoverer(port, { serviceType })).start(sink);
    await announcer.respond({ answers: [r.ptr, r.srv, r.txt, r.a] });
    await waitFor(() => sink.services.has('bye'), 'bye discovered');
    expect(sink.services.get('bye')?.transport).toBe('http'); // proto defaults to http
    await announcer.respond({ answers: [{ ...r.ptr, ttl: 0 }] });
    await waitFor(() => !sink.services.has('bye'), 'bye removed');
  });
});

function cleanupLater<T extends { stop(): Promise<void> }>(thing: T): T {
  cleanups.push(() => thing.stop());
  return thing;
}
