// When an upstream cannot be started, the operator is told why in one place: exit code or signal,
// its last stderr lines, or that whatever answered is not an MCP server; and a server failing the
// same way again and again is not logged again and again. Real processes over real pipes.
import { createRouter, type Router } from '@switchboard/core';
import { afterEach, describe, expect, it } from 'vitest';
import { corePlugins } from './helpers/plugins.js';
import { captureLogs } from './helpers/hostile.js';
import { waitFor } from './helpers/wait.js';

let router: Router | undefined;
afterEach(async () => {
  await router?.close();
  router = undefined;
});

const boom = { name: 'boom', command: process.execPath, args: ['-e', "console.error('boom: missing API_KEY'); process.exit(3)"] };
const notMcp = { name: 'kitty', command: process.execPath, args: ['-e', 'process.stdin.pipe(process.stdout)'] }; // `cat`, portably

describe('an upstream that cannot start', () => {
  it('is reported with its exit code and last stderr lines, or as not an MCP server', async () => {
    router = createRouter({ discovery: [{ type: 'static', servers: [boom, notMcp] }], health: false, logLevel: 'silent' }, { plugins: corePlugins() });
    await router.initialize();
    const health = await router.getServiceHealth();
    expect(health.boom!.lastError).toMatch(/the process exited with code 3 before answering initialize; last stderr: boom: missing API_KEY/);
    expect(health.kitty!.lastError).toMatch(/it answered initialize with an error \(.*Method not found\); is it an MCP server\?/);
  });

  it('is logged once per change of state, not on every restart', { timeout: 30_000 }, async () => {
    const logs = captureLogs('info');
    router = createRouter({ discovery: [{ type: 'static', servers: [boom] }], health: false }, { plugins: corePlugins(), logger: logs.logger });
    await router.initialize();
    // Well into the crash loop: seven failed starts, each printing the same stderr line.
    await waitFor(() => (router!.pool.state('boom')?.consecutiveFailures ?? 0) >= 7, { what: 'seven failed starts', timeoutMs: 25_000 });
    const lines = logs.lines().filter((l) => l.service === 'boom');
    const count = (msg: string, level?: string) => lines.filter((l) => l.msg === msg && (level === undefined || l.level === level)).length;
    expect(count('service is unhealthy')).toBe(1);
    expect(count('cannot connect to service', 'warn')).toBe(0);
    expect(count('upstream is crash-looping; backing off')).toBe(1);
    expect(lines.find((l) => l.msg === 'upstream is crash-looping; backing off')).toMatchObject({ reason: expect.stringContaining('exited with code 3') });
    // The first start's stderr, and the first restart's: after that it is the same again.
    expect(count('upstream stderr')).toBeLessThanOrEqual(2);
  });
});
