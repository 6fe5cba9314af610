// readBody on a real loopback server: a body sent in chunks (no Content-Length) is read whole,
// refused past its bound, and a client leaving mid-body ends the read instead of leaving it hanging.
import { once } from 'node:events';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { BodyTooLargeError, readBody } from '../src/downstream/http-guards.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A server whose handler reads each body with `max`; resolves with what readBody gave. */
async function serve(max: number, onRequest?: (req: IncomingMessage) => void): Promise<{ port: number; outcome: Promise<Buffer | Error> }> {
  let settle!: (v: Buffer | Error) => void;
  const outcome = new Promise<Buffer | Error>((r) => (settle = r));
  const server = createServer((req: IncomingMessage, res) => {
    onRequest?.(req);
    readBody(req, max).then(
      (body) => (settle(body), res.end('ok')),
      (error: Error) => (settle(error), req.resume(), res.writeHead(413, { connection: 'close' }).end()),
    );
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as { port: number }).port, outcome };
}

function post(port: number, chunks: string[], end = true): ReturnType<typeof request> {
  const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/' });
  req.on('error', () => undefined);
  for (const c of chunks) req.write(c);
  if (end) req.end();
  return req;
}

describe('readBody', () => {
  it('reads a chunked body whole', async () => {
    const { port, outcome } = await serve(1_000);
    post(port, ['{"a":', '"b"', '}']);
    expect(String(await outcome)).toBe('{"a":"b"}');
  });

  it('refuses a chunked body past its bound, and the client gets the 413', async () => {
    const { port, outcome } = await serve(1_000);
    const req = post(port, ['x'.repeat(600), 'x'.repeat(600)]);
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    expect(await outcome).toBeInstanceOf(BodyTooLargeError);
    expect(res.statusCode).toBe(413);
  });

  it('ends when the client goes away mid-body', async () => {
    const { port, outcome } = await serve(1_000);
    const req = post(port, ['{"a":'], false);
    await new Promise((r) => setTimeout(r, 50));
    req.destroy();
    const error = await outcome;
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(BodyTooLargeError);
  });

  it('ends when the server drops the connection mid-body (a request timeout), which no error event tells', async () => {
    const { port, outcome } = await serve(1_000, (req) => setTimeout(() => req.socket.destroy(), 50));
    post(port, ['{"a":'], false);
    const error = await outcome;
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(BodyTooLargeError);
  });
});
