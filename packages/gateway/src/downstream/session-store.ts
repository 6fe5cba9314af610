// What a client session changes after initialize (its log level, its resource subscriptions, and
// whether it ended), shared by gateway instances that serve it. The session token carries what
// initialize fixed; it cannot carry this, because Streamable HTTP gives a session one id for life.
// Updated atomically on change (rare: setLevel, subscribe, unsubscribe, DELETE) so that two
// instances changing one session do not overwrite each other, read when an instance resumes a
// session, and pushed to every instance through `watch`; never read on other requests.
import { type JSONRPCMessage, type LoggingLevel } from '../sdk/mcp.js';

export interface SharedSessionState {
  readonly level?: LoggingLevel;
  /** Resource URIs the client subscribed to. */
  readonly subscriptions: readonly string[];
  /** The client ended the session (DELETE) on some instance. */
  readonly ended?: boolean;
}

/** One thing a client changed, applied to the stored state by whichever instance served it. */
export type SessionStateChange = { level: LoggingLevel } | { subscribe: string } | { unsubscribe: string } | { ended: true };

export function applyChange(state: SharedSessionState | undefined, change: SessionStateChange): SharedSessionState {
  const current = state ?? { subscriptions: [] };
  if ('ended' in change) return { subscriptions: [], ended: true };
  if ('level' in change) return { ...current, level: change.level };
  if ('subscribe' in change) return current.subscriptions.includes(change.subscribe) ? current : { ...current, subscriptions: [...current.subscriptions, change.subscribe] };
  return { ...current, subscriptions: current.subscriptions.filter((u) => u !== change.unsubscribe) };
}

export interface SessionStateStore {
  load(sid: string): Promise<SharedSessionState | undefined>;
  /**
   * Read, change and write one session's state as one step (compare-and-set): a change another
   * instance made meanwhile is kept, not overwritten. Kept at least `ttlMs` (the token's maximum
   * age), then it may be forgotten. Resolves with the state written.
   */
  update(sid: string, change: (current: SharedSessionState | undefined) => SharedSessionState, ttlMs: number): Promise<SharedSessionState>;
  /** Every change by any instance, this one included. Returns the way to stop listening. */
  watch(listener: (sid: string, state: SharedSessionState) => void): () => void;
  /**
   * Pass a client's answer to the instance that asked (sampling, elicitation, roots): the load
   * balancer may hand the answer to any instance. Optional: without it such answers are lost, and a
   * deployment that uses them needs affinity.
   */
  relay?(instance: string, sid: string, answer: JSONRPCMessage): Promise<void>;
  /** Answers relayed to this instance. Returns the way to stop listening. */
  onRelay?(instance: string, listener: (sid: string, answer: JSONRPCMessage) => void): () => void;
  close(): Promise<void>;
}

/**
 * A store for instances in one process (tests, or several listeners in one server). Instances in
 * different processes need a shared one: `createEtcdSessionStore`, or your own implementation.
 */
export function createMemorySessionStore(): SessionStateStore {
  const entries = new Map<string, { state: SharedSessionState; expires: number }>();
  const listeners = new Set<(sid: string, state: SharedSessionState) => void>();
  const relays = new Map<string, (sid: string, answer: JSONRPCMessage) => void>();
  return {
    async load(sid) {
      const entry = entries.get(sid);
      if (entry && entry.expires < Date.now()) entries.delete(sid);
      return entry && entry.expires >= Date.now() ? entry.state : undefined;
    },
    async update(sid, change, ttlMs) {
      const now = Date.now();
      for (const [k, e] of entries) if (e.expires < now) entries.delete(k);
      // One synchronous step: nothing else runs between the read and the write.
      const state = change(entries.get(sid)?.state);
      entries.set(sid, { state, expires: now + ttlMs });
      for (const l of listeners) l(sid, state);
      return state;
    },
    watch(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    async relay(instance, sid, answer) {
      relays.get(instance)?.(sid, answer);
    },
    onRelay(instance, listener) {
      relays.set(instance, listener);
      return () => void (relays.get(instance) === listener && relays.delete(instance));
    },
    async close() {
      listeners.clear();
      relays.clear();
    },
  };
}

export function sameState(a: SharedSessionState | undefined, b: SharedSessionState): boolean {
  if (!a || a.level !== b.level || Boolean(a.ended) !== Boolean(b.ended) || a.subscriptions.length !== b.subscriptions.length) return false;
  const set = new Set(a.subscriptions);
  return b.subscriptions.every((u) => set.has(u));
}
