// What the capacity and compare benches share: a process's CPU from /proc, an MCP session (2025)
// or the standard headers (2026-07-28) for the echo tool, and autocannon POSTing `tools/call echo`.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU time (ms) a process has used, user and system. */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(stat[11]) + Number(stat[12])) * TICK_MS;
}

const ECHO = { name: 'echo', arguments: { text: 'hello' } };
const envelope = (client) => ({ 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: client, version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} });

/** Request headers for the era: a 2025 session opened with initialize, or 2026-07-28's standard headers. */
export async function headersFor(url, era, client) {
  const base = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  if (era === '2026') return { ...base, 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'echo' };
  const init = await fetch(url, {
    method: 'POST',
    headers: base,
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: client, version: '1' } } }),
  });
  await init.text();
  const headers = { ...base, 'mcp-session-id': init.headers.get('mcp-session-id'), 'mcp-protocol-version': '2025-11-25' };
  await (await fetch(url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
  return headers;
}

/** autocannon POSTing `tools/call echo` to `url` with `headers`; `options` as autocannon's (duration, overallRate, …). */
export function echoLoad({ url, headers, era, client }, options) {
  let id = 0;
  const params = era === '2026' ? { ...ECHO, _meta: envelope(client) } : ECHO;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        method: 'POST',
        headers,
        ...options,
        requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method: 'tools/call', params }) }) }],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}
