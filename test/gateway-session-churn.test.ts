// A gateway serves client sessions for days: a session that came and went must leave nothing that
// makes the next ones slower. Node keeps every AsyncLocalStorage that ever ran in a global list
// (until it is disabled) and walks that list for every new promise, timer and socket, so an
// AsyncLocalStorage per session made each later await cost more with every session ever served.
// Real sessions (raw HTTP, initialize to DELETE) through the gateway to a real HTTP upstream, each
// with a call on its own upstream session; live AsyncLocalStorage instances are counted on the heap
// through the inspector (queryObjects collects garbage first).
import { AsyncLocalStorage } from 'node:async_hooks';
import { Session } from 'node:inspector/promises';
import { startHttpFixture, type HttpFixture } from '@switchboard/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type GatewayHarness } from './helpers/gateway-setup.js';

let upstream: HttpFixture;
let harness: GatewayHarness;
const inspector = new Session();

beforeAll(async () => {
  upstream = await startHttpFixture({ name: 'up', tools: ['echo'] });
  harness = await startGateway([{ name: 'up', url: upstream.url }]);
  inspector.connect();
});

afterAll(async () => {
  inspector.disconnect();
  await harness.close();
  await upstream.close();
});

/** Live AsyncLocalStorage instances on this process's heap, after a garbage collection. */
async function liveAsyncLocalStorages(): Promise<number> {
  (globalThis as { __alsPrototype?: object }).__alsPrototype = AsyncLocalStorage.prototype;
  try {
    const prototype = await inspector.post('Runtime.evaluate', { expression: 'globalThis.__alsPrototype' });
    const found = await inspector.post('Runtime.queryObjects', { prototypeObjectId: prototype.result.objectId! });
    const length = await inspector.post('Runtime.callFunctionOn', { objectId: found.objects.objectId!, functionDeclaration: 'function () { return this.length; }', returnByValue: true });
    await inspector.post('Runtime.releaseObjectGroup', { objectGroup: 'console' }).catch(() => undefined);
    return length.result.value as number;
  } finally {
    delete (globalThis as { __alsPrototype?: object }).__alsPrototype;
  }
}

const base = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** One client session from initialize to DELETE, with one tools/call in it; returns the call's answer. */
async function oneSession(url: string): Promise<string> {
  const init = await fetch(url, {
    method: 'POST',
    headers: base,
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'churn', version: '1' } } }),
  });
  await init.text();
  const headers = { ...base, 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-11-25' };
  await (await fetch(url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
  const answer = await (await fetch(url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { text: 'churn' } } }) })).text();
  await (await fetch(url, { method: 'DELETE', headers })).text();
  return answer;
}

describe('session churn', () => {
  it('leaves no AsyncLocalStorage behind per session served', async () => {
    // The first sessions make whatever lives as long as the gateway (its shared storage, the SDK's).
    for (let i = 0; i < 5; i++) expect(await oneSession(harness.http.url)).toContain('churn');
    const before = await liveAsyncLocalStorages();
    const sessions = 60;
    for (let i = 0; i < sessions; i += 10) {
      const answers = await Promise.all(Array.from({ length: 10 }, () => oneSession(harness.http.url)));
      for (const answer of answers) expect(answer).toContain('churn');
    }
    await expect.poll(() => harness.gateway.sessionCount).toBe(0);
    const after = await liveAsyncLocalStorages();
    // One per session before the fix: at least `sessions` more.
    expect(after - before).toBeLessThan(5);
  });
});
