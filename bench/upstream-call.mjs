// What one 2025-era tools/call costs the client side in this process: the SDK Client's callTool
// with an AbortSignal per call (what every upstream call paid before session 19), the upstream
// client's callTool the same way, and callUpstreamTool with a CallCancellation (the 2025-era lane,
// no AbortSignal). Each client has its own real stdio upstream (the testing package's echo
// fixture); 32 calls in flight; CPU of this process only (process.cpuUsage), so the upstream's work
// is not counted. Rounds alternate between the clients so the machine's drift falls on all of them.
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { stdioFixtureEntry } from '@switchboard/testing/fixtures';
import { CallCancellation } from '../packages/core/dist/cancel-signal.js';
import { callUpstreamTool, UpstreamClient } from '../packages/core/dist/sdk/upstream-client.js';

const IN_FLIGHT = 32;
const CALLS = 8_000;
const ROUNDS = 6;

const variants = [
  ['sdk-callTool', () => new Client({ name: 'sdk', version: '1' }), (c, params) => c.callTool(params, { signal: new AbortController().signal, timeout: 30_000 })],
  ['upstream-client-callTool', () => new UpstreamClient({ name: 'ours', version: '1' }), (c, params) => c.callTool(params, { signal: new AbortController().signal, timeout: 30_000 })],
  ['callUpstreamTool', () => new UpstreamClient({ name: 'ours', version: '1' }), (c, params) => callUpstreamTool(c, params, { signal: new CallCancellation(), timeout: 30_000 })],
];

/** `count` calls, IN_FLIGHT at a time; the CPU this process spent per call, in µs. */
async function drive(client, call, count) {
  let next = 0;
  const params = { name: 'echo', arguments: { text: 'hello' } };
  const worker = async () => {
    while (next++ < count) {
      const result = await call(client, params);
      if (result.content?.[0]?.text !== 'hello') throw new Error(`unexpected answer: ${JSON.stringify(result)}`);
    }
  };
  const start = process.cpuUsage();
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const used = process.cpuUsage(start);
  return (used.user + used.system) / count;
}

export async function runUpstreamCallBench(print) {
  const entry = stdioFixtureEntry('echo-up', ['echo']);
  const clients = [];
  try {
    for (const [name, make, call] of variants) {
      const client = make();
      await client.connect(new StdioClientTransport({ command: entry.command, args: entry.args, stderr: 'ignore' }));
      await client.listTools();
      clients.push({ name, client, call, samples: [] });
      await drive(client, call, 2_000); // warm
    }
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? clients : [...clients].reverse();
      for (const c of order) c.samples.push(await drive(c.client, c.call, CALLS));
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const base = median(clients[0].samples);
    // The path every upstream tools/call took before the lane: the upstream client's callTool with an attempt's AbortSignal.
    const before = median(clients[1].samples);
    for (const c of clients) {
      const m = median(c.samples);
      print({ bench: 'upstream-call', client: c.name, era: '2025', inFlight: IN_FLIGHT, usPerCall: c.samples.map((s) => Math.round(s * 10) / 10), medianUsPerCall: Math.round(m * 10) / 10, toSdk: Math.round((m / base) * 1000) / 1000, toBefore: Math.round((m / before) * 1000) / 1000 });
    }
  } finally {
    await Promise.all(clients.map((c) => c.client.close()));
  }
}
