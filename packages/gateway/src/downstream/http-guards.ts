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

export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw new BodyTooLargeError();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new BodyTooLargeError();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
