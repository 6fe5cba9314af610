// Time from a server announcing itself (mDNS) or being put in etcd to the router routing a call to
// it: discovery, connection, tools/list and the first routed call, all on loopback; and what an mDNS
// flood (a new instance per packet) costs the process.
import { advertise, measureFlood } from '@switchboard/discovery-mdns';
import mdnsDiscovery from '@switchboard/discovery-mdns';
import etcdDiscovery, { registerService } from '@switchboard/discovery-etcd';
import { createRouter } from '@switchboard/core';
import firstMatch from '@switchboard/strategy-first-match';
import transportHttp from '@switchboard/transport-http';
import { startEtcd, startHttpFixture } from '@switchboard/testing/fixtures';

const SAMPLES = 7;

async function untilRoutable(router, name) {
  const deadline = performance.now() + 10_000;
  for (;;) {
    const r = await router.routeRequest({ toolName: 'whoami', requiredCapabilities: [name] });
    if (r.success) return performance.now();
    if (performance.now() > deadline) throw new Error(`${name} never became routable: ${r.error}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function summary(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { samples: sorted.length, medianMs: +sorted[Math.floor(sorted.length / 2)].toFixed(2), maxMs: +sorted.at(-1).toFixed(2) };
}

async function measure(kind, discovery, plugin, announce) {
  const fixture = await startHttpFixture({ name: `${kind}-bench`, tools: ['whoami'] });
  const router = createRouter({ discovery: [discovery], health: false, logLevel: 'silent', enableAutoRefresh: false }, { plugins: [plugin, transportHttp(), firstMatch()] });
  const withdrawals = [];
  try {
    await router.initialize();
    const samples = [];
    const announceCalls = [];
    for (let i = 0; i < SAMPLES; i++) {
      const name = `${kind}-svc-${i}`;
      const started = performance.now();
      // The clock starts when the announcement (or put) has gone out: mDNS probing for a unique
      // name (RFC 6762 §8, ~750 ms) happens before that and is reported separately.
      withdrawals.push(await announce(name, fixture));
      const announced = performance.now();
      announceCalls.push(announced - started);
      samples.push((await untilRoutable(router, name)) - announced);
    }
    return { ...summary(samples), announceCallMedianMs: summary(announceCalls).medianMs };
  } finally {
    for (const w of withdrawals) await w();
    await router.close();
    await fixture.close();
  }
}

export async function runDiscoveryBench(print) {
  const mdnsPort = 20_000 + Math.floor(Math.random() * 20_000);
  const mdns = await measure('mdns', { type: 'mdns', interface: '127.0.0.1', mdnsPort, initialWaitMs: 50 }, mdnsDiscovery(), async (name, fixture) => {
    const ad = await advertise({ name, port: fixture.port, host: '127.0.0.1', caps: [name], interface: '127.0.0.1', mdnsPort });
    return () => ad.stop();
  });
  print({ bench: 'discovery', source: 'mdns', what: 'announce to routable', ...mdns });
  print({ bench: 'discovery', source: 'mdns', what: 'flood: a new instance per packet', ...(await measureFlood()) });

  let etcd;
  try {
    etcd = await startEtcd();
  } catch (error) {
    print({ bench: 'discovery', source: 'etcd', skipped: error.message });
    return;
  }
  try {
    const result = await measure('etcd', { type: 'etcd', endpoints: [etcd.endpoint] }, etcdDiscovery(), async (name, fixture) => {
      const reg = await registerService({ endpoints: [etcd.endpoint], entry: { name, url: fixture.url, capabilities: [name] }, ttlSeconds: 10 });
      return () => reg.stop();
    });
    print({ bench: 'discovery', source: 'etcd', what: 'put to routable', ...result });
  } finally {
    await etcd.close();
  }
}
