// @switchboard/strategy-random: a uniformly random healthy candidate per request (the pattern's
// `load_balance` + `random`).
import { definePlugin } from '@switchboard/core';
import { z } from 'zod';
import { RandomStrategy } from './random.js';

export { RandomStrategy } from './random.js';

export const randomOptionsSchema = z.strictObject({});
export type RandomOptions = z.output<typeof randomOptionsSchema>;

export function randomPlugin() {
  return definePlugin({
    name: 'strategy-random',
    kind: 'strategy',
    type: 'random',
    core: '^0.1.0',
    optionsSchema: randomOptionsSchema,
    register(context) {
      context.provide(new RandomStrategy());
    },
  });
}

export default randomPlugin;
