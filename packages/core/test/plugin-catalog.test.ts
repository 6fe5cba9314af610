import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definePlugin, PluginCatalog, SwitchboardError } from '../src/index.js';

const strategy = (name: string, type: string, core = '^0.1.0') =>
  definePlugin({
    name,
    kind: 'strategy',
    type,
    core,
    optionsSchema: z.strictObject({}),
    register(ctx) {
      ctx.provide({ name: type, select: (c) => c[0] });
    },
  });

async function codeOf(promise: Promise<unknown> | (() => unknown)): Promise<SwitchboardError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    expect(SwitchboardError.is(error)).toBe(true);
    return error as SwitchboardError;
  }
  throw new Error('expected an error');
}

describe('plugin catalog', () => {
  it('rejects a duplicate name from another plugin', async () => {
    const catalog = new PluginCatalog();
    catalog.add(strategy('a', 'weighted'));
    const error = await codeOf(() => catalog.add(strategy('b', 'weighted')));
    expect(error.code).toBe('PLUGIN_DUPLICATE');
    expect(error.message).toContain("'a' and 'b'");
  });

  it('rejects a core-version mismatch naming the plugin', async () => {
    const error = await codeOf(() => new PluginCatalog().add(strategy('old-one', 'x', '^2.0.0')));
    expect(error).toMatchObject({ code: 'PLUGIN_CORE_MISMATCH', plugin: 'old-one' });
  });

  it('rejects a malformed plugin listing every problem', async () => {
    const error = await codeOf(() => new PluginCatalog().add({ name: 'bad', kind: 'router', core: 'latest' }, 'some-pkg'));
    expect(error.code).toBe('PLUGIN_INVALID');
    expect(error.message).toMatch(/kind.*type.*core.*optionsSchema.*register/s);
  });

  it('names the alternatives when a type is unknown', async () => {
    const catalog = new PluginCatalog({ resolveFrom: ['/nonexistent'] });
    const error = await codeOf(catalog.require('strategy', 'weighted'));
    expect(error.code).toBe('PLUGIN_NOT_FOUND');
    expect(error.message).toContain('round-robin, least-loaded, random, latency, first-match');
  });

  it('says how to install a plugin package that is missing', async () => {
    const catalog = new PluginCatalog({ resolveFrom: ['/nonexistent'] });
    const error = await codeOf(catalog.loadPackage('@example/switchboard-not-installed'));
    expect(error).toMatchObject({ code: 'PLUGIN_NOT_FOUND', plugin: '@example/switchboard-not-installed' });
    expect(error.message).toContain('pnpm add @example/switchboard-not-installed');
  });

  it('loads a built-in package by name from the resolve directory', async () => {
    const catalog = new PluginCatalog({ resolveFrom: [process.cwd()] });
    const plugin = await catalog.require('discovery', 'static');
    expect(plugin).toMatchObject({ name: 'discovery-static', kind: 'discovery', type: 'static' });
  });
});
