import { describe, expect, it } from 'vitest';
import { SseParser, type SseEvent } from '../src/sse-parser.js';

function parse(chunks: readonly string[]): { events: SseEvent[]; retries: number[]; parser: SseParser } {
  const events: SseEvent[] = [];
  const retries: number[] = [];
  const parser = new SseParser(
    (e) => void events.push(e),
    (ms) => void retries.push(ms),
  );
  for (const c of chunks) parser.push(c);
  return { events, retries, parser };
}

/** Every way of cutting `text` in two, plus one character at a time. */
function splits(text: string): string[][] {
  const out: string[][] = [[text], [...text]];
  for (let i = 1; i < text.length; i++) out.push([text.slice(0, i), text.slice(i)]);
  return out;
}

describe('SseParser', () => {
  it('parses event, data, id and dispatches on a blank line', () => {
    const { events } = parse(['event: message\ndata: {"a":1}\nid: 5\n\n']);
    expect(events).toEqual([{ event: 'message', data: '{"a":1}', id: '5' }]);
  });

  it('joins multi-line data with \\n', () => {
    const { events } = parse(['data: one\ndata: two\ndata:three\n\n']);
    expect(events).toEqual([{ event: undefined, data: 'one\ntwo\nthree', id: undefined }]);
  });

  it('gives the same events however the stream is cut, with LF, CRLF or CR line ends', () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      const text = [': keepalive', '', 'event: message', 'data: {"x":', 'data: 2}', '', 'data: second', 'id: 9', '', ''].join(eol);
      for (const chunks of splits(text)) {
        const { events } = parse(chunks);
        expect(events, JSON.stringify({ eol, chunks })).toEqual([
          { event: 'message', data: '{"x":\n2}', id: undefined },
          { event: undefined, data: 'second', id: '9' },
        ]);
      }
    }
  });

  it('ignores comments and events without data, but keeps their id', () => {
    const { events, parser } = parse([': ping\n\nid: prime\n\n: another\n\n']);
    expect(events).toEqual([]);
    expect(parser.lastEventId).toBe('prime');
  });

  it('carries the last event id over to later events', () => {
    const { events } = parse(['id: 1\ndata: a\n\ndata: b\n\n']);
    expect(events.map((e) => e.id)).toEqual(['1', '1']);
  });

  it('dispatches an empty data line as empty data (the transport skips it)', () => {
    expect(parse(['data:\n\n']).events).toEqual([{ event: undefined, data: '', id: undefined }]);
  });

  it('strips exactly one space after the colon, and handles a field with no colon', () => {
    const { events } = parse(['data:  two spaces\ndata\n\n']);
    expect(events[0]!.data).toBe(' two spaces\n');
  });

  it('reports valid retry values and ignores invalid ones and unknown fields', () => {
    const { events, retries } = parse(['retry: 2500\nretry: soon\nfoo: bar\ndata: x\n\n']);
    expect(retries).toEqual([2500]);
    expect(events).toEqual([{ event: undefined, data: 'x', id: undefined }]);
  });

  it('drops an event the stream never terminated, and a leading BOM', () => {
    expect(parse(['\ufeffdata: done\n\ndata: half']).events).toEqual([{ event: undefined, data: 'done', id: undefined }]);
  });

  it('resets the event type between events', () => {
    const { events } = parse(['event: endpoint\ndata: /x\n\ndata: y\n\n']);
    expect(events.map((e) => e.event)).toEqual(['endpoint', undefined]);
  });

  it('handles a large event arriving in many chunks without line ends', () => {
    const payload = 'x'.repeat(100_000);
    const chunks = ['data: '];
    for (let i = 0; i < payload.length; i += 1000) chunks.push(payload.slice(i, i + 1000));
    chunks.push('\n\n');
    expect(parse(chunks).events).toEqual([{ event: undefined, data: payload, id: undefined }]);
  });
});
