// @switchboard/strategy-least-loaded: fewest requests in flight among a few random candidates
// (Envoy least-request, power of two choices; the pattern's `load_balance` + `least_loaded`).
import { definePlugin } from '@switchboard/core';
import { z } from 'zod';
import { LeastLoadedStrategy } from './least-loaded.js';

export { LeastLoadedStrategy } from './least-loaded.js';
export type { LeastLoadedStrategyOptions } from './least-loaded.js';

export const leastLoadedOptionsSchema = z.strictObject({
  /** Candidates compared per pick (Envoy's choice_count). 2 is the classic power of two choices. */
  choiceCount: z.number().int().min(2).default(2),
});
export type LeastLoadedOptions = z.output<typeof leastLoadedOptionsSchema>;

export function leastLoadedPlugin() {
  return definePlugin({
    name: 'strategy-least-loaded',
    kind: 'strategy',
    type: 'least-loaded',
    core: '^0.1.0',
    optionsSchema: leastLoadedOptionsSchema,
    register(context, options) {
      context.provide(new LeastLoadedStrategy(options));
    },
  });
}

export default leastLoadedPlugin;
