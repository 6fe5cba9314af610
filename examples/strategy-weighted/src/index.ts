// @example/switchboard-strategy-weighted: a Switchboard strategy plugin written the way any third
// party would, against @switchboard/core's public API only.
import { definePlugin } from '@switchboard/core';
import { z } from 'zod';
import { WeightedStrategy } from './weighted.js';

export { WeightedStrategy, type WeightedStrategyOptions } from './weighted.js';
export { weightOf } from './weight.js';

export const weightedOptionsSchema = z.strictObject({
  /** Take each service's weight from `metadata[metadataKey]` rather than its entry's `weight`. */
  metadataKey: z.string().min(1).optional(),
});

export function weightedStrategyPlugin() {
  return definePlugin({
    name: 'strategy-weighted',
    kind: 'strategy',
    type: 'weighted',
    core: '^0.1.0',
    optionsSchema: weightedOptionsSchema,
    register(ctx, options) {
      ctx.provide(new WeightedStrategy(options.metadataKey === undefined ? {} : { metadataKey: options.metadataKey }));
    },
  });
}

export default weightedStrategyPlugin;
