// Audit lines as OpenTelemetry log records, for gateways that trace: each line the gateway's audit
// log writes is also emitted on the global LoggerProvider the app registered (its SDK exports them),
// as one record with the line's fields as attributes. @opentelemetry/api-logs is an optional peer,
// loaded only when this is used.
import { createRequire } from 'node:module';
import { SwitchboardError } from '@switchboard/core';
import type * as LogsApi from '@opentelemetry/api-logs';

export const OTEL_LOGS_PACKAGE = '@opentelemetry/api-logs';
export const AUDIT_LOGGER_NAME = '@switchboard/gateway.audit';

const requireHere = createRequire(import.meta.url);

type Attribute = string | number | boolean;

/** `{ identity: { subject: "a" } }` → `{ "identity.subject": "a" }`: log attributes are flat primitives. */
function flatten(value: Record<string, unknown>, prefix = '', out: Record<string, Attribute> = {}): Record<string, Attribute> {
  for (const [key, v] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (v === undefined || v === null) continue;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[name] = v;
    else if (typeof v === 'object' && !Array.isArray(v)) flatten(v as Record<string, unknown>, name, out);
    else out[name] = JSON.stringify(v);
  }
  return out;
}

/** A sink for the gateway's audit lines (GatewayOptions.auditExport) that emits them as OpenTelemetry log records. */
export function otelAuditExporter(load: (id: string) => unknown = requireHere): (line: Record<string, unknown>) => void {
  let api: typeof LogsApi;
  try {
    api = load(OTEL_LOGS_PACKAGE) as typeof LogsApi;
  } catch (error) {
    throw new SwitchboardError('PLUGIN_NOT_FOUND', `exporting audit lines through OpenTelemetry needs '${OTEL_LOGS_PACKAGE}' (npm i ${OTEL_LOGS_PACKAGE}) and a LoggerProvider registered by your app`, {
      plugin: 'tracing-otel',
      cause: error,
    });
  }
  const logger = api.logs.getLogger(AUDIT_LOGGER_NAME);
  return (line) => {
    const refused = line.outcome === 'denied' || line.outcome === 'rate_limited';
    logger.emit({
      eventName: 'mcp.audit',
      severityNumber: refused ? api.SeverityNumber.WARN : api.SeverityNumber.INFO,
      severityText: refused ? 'WARN' : 'INFO',
      body: `${String(line.method)} ${String(line.name)}: ${String(line.outcome)}`,
      attributes: flatten(line),
    });
  };
}
