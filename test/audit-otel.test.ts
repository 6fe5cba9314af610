// Audit lines as OpenTelemetry log records: with a LoggerProvider registered (the app's SDK, here a
// real sdk-logs provider with an in-memory exporter), every audit line the gateway writes is also
// emitted as a log record with the line's fields as attributes.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logs } from '@opentelemetry/api-logs';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { otelAuditExporter, AUDIT_LOGGER_NAME } from '@switchboard/tracing-otel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './helpers/gateway-fixture.js';
import { startGateway, type GatewayHarness } from './helpers/gateway-setup.js';
import { waitFor } from './helpers/wait.js';

const exporter = new InMemoryLogRecordExporter();
const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
let dir: string;
let upstream: GatewayFixture;
let harness: GatewayHarness;

beforeAll(async () => {
  logs.setGlobalLoggerProvider(provider);
  dir = await mkdtemp(join(tmpdir(), 'sb-audit-otel-'));
  upstream = await startGatewayFixture({ name: 'remote' });
  harness = await startGateway([{ name: 'remote', transport: 'http', url: upstream.url }], {
    gateway: {
      access: { audit: { to: join(dir, 'audit.jsonl') }, policy: { rules: [{ name: 'no-whoami', effect: 'deny', tools: ['whoami'] }] } },
      auditExport: otelAuditExporter(),
    },
  });
});

afterAll(async () => {
  await harness?.close();
  await upstream?.close();
  await provider.shutdown();
  logs.disable();
  await rm(dir, { recursive: true, force: true });
});

describe('audit lines through OpenTelemetry logs', () => {
  it('emits one record per call and per refusal, with the same fields as the file', async () => {
    const client = await harness.connect();
    await client.callTool({ name: 'echo', arguments: { text: 'x' } });
    await expect(client.callTool({ name: 'whoami' })).rejects.toThrow(/no-whoami/);
    await waitFor(() => exporter.getFinishedLogRecords().length >= 2, { what: 'two audit records' });
    const records = exporter.getFinishedLogRecords();
    expect(records.every((r) => r.instrumentationScope.name === AUDIT_LOGGER_NAME && r.eventName === 'mcp.audit')).toBe(true);
    const ok = records.find((r) => r.attributes.name === 'echo');
    expect(ok?.attributes).toMatchObject({ method: 'tools/call', outcome: 'ok', service: 'remote', era: '2025', 'identity.method': 'anonymous' });
    expect(ok?.severityText).toBe('INFO');
    const denied = records.find((r) => r.attributes.name === 'whoami');
    expect(denied?.attributes).toMatchObject({ outcome: 'denied', reason: 'no-whoami' });
    expect(denied?.severityText).toBe('WARN');
    // The file has the same two lines.
    const lines = (await readFile(join(dir, 'audit.jsonl'), 'utf8')).trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { name: string }).name).sort()).toEqual(['echo', 'whoami']);
  });
});
