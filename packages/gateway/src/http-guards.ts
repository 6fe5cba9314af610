// Checks every HTTP request passes before it reaches a session: Host and Origin against DNS
// rebinding, credentials (compared in constant time), and a bounded body read.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface HttpAuthOptions {
  /** Accepted `Authorization: Bearer <token>` values. */
  bearerTokens?: readonly string[];
  /** Header carrying an API key (default 'x-api-key'). */
  apiKeyHeader?: string;
  apiKeys?: readonly string[];
}

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

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Constant-time membership: hashing first makes lengths equal, so timing reveals nothing. */
function includesSecret(secrets: readonly Buffer[], candidate: string): boolean {
  const d = digest(candidate);
  let found = false;
  for (const s of secrets) found = timingSafeEqual(s, d) || found;
  return found;
}

export type Authenticator = (req: IncomingMessage) => boolean;

export function createAuthenticator(auth: HttpAuthOptions | undefined): Authenticator {
  const bearer = (auth?.bearerTokens ?? []).map(digest);
  const keys = (auth?.apiKeys ?? []).map(digest);
  if (bearer.length === 0 && keys.length === 0) return () => true;
  const header = (auth?.apiKeyHeader ?? 'x-api-key').toLowerCase();
  return (req) => {
    const authorization = req.headers.authorization;
    if (bearer.length > 0 && typeof authorization === 'string') {
      const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
      if (match && includesSecret(bearer, match[1]!)) return true;
    }
    const key = req.headers[header];
    return keys.length > 0 && typeof key === 'string' && includesSecret(keys, key);
  };
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
