// The plugin as the router loads it: shape, option validation, and what register() provides.
import type { Discoverer } from '@switchboard/core';
import { createTestPluginContext } from '@switchboard/testing';
import { describe, expect, it } from 'vitest';
import registryDiscoveryPlugin, { compileNamePattern, RegistryDiscoverer, registryOptionsSchema } from '../src/index.js';

describe('registryDiscoveryPlugin', () => {
  it('is a discovery plugin of type registry', () => {
    expect(registryDiscoveryPlugin()).toMatchObject({ name: 'discovery-registry', kind: 'discovery', type: 'registry', core: '^0.1.0' });
  });

  it('registers a RegistryDiscoverer whose id is the instance id', async () => {
    const plugin = registryDiscoveryPlugin();
    const options = plugin.optionsSchema.parse({});
    // Core's own registration context: the entry's container builds what the plugin provides.
    const context = createTestPluginContext({ kind: 'discovery', instanceId: 'registry#3', options });
    await plugin.register(context, options);
    const provided: Discoverer | undefined = context.provided[0];
    expect(provided).toBeInstanceOf(RegistryDiscoverer);
    expect(provided?.id).toBe('registry#3');
    expect((provided as RegistryDiscoverer).endpoint).toBe('https://registry.modelcontextprotocol.io/v0.1/servers');
  });

  it('has defaults and rejects bad options with their path', () => {
    expect(registryOptionsSchema.parse({})).toEqual({
      url: 'https://registry.modelcontextprotocol.io',
      includeDeprecated: false,
      headers: {},
      timeoutMs: 10_000,
      maxPageBytes: 16 * 1024 * 1024,
      inputs: {},
    });
    const bad = registryOptionsSchema.safeParse({ url: 'not a url', namePattern: '/(/', pageSize: 0, surprise: true });
    expect(bad.success).toBe(false);
    const paths = bad.error?.issues.map((i) => i.path.join('.') || i.message) ?? [];
    expect(paths).toEqual(expect.arrayContaining(['url', 'namePattern', 'pageSize']));
    expect(bad.error?.issues.some((i) => i.code === 'unrecognized_keys')).toBe(true);
  });
});

describe('namePattern', () => {
  it('globs match across the namespace slash; ? is one character; the rest is literal', () => {
    const match = compileNamePattern('io.github.*/weather?');
    expect(match('io.github.acme/weather2')).toBe(true);
    expect(match('io.github.a/b/weatherX')).toBe(true);
    expect(match('io_github.acme/weather2')).toBe(false); // '.' is not a wildcard
    expect(match('io.github.acme/weather')).toBe(false);
  });

  it('/regex/flags is a regular expression, and stays stateless with g', () => {
    const match = compileNamePattern('/^com\\.example\\//gi');
    expect(match('COM.EXAMPLE/a')).toBe(true);
    expect(match('COM.EXAMPLE/a')).toBe(true);
    expect(match('org.example/a')).toBe(false);
  });

  it('no pattern keeps everything', () => {
    expect(compileNamePattern(undefined)('anything/at-all')).toBe(true);
  });
});
