// @switchboard/strategy-first-match: always the first healthy, capable service in priority order
// (the pattern's `capability_match`, and the default strategy).
import { definePlugin } from '@switchboard/core';
import { z } from 'zod';
import { FirstMatchStrategy } from './first-match.js';

export { FirstMatchStrategy } from './first-match.js';

export const firstMatchOptionsSchema = z.strictObject({});
export type FirstMatchOptions = z.output<typeof firstMatchOptionsSchema>;

export function firstMatchPlugin() {
  return definePlugin({
    name: 'strategy-first-match',
    kind: 'strategy',
    type: 'first-match',
    core: '^0.1.0',
    optionsSchema: firstMatchOptionsSchema,
    register(context) {
      context.provide(new FirstMatchStrategy());
    },
  });
}

export default firstMatchPlugin;
