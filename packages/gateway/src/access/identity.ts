// Who a request is: what every access decision (policy, rate limits, session binding, audit) keys
// on, whichever way the client authenticated. Never holds a secret: the key of a static credential is
// a digest, and a JWT's identity is its issuer and subject.

export type AuthMethod = 'anonymous' | 'bearer' | 'api-key' | 'oauth' | 'local';

export interface Identity {
  /**
   * Stable and non-secret: legacy sessions are bound to it (another identity cannot use or end them),
   * and per-identity rate limits count on it. A refreshed OAuth token of the same subject keeps it.
   */
  readonly key: string;
  readonly method: AuthMethod;
  /** The principal: a JWT's `sub`, or the name config gives a static credential. */
  readonly subject?: string;
  /** The OAuth client the token was issued to (`client_id` or `azp`). */
  readonly clientId?: string;
  readonly scopes: readonly string[];
  /** A JWT's claims (or a static credential's configured claims); empty otherwise. */
  readonly claims: Readonly<Record<string, unknown>>;
}

/** Auth off over HTTP: every client is this one. */
export const ANONYMOUS_IDENTITY: Identity = Object.freeze({ key: 'anonymous', method: 'anonymous', scopes: [], claims: {} });

/** The one local client of a stdio gateway (whoever started the process). */
export const LOCAL_IDENTITY: Identity = Object.freeze({ key: 'local', method: 'local', subject: 'local', scopes: [], claims: {} });

/** An identity for logs and audit lines: what names it, nothing secret. */
export function describeIdentity(identity: Identity): { key: string; method: AuthMethod; subject?: string; clientId?: string } {
  return {
    key: identity.key,
    method: identity.method,
    ...(identity.subject !== undefined ? { subject: identity.subject } : {}),
    ...(identity.clientId !== undefined ? { clientId: identity.clientId } : {}),
  };
}
