// Per-call upstream credentials: for an upstream configured with a token exchange, the call's
// requests to it carry the token exchanged for the caller (read by the router's HTTP transports at
// send time, from an AsyncLocalStorage scoped to the call). Upstreams without one keep the headers
// of their server entry.
import { AsyncLocalStorage } from 'node:async_hooks';
import { SwitchboardError, type Router, type ServiceEntry } from '@switchboard/core';
import { ClientError } from '../downstream/client-error.js';
import type { Identity } from './identity.js';
import { pinOwner } from './tool-pins.js';
import { TokenExchanger, type TokenExchangeConfig } from './token-exchange.js';

/** `gateway.upstreamAuth`: per upstream (its replicaGroup, else its server name). */
export type UpstreamAuthConfig = Readonly<Record<string, { readonly tokenExchange: TokenExchangeConfig }>>;

/** Tokens of one call, per upstream. */
export type CallCredentials = ReadonlyMap<string, string>;

export class UpstreamCredentials {
  private readonly scope = new AsyncLocalStorage<Record<string, string>>();
  private readonly exchanger: TokenExchanger;
  private readonly remove: () => void;

  constructor(
    config: UpstreamAuthConfig,
    private readonly router: Router,
  ) {
    this.exchanger = new TokenExchanger(Object.fromEntries(Object.entries(config).map(([name, c]) => [name, c.tokenExchange])));
    this.remove = router.addRequestHeaders(() => this.scope.getStore());
  }

  /** The tokens a call to these members needs, got before routing (so a refusal is not an upstream failure). */
  async forCall(identity: Identity, members: readonly string[]): Promise<CallCredentials | undefined> {
    const owners = new Set<string>();
    for (const name of members) {
      const entry = this.router.registry.get(name);
      if (entry && this.exchanger.covers(pinOwner(entry))) owners.add(pinOwner(entry));
    }
    if (owners.size === 0) return undefined;
    const tokens = new Map<string, string>();
    try {
      await Promise.all([...owners].map(async (owner) => tokens.set(owner, await this.exchanger.tokenFor(identity, owner))));
    } catch (error) {
      const e = SwitchboardError.is(error) ? error : undefined;
      throw new ClientError(-32603, e?.message ?? 'could not obtain a token for the upstream', { code: 'UPSTREAM_AUTH_FAILED', ...(e?.service ? { service: e.service } : {}) });
    }
    return tokens;
  }

  /** Run one attempt on `entry` with its exchanged token on its requests. */
  run<T>(credentials: CallCredentials | undefined, entry: ServiceEntry, fn: () => Promise<T>): Promise<T> {
    const token = credentials?.get(pinOwner(entry));
    return token === undefined ? fn() : this.scope.run({ authorization: `Bearer ${token}` }, fn);
  }

  close(): void {
    this.remove();
  }
}
