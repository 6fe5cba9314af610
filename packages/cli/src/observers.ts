// Observers a config asks for. Tracing is loaded only when configured, so @opentelemetry/api stays
// an optional install; otelObserver() names the missing package if it is not there.
import type { RouteObserver, SwitchboardConfig } from '@switchboard/core';

export async function observersFor(config: SwitchboardConfig): Promise<RouteObserver[]> {
  if (config.tracing?.type !== 'otel') return [];
  const { otelObserver } = await import('@switchboard/tracing-otel');
  return [otelObserver()];
}
