// Retry safety reads what the transport knows (a typed LinkFault: was the message delivered?), never
// an error's text. An upstream whose tool ran and then failed with "connect ECONNREFUSED …" in its
// message (its own database was down) once looked like a refused connection to us, and the call,
// side effect and all, was run again on another replica.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRouter, type Router } from '@switchboard/core';
import { afterEach, describe, expect, it } from 'vitest';
import { hostileStdioEntry } from './helpers/hostile.js';
import { corePlugins } from './helpers/plugins.js';

let router: Router | undefined;
let dir: string | undefined;
afterEach(async () => {
  await router?.close();
  router = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const lines = (file: string): number => {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
};

describe('retry safety', () => {
  it('does not run a non-idempotent call again because its error text mentions a refused connection', async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-retry-safety-'));
    const records = [join(dir, 'a'), join(dir, 'b')];
    const replica = (name: string, record: string) => {
      const entry = hostileStdioEntry(name, { replicaGroup: 'billing' });
      return { ...entry, args: [...(entry.args as string[]), '--record', record] };
    };
    router = createRouter(
      { discovery: [{ type: 'static', servers: [replica('a', records[0]!), replica('b', records[1]!)] }], strategy: { type: 'round-robin' }, health: false, logLevel: 'silent' },
      { plugins: corePlugins() },
    );
    await router.initialize();
    const result = await router.routeRequest({ toolName: 'charge' });
    expect(result.success).toBe(false);
    // One replica ran it; nobody ran it twice.
    expect(lines(records[0]!) + lines(records[1]!)).toBe(1);
    expect(result.failoverAttempts).toBe(0);
    expect(result.error).toMatch(/billing database is down/);
  });
});
