// The access token an OAuth identity presented, kept beside the identity and never inside it: an
// identity is logged, audited and sealed into tokens, the subject token must not be. Only the token
// exchange reads it, to trade it for an upstream's own token (RFC 8693), never to pass it on.
import type { Identity } from './identity.js';

const tokens = new WeakMap<Identity, string>();

export function bindSubjectToken(identity: Identity, token: string): Identity {
  tokens.set(identity, token);
  return identity;
}

export function subjectTokenOf(identity: Identity): string | undefined {
  return tokens.get(identity);
}
