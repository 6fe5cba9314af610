// `tracing: { type: otel }` in a config file: the CLI routes with the OpenTelemetry observer, and an
// SDK the operator preloads (node --import) exports a span for the routed call.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startHttpFixture, type HttpFixture } from '@switchboard/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const SETUP = fileURLToPath(new URL('../packages/tracing-otel/test/print-spans.mjs', import.meta.url));
let dir: string;
let upstream: HttpFixture;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-tracing-'));
  upstream = await startHttpFixture({ name: 'traced', tools: ['whoami'] });
  writeFileSync(join(dir, 'traced.yaml'), `tracing: { type: otel }\nhealth: false\ndiscovery:\n  - { type: static, servers: [{ name: traced, url: "${upstream.url}" }] }\n`);
});

afterAll(async () => {
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('tracing from config', () => {
  it('exports a span per routed call when the config asks for otel', async () => {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', SETUP, BIN, 'call', 'whoami', '-c', join(dir, 'traced.yaml')], { timeout: 30_000 });
    expect(stdout).toContain('traced');
    const spans = stderr
      .split('\n')
      .filter((l) => l.startsWith('SPAN '))
      .map((l) => JSON.parse(l.slice(5)) as { name: string; attributes: Record<string, unknown> });
    const routed = spans.find((s) => s.name === 'tools/call whoami');
    expect(routed?.attributes).toMatchObject({ 'switchboard.service': 'traced', 'switchboard.strategy': 'first-match', 'switchboard.failover_attempts': 0 });
  });
});
