// @switchboard/strategy-round-robin: rotate requests over the healthy candidates in turn (the
// pattern's `load_balance` + `round_robin`).
import { definePlugin } from '@switchboard/core';
import { z } from 'zod';
import { RoundRobinStrategy } from './round-robin.js';

export { RoundRobinStrategy } from './round-robin.js';

export const roundRobinOptionsSchema = z.strictObject({});
export type RoundRobinOptions = z.output<typeof roundRobinOptionsSchema>;

export function roundRobinPlugin() {
  return definePlugin({
    name: 'strategy-round-robin',
    kind: 'strategy',
    type: 'round-robin',
    core: '^0.1.0',
    optionsSchema: roundRobinOptionsSchema,
    register(context) {
      context.provide(new RoundRobinStrategy());
    },
  });
}

export default roundRobinPlugin;
