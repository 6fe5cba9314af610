// @opentelemetry/api is an optional peer: without it, otelObserver must say what to install.
import * as api from '@opentelemetry/api';
import { SwitchboardError } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { loadOtelApi } from '../src/load-api.js';

function notFound(id: string): Error {
  return Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
}

describe('loadOtelApi', () => {
  it('loads the installed API, which sees the provider the app registered', () => {
    const tracer = api.trace.getTracer('never-used');
    const provider: api.TracerProvider = { getTracer: () => tracer };
    expect(api.trace.setGlobalTracerProvider(provider)).toBe(true);
    try {
      expect(loadOtelApi().trace.getTracer('x')).toBe(tracer);
    } finally {
      api.trace.disable();
    }
  });

  it('names the missing package and how to install it', () => {
    let thrown: unknown;
    try {
      loadOtelApi((id) => {
        throw notFound(id);
      });
    } catch (error) {
      thrown = error;
    }
    expect(SwitchboardError.is(thrown)).toBe(true);
    const error = thrown as SwitchboardError;
    expect(error.code).toBe('PLUGIN_NOT_FOUND');
    expect(error.plugin).toBe('tracing-otel');
    expect(error.message).toContain("needs the package '@opentelemetry/api'");
    expect(error.message).toContain('npm i @opentelemetry/api');
  });

  it('reports other load failures as plugin errors with the cause', () => {
    const boom = new Error('broken install');
    expect(() =>
      loadOtelApi(() => {
        throw boom;
      }),
    ).toThrow(expect.objectContaining({ code: 'PLUGIN_ERROR', plugin: 'tracing-otel', cause: boom }));
  });
});
