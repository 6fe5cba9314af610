// @switchboard/strategy-latency: lowest expected latency, by peak-EWMA × (in-flight + 1) over two
// random choices (Finagle, Linkerd); the pattern's `performance` routing.
import { definePlugin } from '@switchboard/core';
import { z } from 'zod';
import { LatencyStrategy } from './latency.js';

export { LatencyStrategy } from './latency.js';
export { peakEwmaCost, UNMEASURED_BUSY_PENALTY } from './cost.js';

export const latencyOptionsSchema = z.strictObject({});
export type LatencyOptions = z.output<typeof latencyOptionsSchema>;

export function latencyPlugin() {
  return definePlugin({
    name: 'strategy-latency',
    kind: 'strategy',
    type: 'latency',
    core: '^0.1.0',
    optionsSchema: latencyOptionsSchema,
    register(context) {
      context.provide(new LatencyStrategy());
    },
  });
}

export default latencyPlugin;
