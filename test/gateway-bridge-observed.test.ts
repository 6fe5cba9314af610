// A bridged call (a 2026-07-28 client that declared what a 2025 upstream may ask for, on a process
// lent to the call) is observed like any other call: one audit line with its outcome and one count
// in /metrics, once it completes; a call that ends in input_required is audited as such.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernHttpTransport } from '@modelcontextprotocol/client';
import { conformanceFixtureEntry } from '@switchboard/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstText, startGateway, type GatewayHarness } from './helpers/gateway-setup.js';

let harness: GatewayHarness;
let client: ModernClient;
const dir = mkdtempSync(join(tmpdir(), 'switchboard-bridge-audit-'));
const auditFile = join(dir, 'audit.jsonl');

beforeAll(async () => {
  harness = await startGateway([conformanceFixtureEntry('lent')], { gateway: { access: { audit: { to: auditFile } } } });
  client = new ModernClient({ name: 'modern', version: '1' }, { versionNegotiation: { mode: { pin: '2026-07-28' } }, capabilities: { elicitation: { form: {} } } });
  client.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { username: 'ada', email: 'ada@example.com' } }));
  await client.connect(new ModernHttpTransport(new URL(harness.http.url)));
}, 30_000);

afterAll(async () => {
  await client.close().catch(() => undefined);
  await harness.close();
  rmSync(dir, { recursive: true, force: true });
});

function auditLines(): Array<Record<string, unknown>> {
  try {
    return readFileSync(auditFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  } catch {
    return [];
  }
}

describe('a bridged call', () => {
  it('is audited and counted like any call', async () => {
    expect(firstText(await client.callTool({ name: 'test_elicitation', arguments: { message: 'Who are you?' } }))).toContain('action=accept');
    expect(firstText(await client.callTool({ name: 'test_simple_text' }))).toBe('This is a simple text response for testing.');
    await expect.poll(() => auditLines().filter((l) => JSON.stringify(l).includes('test_elicitation')).length, { timeout: 3_000 }).toBe(1);
    const line = auditLines().find((l) => JSON.stringify(l).includes('test_elicitation'))!;
    expect(JSON.stringify(line)).toMatch(/"outcome":"ok"/);
    expect(JSON.stringify(line)).toMatch(/"service":"lent"/);
    const metrics = await (await fetch(harness.http.url.replace(/\/mcp$/, '/metrics'))).text();
    expect(metrics).toMatch(/^switchboard_gateway_requests_total\{method="tools\/call",service="lent",tool="test_elicitation",era="2026"\} 1$/m);
    expect(metrics).toMatch(/^switchboard_gateway_requests_total\{method="tools\/call",service="lent",tool="test_simple_text",era="2026"\} 1$/m);
  });
});
