// The bounded line splitter under the stdio transport, and how an oversized answer's id is found.
import { describe, expect, it } from 'vitest';
import { answeredId, LineReader, type OversizedLine } from '../src/index.js';

function reader(maxLineBytes: number) {
  const lines: string[] = [];
  const oversized: OversizedLine[] = [];
  const overflows: number[] = [];
  const r = new LineReader({ maxLineBytes, keepBytes: 8, onLine: (l) => lines.push(l), onOversized: (l) => oversized.push(l), onOverflow: (_h, n) => overflows.push(n) });
  return { r, lines, oversized, overflows };
}

describe('LineReader', () => {
  it('splits lines across chunks and strips CR', () => {
    const { r, lines } = reader(100);
    r.push(Buffer.from('ab'));
    r.push(Buffer.from('c\r\nde\nf'));
    r.push(Buffer.from('g\n'));
    expect(lines).toEqual(['abc', 'de', 'fg']);
  });

  it('drops a line over the limit while reading it, keeps its head and tail, and reads on', () => {
    const { r, lines, oversized, overflows } = reader(10);
    r.push(Buffer.from('0123456789'));
    expect(overflows).toEqual([]);
    r.push(Buffer.from('ABCDEF'));
    expect(overflows).toEqual([16]); // said at once, not at the newline
    for (let i = 0; i < 1000; i++) r.push(Buffer.from('x'.repeat(100)));
    r.push(Buffer.from('tail-end\nnext\n'));
    expect(oversized).toEqual([{ size: 16 + 100_000 + 8, head: '01234567', tail: 'tail-end' }]);
    expect(lines).toEqual(['next']);
  });
});

describe('answeredId', () => {
  it('reads a top-level id written last (SDK order) or first, never a nested one', () => {
    expect(answeredId({ size: 0, head: '{"result":{"content":[{"type":"text","text":"aaa', tail: 'aaa"}]},"jsonrpc":"2.0","id":7}' })).toBe(7);
    expect(answeredId({ size: 0, head: '{"jsonrpc":"2.0","id":"r-1","result":{"x":"aaa', tail: 'aaa"}}' })).toBe('r-1');
    expect(answeredId({ size: 0, head: '{"result":{"items":[{"id":3,"v":"aaa', tail: 'aaa","id":3}]}}' })).toBeUndefined();
    expect(answeredId({ size: 0, head: '{"jsonrpc":"2.0","method":"notifications/message","params":{"data":"aaa', tail: 'aaa"}}' })).toBeUndefined();
  });
});
