// Observers a config asks for. Tracing is loaded only when configured, so @opentelemetry/api stays
// an optional install; otelObserver() names the missing package if it is not there.
import type { RouteObserver, SwitchboardConfig } from '@switchboard/core';

export async function observersFor(config: SwitchboardConfig): Promise<RouteObserver[]> {
  if (config.tracing?.type !== 'otel') return [];
  const { otelObserver } = await import('@switchboard/tracing-otel');
  return [otelObserver()];
}

/** Where audit lines go besides their file: OpenTelemetry logs, when the config traces with otel. */
export async function auditExportFor(config: SwitchboardConfig, warn: (message: string) => void): Promise<((line: Record<string, unknown>) => void) | undefined> {
  if (config.tracing?.type !== 'otel') return undefined;
  const { otelAuditExporter } = await import('@switchboard/tracing-otel');
  try {
    return otelAuditExporter();
  } catch (error) {
    // The file (or stderr) still gets every line: missing the optional logs API is not fatal.
    warn(`audit lines go to gateway.audit.to only: ${(error as Error).message}`);
    return undefined;
  }
}
