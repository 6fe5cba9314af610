// The `requestState` the gateway hands a 2026-07-28 client with an upstream's `input_required`
// result. The client must echo it on its retry, and the retry must reach the upstream (the replica)
// that asked, with that upstream's own state, even when the strategy would pick another replica, or
// another gateway instance answers the retry. So the gateway seals, with AES-256-GCM under a key
// derived from `gateway.sessionSecret` (the first secret seals, every one opens, as for session
// tokens): the replica's service name, the upstream's state, the request it belongs to (method and
// name, so it cannot be replayed on another request) and an expiry. The client sees an opaque
// string; one that was altered, made with another secret, expired or presented on another request
// does not open, and the SDK's seam answers it with the specification's -32602.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** What a sealed state carries. */
export interface HeldRequestState {
  /** The service (replica) whose input_required this answers. */
  readonly service: string;
  /** The upstream's own requestState, if it gave one. */
  readonly upstream?: string;
  /** The request it belongs to: method and the tool or prompt name, or the resource URI. */
  readonly method: string;
  readonly name: string;
  /** A 2025 upstream's call held on a gateway instance (see held-calls.ts): which call, and which instance holds it. */
  readonly held?: string;
  readonly instance?: string;
  /** The identity (its key) whose request it answers: a retry by anyone else is refused. */
  readonly principal?: string;
  /** The upstream's task the gateway runs for a client that does not take tasks (see task-driver.ts). */
  readonly task?: string;
}

interface Envelope extends HeldRequestState {
  /** Expires at, ms since the epoch. */
  readonly exp: number;
}

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const AAD = Buffer.from('switchboard-mcp-request-state-v1');
/**
 * Longest echoed state we try to open: anything longer is not one of ours. An upstream's own state
 * is inside, and the specification does not bound it, so this is the request body limit's order.
 */
const MAX_STATE_CHARS = 4 * 1024 * 1024;

export type RequestStateRefusal = 'malformed' | 'forged' | 'expired' | 'mismatch';

export class RequestStateSealError extends Error {
  constructor(readonly reason: RequestStateRefusal) {
    super(`requestState refused: ${reason}`);
    this.name = 'RequestStateSealError';
  }
}

export class RequestStateSeal {
  private keys: Buffer[];

  constructor(
    secrets: readonly string[] = [],
    /** How long a client has to answer and retry (default 10 minutes, as the SDK's codec). */
    private readonly ttlMs = 10 * 60_000,
  ) {
    this.keys = deriveKeys(secrets);
  }

  /** Use these secrets from now on (serveHttp hands the gateway its configured session secrets). */
  useSecrets(secrets: readonly string[]): void {
    if (secrets.length > 0) this.keys = deriveKeys(secrets);
  }

  /** `ttlMs`: how long it opens (default the seal's: a client's time to answer; a task handle lives as long as its task). */
  seal(state: HeldRequestState, now = Date.now(), ttlMs = this.ttlMs): string {
    const envelope: Envelope = { ...state, exp: now + ttlMs };
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys[0]!, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(AAD);
    const body = Buffer.concat([cipher.update(JSON.stringify(envelope), 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  /** The state inside, or a RequestStateSealError saying why it does not open. */
  open(sealed: string, now = Date.now()): HeldRequestState {
    if (sealed.length > MAX_STATE_CHARS || !/^[A-Za-z0-9_-]+$/.test(sealed)) throw new RequestStateSealError('malformed');
    const raw = Buffer.from(sealed, 'base64url');
    if (raw.length < 1 + IV_BYTES + TAG_BYTES + 2 || raw[0] !== VERSION) throw new RequestStateSealError('malformed');
    const iv = raw.subarray(1, 1 + IV_BYTES);
    const tag = raw.subarray(raw.length - TAG_BYTES);
    const body = raw.subarray(1 + IV_BYTES, raw.length - TAG_BYTES);
    for (const key of this.keys) {
      let text: string;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(AAD);
        decipher.setAuthTag(tag);
        text = Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
      } catch {
        continue; // another key, or forged
      }
      const envelope = parseEnvelope(text);
      if (!envelope) throw new RequestStateSealError('malformed');
      if (now > envelope.exp) throw new RequestStateSealError('expired');
      const { exp: _exp, ...state } = envelope;
      return state;
    }
    throw new RequestStateSealError('forged');
  }
}

function deriveKeys(secrets: readonly string[]): Buffer[] {
  // Its own HKDF purpose: the same secret never yields the session-token key.
  return secrets.length > 0 ? secrets.map((s) => Buffer.from(hkdfSync('sha256', s, 'switchboard', 'mcp-request-state', 32))) : [randomBytes(32)];
}

function parseEnvelope(text: string): Envelope | undefined {
  try {
    const e = JSON.parse(text) as Partial<Envelope>;
    if (typeof e.service !== 'string' || typeof e.method !== 'string' || typeof e.name !== 'string' || typeof e.exp !== 'number') return undefined;
    for (const k of ['upstream', 'held', 'instance', 'principal', 'task'] as const) if (e[k] !== undefined && typeof e[k] !== 'string') return undefined;
    return e as Envelope;
  } catch {
    return undefined;
  }
}

/** An upstream answer asking for input (2026-07-28 multi round-trip requests). */
export interface InputRequiredAnswer {
  readonly resultType: 'input_required';
  readonly inputRequests?: Record<string, unknown>;
  readonly requestState?: string;
}

export function isInputRequired(result: unknown): result is InputRequiredAnswer {
  return typeof result === 'object' && result !== null && (result as { resultType?: unknown }).resultType === 'input_required';
}
