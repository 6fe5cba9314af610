import { describe, expect, it } from 'vitest';
import { parseConfig, SwitchboardError } from '../src/index.js';

function issuesOf(fn: () => unknown): Array<{ path: string; message: string }> {
  try {
    fn();
  } catch (error) {
    expect(SwitchboardError.is(error)).toBe(true);
    expect((error as SwitchboardError).code).toBe('CONFIG_INVALID');
    return (error as SwitchboardError).details as Array<{ path: string; message: string }>;
  }
  throw new Error('expected a config error');
}

describe('config', () => {
  it('fills defaults (pattern default: capability_match → first-match)', () => {
    const c = parseConfig({});
    expect(c.strategy).toEqual({ type: 'first-match' });
    expect(c.failover).toMatchObject({ maxAttempts: 3, timeoutMs: 30_000, breaker: { consecutiveFailures: 5 } });
    expect(c.health).toMatchObject({ type: 'ping', intervalMs: 30_000 });
    expect(c.discoveryIntervalMs).toBe(60_000);
    expect(Object.isFrozen(c.failover)).toBe(true);
  });

  it('maps the pattern document names', () => {
    const c = parseConfig({
      routing_strategy: 'load_balance',
      load_balancing_strategy: 'least_loaded',
      max_failover_attempts: 5,
      discovery_interval_seconds: 12,
      enable_auto_refresh: false,
      health_check_interval: 7,
      discovery_timeout: 2.5,
      prefer_low_latency: true,
      enable_service_mesh: true,
      initial_servers: [{ name: 'a', transport: 'http', url: 'http://127.0.0.1:1/mcp', capabilities: ['search'] }],
    });
    expect(c.strategy).toEqual({ type: 'least-loaded' });
    expect(c.failover.maxAttempts).toBe(5);
    expect(c.discoveryIntervalMs).toBe(12_000);
    expect(c.discoveryTimeoutMs).toBe(2_500);
    expect(c.enableAutoRefresh).toBe(false);
    expect(c.health && c.health.intervalMs).toBe(7_000);
    expect(c.discovery[0]).toMatchObject({ type: 'static', servers: [{ name: 'a' }] });
  });

  it('maps performance to latency and capability_match to first-match, camelCase too', () => {
    expect(parseConfig({ routing_strategy: 'performance' }).strategy.type).toBe('latency');
    expect(parseConfig({ routingStrategy: 'capability_match' }).strategy.type).toBe('first-match');
    expect(parseConfig({ load_balancing_strategy: 'random' }).strategy.type).toBe('random');
  });

  it("reads VS Code's mcp.json ({ servers, inputs }) as a static source", () => {
    const c = parseConfig({ inputs: [{ id: 'key', type: 'promptString' }], servers: { fs: { type: 'stdio', command: 'node', args: ['x.js'] } } });
    expect(c.discovery).toEqual([expect.objectContaining({ type: 'static', mcpServers: { fs: { type: 'stdio', command: 'node', args: ['x.js'] } } })]);
  });

  it('reads an MCP client config (mcpServers) as a static source', () => {
    const c = parseConfig({ mcpServers: { fs: { command: 'node', args: ['x.js'] } } });
    expect(c.discovery[0]).toMatchObject({ type: 'static', mcpServers: { fs: { command: 'node' } } });
  });

  it('reports every problem with its path', () => {
    const issues = issuesOf(() =>
      parseConfig({
        routing_strategy: 'fastest',
        failover: { maxAttempts: -1, timeoutMs: 'soon' },
        discoveryIntervalMs: 0,
        unknownKey: true,
      }),
    );
    const paths = issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['routing_strategy', 'failover.maxAttempts', 'failover.timeoutMs', 'discoveryIntervalMs']));
    expect(issues.find((i) => i.path === 'routing_strategy')!.message).toContain('capability_match');
    expect(issues.some((i) => i.message.includes('unknownKey'))).toBe(true);
  });

  it('rejects giving both strategy and the pattern names', () => {
    const issues = issuesOf(() => parseConfig({ strategy: { type: 'random' }, routing_strategy: 'performance' }));
    expect(issues[0]!.path).toBe('routing_strategy');
  });

  it('rejects a bad seconds value with its key', () => {
    const issues = issuesOf(() => parseConfig({ discovery_interval_seconds: -3 }));
    expect(issues[0]).toMatchObject({ path: 'discovery_interval_seconds' });
  });
});
