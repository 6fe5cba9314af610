// Messages sent in one turn of the event loop reach the child in one write. A real child process
// answers each request with the number of the stdin read that brought it.
import { afterEach, describe, expect, it } from 'vitest';
import { BoundedStdioClientTransport } from '../src/index.js';

// Answers every request line with {chunk: n}, n counting the reads of stdin.
const CHILD = `
let chunk = 0, buffer = '';
process.stdin.on('data', (d) => {
  chunk++;
  buffer += d;
  let nl;
  while ((nl = buffer.indexOf('\\n')) !== -1) {
    const m = JSON.parse(buffer.slice(0, nl));
    buffer = buffer.slice(nl + 1);
    process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id: m.id, result: { chunk } }) + '\\n');
  }
});`;

let transport: BoundedStdioClientTransport | undefined;
afterEach(async () => {
  await transport?.close();
  transport = undefined;
});

describe('BoundedStdioClientTransport', () => {
  it('writes the messages of one turn in one write, in order, and the next turn in another', async () => {
    transport = new BoundedStdioClientTransport({ command: process.execPath, args: ['-e', CHILD], env: { ...process.env } as Record<string, string>, maxMessageBytes: 1 << 20, onStderrLine: () => {}, onTooLarge: () => {} });
    const answers = new Map<number, number>();
    const all = (n: number) =>
      new Promise<void>((resolve) => {
        transport!.onmessage = (m) => {
          const { id, result } = m as unknown as { id: number; result: { chunk: number } };
          answers.set(id, result.chunk);
          if (answers.size === n) resolve();
        };
      });
    await transport.start();
    // Count what the child's stdin hands the operating system: a write per _write, or one for many chunks per _writev.
    const stdin = (transport as unknown as { child: { stdin: { _write: Function; _writev: Function } } }).child.stdin;
    const writes: number[] = [];
    const { _write, _writev } = stdin;
    stdin._write = function (this: unknown, ...args: unknown[]) {
      writes.push(1);
      return _write.apply(this, args);
    };
    stdin._writev = function (this: unknown, chunks: unknown[], ...rest: unknown[]) {
      writes.push(chunks.length);
      return _writev.call(this, chunks, ...rest);
    };
    // 20 requests of ~80 bytes: under PIPE_BUF together, so one write arrives as one read.
    const first = all(20);
    for (let id = 0; id < 20; id++) void transport.send({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { text: 'x'.repeat(20) } } });
    await first;
    expect(writes).toEqual([20]);
    expect(new Set(answers.values())).toEqual(new Set([1]));
    expect([...answers.keys()]).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const second = all(21);
    void transport.send({ jsonrpc: '2.0', id: 20, method: 'ping' });
    await second;
    expect(answers.get(20)).toBe(2);
    expect(writes).toEqual([20, 1]);
  });

  it('reports a line that is not a JSON object and reads on; hands on an object as read, for the SDK to judge', async () => {
    const lines = ['not json', '[1]', '"text"', 'null', '{"not":"jsonrpc"}', '{"jsonrpc":"2.0","id":1,"result":{"n":1}}'];
    const child = `for (const line of ${JSON.stringify(lines)}) process.stdout.write(line + '\\n'); process.stdin.on('end', () => process.exit(0)).resume();`;
    transport = new BoundedStdioClientTransport({ command: process.execPath, args: ['-e', child], env: { ...process.env } as Record<string, string>, maxMessageBytes: 1 << 20, onStderrLine: () => {}, onTooLarge: () => {} });
    const errors: string[] = [];
    const messages: unknown[] = [];
    const done = new Promise<void>((resolve) => {
      transport!.onerror = (error) => errors.push(error.message);
      transport!.onmessage = (message) => {
        messages.push(message);
        if (messages.length === 2) resolve();
      };
    });
    await transport.start();
    await done;
    expect(messages).toEqual([{ not: 'jsonrpc' }, { jsonrpc: '2.0', id: 1, result: { n: 1 } }]);
    expect(errors).toHaveLength(4);
    expect(errors.slice(1)).toEqual(['[1]', '"text"', 'null'].map((line) => `the upstream wrote a line that is not a JSON-RPC message: ${line}`));
  });
});
