import { describe, expect, it } from 'vitest';
import { ServiceStats } from '../src/index.js';

describe('service stats', () => {
  it('counts calls, in-flight and mean latency', () => {
    const s = new ServiceStats();
    s.begin();
    s.begin();
    expect(s.inFlight).toBe(2);
    s.end(true, 10, 1);
    s.end(false, 30, 2);
    expect(s).toMatchObject({ inFlight: 0, total: 2, successes: 1, failures: 1 });
    expect(s.successRate).toBe(0.5);
    expect(s.averageLatencyMs).toBe(20);
  });

  it('peak-EWMA jumps up at once and decays slowly, and toward zero when idle', () => {
    const s = new ServiceStats();
    s.observeLatency(10, 1_000);
    s.observeLatency(100, 1_001);
    expect(s.ewmaLatencyMs(1_001)).toBe(100);
    s.observeLatency(10, 1_002);
    expect(s.ewmaLatencyMs(1_002)).toBeGreaterThan(90);
    expect(s.ewmaLatencyMs(60_000)).toBeLessThan(1);
  });

  it('computes percentiles over the recent window', () => {
    const s = new ServiceStats();
    for (let i = 1; i <= 100; i++) s.end(true, i, i);
    expect(s.percentile(50)).toBe(50);
    expect(s.percentile(99)).toBe(99);
    for (let i = 0; i < 300; i++) s.end(true, 1_000, 200 + i);
    expect(s.percentile(50)).toBe(1_000); // old samples left the window
  });
});
