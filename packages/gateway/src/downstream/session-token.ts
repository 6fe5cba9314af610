// Session tokens: the Mcp-Session-Id the HTTP gateway hands out is the session's initialize-time
// state (client capabilities, client info, protocol version), encrypted and authenticated with
// AES-256-GCM. Any gateway instance holding the same secret can open it and resume the session, so
// several instances can sit behind a plain load balancer without sticky sessions or a shared store
// on the request path. Clients see an opaque string, as the spec asks; a token that was altered, or
// made with another secret, does not open.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { type ClientCapabilities, type Implementation } from '../sdk/mcp.js';
import { SwitchboardError } from '@switchboard/core';

/** What a token carries: enough to re-create the session's SDK Server on another instance. */
export interface SessionSeed {
  /** Stable id of the logical session, shared by every instance that serves it (logs, state store). */
  readonly sid: string;
  /** Issued at, ms since the epoch. */
  readonly iat: number;
  readonly protocolVersion: string;
  readonly capabilities: ClientCapabilities;
  readonly clientInfo: Implementation;
  /** The credential that opened the session (a digest, see http-guards.ts); only it may use the session. */
  readonly cred: string;
}

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const AAD = Buffer.from('switchboard-mcp-session-v1');
/** Secrets shorter than this are refused at start-up: the key is only as strong as the secret. */
export const MIN_SECRET_LENGTH = 32;

export interface SessionTokensOptions {
  /**
   * Secrets shared by every instance; the first encrypts, all decrypt (so a new secret can be rolled
   * out before the old one is retired). None: a random key, so tokens only open on this process.
   */
  secrets?: readonly string[];
  /** A token older than this no longer opens, whatever happened on other instances (default 24 h). */
  maxAgeMs?: number;
}

export class SessionTokens {
  private readonly keys: Buffer[];
  private readonly maxAgeMs: number;
  /** True when tokens open on other instances configured with the same secret. */
  readonly portable: boolean;

  constructor(options: SessionTokensOptions = {}) {
    const secrets = options.secrets ?? [];
    secrets.forEach((s, i) => {
      if (s.length < MIN_SECRET_LENGTH) {
        throw new SwitchboardError('CONFIG_INVALID', `gateway.sessionSecret[${i}]: a session secret must be at least ${MIN_SECRET_LENGTH} characters`, { plugin: 'gateway' });
      }
    });
    // HKDF turns a passphrase-like secret into a uniform key; the salt names the purpose so the same
    // secret used elsewhere never yields this key.
    this.keys = secrets.length > 0 ? secrets.map((s) => Buffer.from(hkdfSync('sha256', s, 'switchboard', 'mcp-session-token', 32))) : [randomBytes(32)];
    this.maxAgeMs = options.maxAgeMs ?? 24 * 60 * 60_000;
    this.portable = secrets.length > 0;
  }


  issue(seed: Omit<SessionSeed, 'sid' | 'iat'>, now = Date.now()): { token: string; seed: SessionSeed } {
    const full: SessionSeed = { sid: randomBytes(16).toString('base64url'), iat: now, ...seed };
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys[0]!, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(AAD);
    const body = Buffer.concat([cipher.update(JSON.stringify(full), 'utf8'), cipher.final()]);
    const token = Buffer.concat([Buffer.from([VERSION]), iv, body, cipher.getAuthTag()]).toString('base64url');
    return { token, seed: full };
  }

  /** The seed inside a token, or undefined if it is malformed, forged, from another secret, or too old. */
  open(token: string, now = Date.now()): SessionSeed | undefined {
    if (token.length > 8192 || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
    const raw = Buffer.from(token, 'base64url');
    if (raw.length < 1 + IV_BYTES + TAG_BYTES + 2 || raw[0] !== VERSION) return undefined;
    const iv = raw.subarray(1, 1 + IV_BYTES);
    const tag = raw.subarray(raw.length - TAG_BYTES);
    const body = raw.subarray(1 + IV_BYTES, raw.length - TAG_BYTES);
    for (const key of this.keys) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(AAD);
        decipher.setAuthTag(tag);
        const seed = parseSeed(Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8'));
        if (!seed || now - seed.iat > this.maxAgeMs || seed.iat - now > 60_000) return undefined;
        return seed;
      } catch {
        // Not this key: try the next one.
      }
    }
    return undefined;
  }
}

function parseSeed(text: string): SessionSeed | undefined {
  const v = JSON.parse(text) as Partial<SessionSeed> | null;
  if (!v || typeof v.sid !== 'string' || typeof v.iat !== 'number' || typeof v.protocolVersion !== 'string') return undefined;
  if (typeof v.cred !== 'string') return undefined;
  if (typeof v.capabilities !== 'object' || v.capabilities === null || typeof v.clientInfo !== 'object' || v.clientInfo === null) return undefined;
  return v as SessionSeed;
}
