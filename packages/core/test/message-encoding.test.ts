import { describe, expect, it } from 'vitest';
import { SwitchboardError, encodeMessage, isServiceFailure, type JsonRpcMessage } from '../src/index.js';

const call = (args: unknown): JsonRpcMessage => ({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 't', arguments: args } });

function deep(depth: number): unknown {
  let v: unknown = [];
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe('encodeMessage', () => {
  it('encodes what JSON can carry, as JSON.stringify does', () => {
    const message = call({ text: 'hi', n: [1, { a: null }] });
    expect(encodeMessage(message)).toBe(JSON.stringify(message));
  });

  it("fails what JSON cannot carry as the caller's error, never as a service failure", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const [args, why] of [
      [deep(200_000), /nested too deeply/],
      [{ n: 10n }, /BigInt/],
      [cyclic, /circular/i],
    ] as const) {
      let thrown: unknown;
      try {
        encodeMessage(call(args));
      } catch (error) {
        thrown = error;
      }
      expect(SwitchboardError.is(thrown)).toBe(true);
      expect(thrown).toMatchObject({ code: 'INVALID_REQUEST' });
      expect((thrown as Error).message).toMatch(why);
      expect(isServiceFailure(thrown)).toBe(false);
    }
  });
});
