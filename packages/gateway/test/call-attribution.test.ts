import { describe, expect, it } from 'vitest';
import { CallAttribution } from '../src/upstream/call-attribution.js';

// Which call each attribution sees, with the one AsyncLocalStorage they all share (pure logic; the
// real sessions are in test/gateway-call-attribution.test.ts and test/gateway-session-churn.test.ts).
describe('call attribution frames', () => {
  it('each attribution sees only its own call, nested inside another one or not, across awaits', async () => {
    const a = new CallAttribution<string>();
    const b = new CallAttribution<string>();
    const seen: Array<[string | undefined, string | undefined]> = [];
    await a.run('a1', async () => {
      seen.push([a.active, b.active]);
      await b.run('b1', async () => {
        await Promise.resolve();
        seen.push([a.active, b.active]);
        await a.run('a2', async () => {
          await new Promise((resolve) => setImmediate(resolve));
          seen.push([a.active, b.active]);
        });
        seen.push([a.active, b.active]);
      });
    });
    seen.push([a.active, b.active]);
    expect(seen).toEqual([
      ['a1', undefined],
      ['a1', 'b1'],
      ['a2', 'b1'],
      ['a1', 'b1'],
      [undefined, undefined],
    ]);
  });

  it('a run entered from the same attribution replaces its frame: outer attributions stay visible', () => {
    const a = new CallAttribution<number>();
    const b = new CallAttribution<number>();
    b.run(0, () => {
      const nest = (depth: number): void => {
        if (depth === 0) return;
        a.run(depth, () => nest(depth - 1));
      };
      a.run(100, () => {
        nest(50);
        expect(a.active).toBe(100);
        expect(b.active).toBe(0);
      });
      a.run(1, () => a.run(2, () => expect([a.active, b.active]).toEqual([2, 0])));
    });
  });
});
