#!/usr/bin/env node
// Session churn: a gateway runs for days, and what one client session or request leaves behind
// makes every later one slower. Opens BENCH_CHURN_SESSIONS 2025 sessions (initialize, one
// tools/call on the session's own upstream session, DELETE), ten at a time, then sends
// BENCH_CHURN_REQUESTS 2026-07-28 requests; prints the time per session (request) and the
// gateway's RSS per block, and the last block's time over the first's (steady: about 1 or below,
// as the JIT warms). Each server is its own process (capacity/serve-proc.mjs). Linux only (/proc).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SERVE = fileURLToPath(new URL('./capacity/serve-proc.mjs', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));
const sessions = Number(process.env.BENCH_CHURN_SESSIONS ?? 3000);
const requests = Number(process.env.BENCH_CHURN_REQUESTS ?? 12000);
const BLOCKS = 6;
const PARALLEL = 10;

function start(...args) {
  const child = spawn(process.execPath, [SERVE, ...args], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout.once('data', (d) => resolve({ url: String(d).split('\n')[0].trim(), pid: child.pid, close: () => new Promise((done) => (child.once('exit', done), child.stdin.end())) }));
    child.once('exit', (code) => reject(new Error(`serve-proc ${args[0]} exited with ${code}`)));
  });
}

const rssMb = (pid) => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024);
const base = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const ENVELOPE = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'churn', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} };
const CALL = { name: 'echo', arguments: { text: 'churn' } };

async function expectAnswer(res) {
  const text = await res.text();
  if (!res.ok || !text.includes('churn')) throw new Error(`unexpected answer (HTTP ${res.status}): ${text.slice(0, 200)}`);
}

async function legacySession(url) {
  const init = await fetch(url, { method: 'POST', headers: base, body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'churn', version: '1' } } }) });
  await init.text();
  const headers = { ...base, 'mcp-session-id': init.headers.get('mcp-session-id'), 'mcp-protocol-version': '2025-11-25' };
  await (await fetch(url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
  await expectAnswer(await fetch(url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: CALL }) }));
  await (await fetch(url, { method: 'DELETE', headers })).text();
}

async function modernRequest(url) {
  const headers = { ...base, 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'echo' };
  await expectAnswer(await fetch(url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { ...CALL, _meta: ENVELOPE } }) }));
}

async function churn(kind, era, total, unit) {
  const upstream = await start('upstream', era);
  const gateway = await start('gateway', JSON.stringify([{ name: 'echo-up', url: upstream.url }]));
  try {
    const block = Math.ceil(total / BLOCKS / PARALLEL) * PARALLEL;
    const blocks = [];
    for (let done = 0; done < total; done += block) {
      const t = performance.now();
      for (let i = 0; i < block; i += PARALLEL) await Promise.all(Array.from({ length: PARALLEL }, () => unit(gateway.url)));
      blocks.push({ upTo: done + block, msEach: Math.round(((performance.now() - t) / block) * 100) / 100, gatewayRssMb: rssMb(gateway.pid) });
    }
    const ratio = Math.round((blocks.at(-1).msEach / blocks[0].msEach) * 100) / 100;
    process.stdout.write(JSON.stringify({ bench: 'churn', kind, total, blocks, lastToFirst: ratio }) + '\n');
  } finally {
    await gateway.close();
    await upstream.close();
  }
}

await churn('2025 sessions, one call each, closed', '2025', sessions, legacySession);
await churn('2026-07-28 requests', '2026', requests, modernRequest);
