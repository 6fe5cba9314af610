import { describe, expect, it } from 'vitest';
import { LatencyWindow } from '../src/latency-window.js';

/** The percentile over the last 256 samples, computed the plain way. */
function reference(samples: readonly number[], p: number): number {
  const window = samples.slice(-256).sort((a, b) => a - b);
  return window[Math.min(window.length - 1, Math.max(0, Math.ceil((p / 100) * window.length) - 1))]!;
}

describe('latency window', () => {
  it('keeps the last 256 samples while its ring grows from a few entries and then wraps', () => {
    const window = new LatencyWindow();
    const samples: number[] = [];
    // Every size the ring passes through (2, 4, 8 as arrays, 16, 32, …, 256 typed), then well past the wrap.
    for (let i = 0; i < 1_000; i++) {
      const latency = (i * 37) % 101; // not monotonic, so a lost or misplaced sample shows
      window.add(latency);
      samples.push(latency);
      if ([0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 65, 128, 129, 255, 256, 257, 400, 999].includes(i)) {
        for (const p of [50, 95, 99, 100]) expect(window.percentile(p), `p${p} after ${i + 1} samples`).toBe(reference(samples, p));
        expect(window.size).toBe(Math.min(256, i + 1));
      }
    }
  });

  it('answers 0 before any sample', () => {
    expect(new LatencyWindow().percentile(99)).toBe(0);
  });
});
