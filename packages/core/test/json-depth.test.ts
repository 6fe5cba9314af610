import { describe, expect, it } from 'vitest';
import { exceedsJsonDepth, MAX_JSON_DEPTH, SwitchboardError, tooDeepAnswer } from '../src/index.js';

const nested = (depth: number, open = '[', close = ']') => `${open.repeat(depth)}${close.repeat(depth)}`;

describe('exceedsJsonDepth', () => {
  it('counts arrays and objects, up to the limit and past it', () => {
    expect(exceedsJsonDepth(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(exceedsJsonDepth(nested(MAX_JSON_DEPTH + 1))).toBe(true);
    const objects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    expect(exceedsJsonDepth(objects(MAX_JSON_DEPTH))).toBe(false);
    expect(exceedsJsonDepth(objects(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(exceedsJsonDepth(`[${nested(5)},${nested(5)}]`, 6)).toBe(false);
    expect(exceedsJsonDepth(`[${nested(5)},${nested(6)}]`, 6)).toBe(true);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const inString = JSON.stringify({ text: '['.repeat(2000), quoted: 'say \\"[[[[[\\" and "{{{{"' });
    expect(exceedsJsonDepth(inString, 10)).toBe(false);
    // An escaped backslash before the closing quote ends the string: what follows counts again.
    expect(exceedsJsonDepth(`{"a":"x\\\\",${'"b":['.repeat(1)}${nested(20)}]}`, 10)).toBe(true);
  });

  it('measures a real-looking message exactly', () => {
    const message = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: '}]]]{{' }], structuredContent: { a: [[{ b: [1, [2]] }]] } } });
    // The message, result, structuredContent, a's two arrays, {b}, b's array, [2]: eight levels.
    expect(exceedsJsonDepth(message, 8)).toBe(false);
    expect(exceedsJsonDepth(message, 7)).toBe(true);
  });
});

describe('tooDeepAnswer', () => {
  it('turns an answer into a failed answer to its call, and anything else into nothing', () => {
    const failed = tooDeepAnswer({ jsonrpc: '2.0', id: 'a', result: {} }, 'svc') as { id: string; error: { data: unknown } };
    expect(failed.id).toBe('a');
    expect(SwitchboardError.is(failed.error.data) && failed.error.data.link?.kind).toBe('protocol');
    expect(tooDeepAnswer({ jsonrpc: '2.0', method: 'notifications/message', params: {} }, 'svc')).toBeUndefined();
    expect(tooDeepAnswer({ jsonrpc: '2.0', id: 3, method: 'sampling/createMessage' }, 'svc')).toBeUndefined();
  });
});
