// Checks every HTTP request passes before it reaches a session: Host and Origin against DNS
// rebinding, and a bounded body read. Credentials are access/authenticate.ts's.
import type { IncomingMessage } from 'node:http';

export function isLoopbackHost(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '[::1]' || host.startsWith('127.');
}

/** Hosts a loopback bind answers to by default: a DNS-rebound name would not be one of them. */
export function defaultAllowedHosts(host: string, port: number): string[] {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]', host.includes(':') && !host.startsWith('[') ? `[${host}]` : host]);
  return [...names].flatMap((n) => [n, `${n}:${port}`]);
}

export function defaultAllowedOrigins(hosts: readonly string[]): string[] {
  return hosts.flatMap((h) => [`http://${h}`, `https://${h}`]);
}

export class BodyTooLargeError extends Error {}

/**
 * The body, refused past `maxBytes`. Listeners, not `for await`: the async iterator costs a
 * readable's iterator, a promise per chunk and its teardown, which a profile of the 2026-07-28
 * call path put at a fiftieth of the gateway's CPU per call. Past the bound nothing more is kept;
 * the caller answers 413 and closes the connection.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(new BodyTooLargeError());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      chunks.length = 0;
      done();
      reject(new BodyTooLargeError());
    };
    const onEnd = (): void => {
      done();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    };
    // A request cut off mid-body (the client left, the connection was dropped) emits 'error'
    // ("aborted"), never 'end'.
    const onError = (error: Error): void => {
      done();
      reject(error);
    };
    const done = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
