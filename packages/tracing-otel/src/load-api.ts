// Loads @opentelemetry/api on demand. It is an optional peer dependency: apps that never trace do not
// install it, so it must not be imported at module load, and a missing copy must be reported with
// the fix instead of Node's bare ERR_MODULE_NOT_FOUND.
import { createRequire } from 'node:module';
import { SwitchboardError } from '@switchboard/core';
import type * as OtelApi from '@opentelemetry/api';

export type { OtelApi };

export const OTEL_API_PACKAGE = '@opentelemetry/api';

// require() keeps otelObserver() synchronous. The API keeps its registrations (context manager,
// tracer provider, propagator) on a global symbol, so this copy sees what the app registered even
// when the app imported the ESM build.
const requireHere = createRequire(import.meta.url);

/** Load the OpenTelemetry API, or throw a SwitchboardError that says what to install. */
export function loadOtelApi(load: (id: string) => unknown = requireHere): typeof OtelApi {
  try {
    return load(OTEL_API_PACKAGE) as typeof OtelApi;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') {
      throw new SwitchboardError(
        'PLUGIN_NOT_FOUND',
        `@switchboard/tracing-otel needs the package '${OTEL_API_PACKAGE}', which is not installed; ` +
          `install it beside your app (npm i ${OTEL_API_PACKAGE}) together with an OpenTelemetry SDK that exports your spans`,
        { plugin: 'tracing-otel', cause: error },
      );
    }
    throw SwitchboardError.from(error, { code: 'PLUGIN_ERROR', plugin: 'tracing-otel', prefix: `loading ${OTEL_API_PACKAGE} failed` });
  }
}
