import { Writable } from 'node:stream';
import { setImmediate as turn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { batchThisTurn, flushBatch } from '../src/write-batching.js';

/** A stream that records each write it is asked to make: its chunks, as one entry per system call would be. */
function recorder() {
  const writes: string[][] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      writes.push([String(chunk)]);
      done();
    },
    writev(chunks, done) {
      writes.push(chunks.map((c) => String(c.chunk)));
      done();
    },
  });
  return { stream, writes };
}

describe('batchThisTurn', () => {
  it('sends what one turn wrote as one write, in order, and the next turn as another', async () => {
    const { stream, writes } = recorder();
    for (const m of ['a', 'b', 'c']) {
      batchThisTurn(stream);
      stream.write(m);
    }
    expect(writes).toEqual([]);
    await turn();
    expect(writes).toEqual([['a', 'b', 'c']]);
    batchThisTurn(stream);
    stream.write('d');
    await turn();
    expect(writes).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('flushes at once when asked, and only once', async () => {
    const { stream, writes } = recorder();
    batchThisTurn(stream);
    stream.write('x');
    stream.write('y');
    flushBatch(stream);
    expect(writes).toEqual([['x', 'y']]);
    flushBatch(stream);
    await turn();
    // Not corked any more: a write goes straight out.
    stream.write('z');
    expect(writes).toEqual([['x', 'y'], ['z']]);
  });
});
