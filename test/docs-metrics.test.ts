// Every metric name the docs mention is one the gateway serves: a renamed metric fails here until
// the docs follow (they once named switchboard_failovers_total, which never existed).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayHarness } from './helpers/gateway-setup.js';
import { startFrontedFixture, type FrontedFixture } from './helpers/fronted-fixture.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const docFiles = [
  join(root, 'README.md'),
  ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(root, 'docs', f)),
  ...['packages', 'plugins'].flatMap((dir) => readdirSync(join(root, dir)).map((p) => join(root, dir, p, 'README.md'))),
].filter((f) => {
  try {
    return readFileSync(f).length > 0;
  } catch {
    return false;
  }
});

let fronted: FrontedFixture;
let harness: GatewayHarness;
beforeAll(async () => {
  fronted = await startFrontedFixture();
  harness = fronted.harness;
});
afterAll(() => fronted?.close());

describe('metric names in the docs', () => {
  it('are all served on /metrics', async () => {
    const client = await harness.connect();
    await client.callTool({ name: 'echo', arguments: { text: 'x' } });
    const metrics = await (await fetch(harness.http.url.replace('/mcp', '/metrics'))).text();
    const served = new Set([...metrics.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap(([, name, type]) => (type === 'histogram' ? ['_bucket', '_sum', '_count', ''].map((s) => name + s) : [name])));
    const mentioned = new Map<string, string>();
    for (const file of docFiles) for (const [name] of readFileSync(file, 'utf8').matchAll(/\bswitchboard_[a-z_]+/g)) mentioned.set(name!, file.slice(root.length));
    expect(mentioned.size).toBeGreaterThan(10);
    const unknown = [...mentioned].filter(([name]) => !served.has(name)).map(([name, file]) => `${name} (${file})`);
    expect(unknown).toEqual([]);
  });
});
