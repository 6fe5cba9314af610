// The request series backstop: past MAX_REQUEST_SERIES label sets, new ones are counted under
// tool="(other)"; series already held keep counting as themselves.
import { describe, expect, it } from 'vitest';
import { GatewayMetrics, MAX_REQUEST_SERIES, OTHER_TOOL } from '../src/ops/metrics.js';

const sample = (tool: string) => ({ method: 'resources/read', service: 's', tool, latencyMs: 1, ok: true, failovers: 0, era: '2025' as const });

describe('GatewayMetrics', () => {
  it('holds at most MAX_REQUEST_SERIES request series, folding the rest into (other)', () => {
    const metrics = new GatewayMetrics();
    for (let i = 0; i < MAX_REQUEST_SERIES + 500; i++) metrics.record(sample(`uri-${i}`));
    metrics.record(sample('uri-0'));
    const router = { registry: { all: () => [] }, getPerformanceReport: () => ({ totalFailovers: 0 }) } as unknown as Parameters<GatewayMetrics['render']>[0];
    const lines = metrics.render(router, 0).split('\n').filter((l) => l.startsWith('switchboard_gateway_requests_total{'));
    expect(lines).toHaveLength(MAX_REQUEST_SERIES + 1);
    expect(lines).toContainEqual(`switchboard_gateway_requests_total{method="resources/read",service="s",tool="${OTHER_TOOL}",era="2025"} 500`);
    expect(lines).toContainEqual('switchboard_gateway_requests_total{method="resources/read",service="s",tool="uri-0",era="2025"} 2');
  });
});
