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

// Hashing first makes lengths equal, so a constant-time compare reveals nothing through timing.
const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Who a request authenticated as: a stable, non-secret name for the credential it presented
 * (a digest, never the secret), `anonymous` when auth is off, or undefined when it presented none
 * that is accepted. Sessions are bound to it, so another valid credential cannot use or end them.
 */
export type Authenticator = (req: IncomingMessage) => string | undefined;

export const ANONYMOUS = 'anonymous';

/** The name a credential is known by: a digest, so it can sit in logs and session tokens. */
function credentialName(kind: 'bearer' | 'key', secret: Buffer): string {
  return `${kind}:${createHash('sha256').update(kind).update(secret).digest('base64url').slice(0, 22)}`;
}

/** Constant-time lookup: every secret is compared, whichever matches. */
function matchSecret(secrets: readonly Buffer[], candidate: string): number {
  const d = digest(candidate);
  let found = -1;
  secrets.forEach((s, i) => {
    if (timingSafeEqual(s, d) && found === -1) found = i;
  });
  return found;
}

export function createAuthenticator(auth: HttpAuthOptions | undefined): Authenticator {
  const bearer = (auth?.bearerTokens ?? []).map(digest);
  const keys = (auth?.apiKeys ?? []).map(digest);
  if (bearer.length === 0 && keys.length === 0) return () => ANONYMOUS;
  const bearerNames = bearer.map((b) => credentialName('bearer', b));
  const keyNames = keys.map((k) => credentialName('key', k));
  const header = (auth?.apiKeyHeader ?? 'x-api-key').toLowerCase();
  return (req) => {
    const authorization = req.headers.authorization;
    if (bearer.length > 0 && typeof authorization === 'string') {
      const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
      const i = match ? matchSecret(bearer, match[1]!) : -1;
      if (i !== -1) return bearerNames[i];
    }
    const key = req.headers[header];
    if (keys.length === 0 || typeof key !== 'string') return undefined;
    const i = matchSecret(keys, key);
    return i === -1 ? undefined : keyNames[i];
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
