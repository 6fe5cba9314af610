// The byte-level bound on legacy SSE events: events under the limit pass untouched whatever their
// line endings; one over it errors the stream as soon as the limit is passed.
import { describe, expect, it } from 'vitest';
import { eventSizeGuard } from '../src/event-size-guard.js';

async function run(chunks: string[], limit: number): Promise<{ out: string; error?: Error; sizes: number[] }> {
  const sizes: number[] = [];
  const source = new ReadableStream<Uint8Array>({
    start(c) {
      for (const chunk of chunks) c.enqueue(new TextEncoder().encode(chunk));
      c.close();
    },
  });
  let out = '';
  try {
    for await (const chunk of source.pipeThrough(eventSizeGuard(limit, (n) => sizes.push(n)))) out += new TextDecoder().decode(chunk);
    return { out, sizes };
  } catch (error) {
    return { out, error: error as Error, sizes };
  }
}

describe('eventSizeGuard', () => {
  it('passes events under the limit with LF, CRLF and CR line ends', async () => {
    const events = ['data: 12345\n\n', 'data: 12345\r\n\r\n', 'data: 12345\r\r'];
    const { out, error } = await run([events.join(''), events.join('')], 20);
    expect(error).toBeUndefined();
    expect(out).toBe(events.join('').repeat(2));
  });

  it('errors the stream on an event over the limit, split across chunks', async () => {
    const { error, sizes } = await run(['data: ok\n\n', 'data: ', 'x'.repeat(30), 'x'.repeat(30), '\n\n'], 40);
    expect(error?.message).toMatch(/more than 40 bytes/);
    expect(sizes[0]).toBeGreaterThan(40);
  });
});
