import { definePlugin, type Candidate, type SelectContext, type Strategy } from '@switchboard/core';
import { z } from 'zod';

class WeightedStrategy implements Strategy {
  readonly name = 'weighted';
  select(candidates: readonly Candidate[], ctx: SelectContext): Candidate | undefined {
    let total = 0;
    for (const c of candidates) total += c.descriptor.weight;
    let x = ctx.random() * total;
    for (const c of candidates) if ((x -= c.descriptor.weight) < 0) return c;
    return candidates[candidates.length - 1];
  }
}

export default function weightedPlugin() {
  return definePlugin({
    name: 'strategy-weighted', // appears in every error the plugin causes
    kind: 'strategy', // 'discovery' | 'strategy' | 'transport' | 'health'
    type: 'weighted', // what config names: strategy: { type: weighted }
    core: '^0.1.0', // the @switchboard/core versions it was built for
    optionsSchema: z.strictObject({}),
    register(ctx) {
      ctx.provide(new WeightedStrategy());
    },
  });
}
