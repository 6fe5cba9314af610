// A session state store on etcd, for gateway instances in several processes behind one load
// balancer (see @switchboard/gateway's SessionStateStore). One key per client session under a
// prefix, leased for the token's lifetime so etcd forgets it on its own; every instance watches the
// prefix, so a change made through one instance reaches the others within a watch round trip.
// It matches the gateway's interface by shape: this package does not depend on the gateway.
import type { Etcd3, IKeyValue, Watcher } from 'etcd3';
import { createEtcdClient } from './client.js';
import type { EtcdAuth } from './options.js';

export interface EtcdSessionStoreOptions {
  endpoints: readonly string[];
  /** Default `/switchboard/sessions/`. */
  prefix?: string;
  auth?: EtcdAuth;
  /** Told when the watch fails or a value cannot be read; the store keeps going. */
  onError?: (error: unknown) => void;
}

export interface EtcdSessionStore<S> {
  load(sid: string): Promise<S | undefined>;
  save(sid: string, state: S, ttlMs: number): Promise<void>;
  watch(listener: (sid: string, state: S) => void): () => void;
  close(): Promise<void>;
}

export const DEFAULT_SESSION_PREFIX = '/switchboard/sessions/';

export function createEtcdSessionStore<S>(options: EtcdSessionStoreOptions): EtcdSessionStore<S> {
  const prefix = options.prefix ?? DEFAULT_SESSION_PREFIX;
  const client: Etcd3 = createEtcdClient({ endpoints: options.endpoints, auth: options.auth });
  const listeners = new Set<(sid: string, state: S) => void>();
  let watcher: Promise<Watcher> | undefined;
  let closed = false;

  const parse = (kv: IKeyValue): S | undefined => {
    try {
      return JSON.parse(kv.value.toString('utf8')) as S;
    } catch (error) {
      options.onError?.(error);
      return undefined;
    }
  };

  // One watch for the whole prefix, opened with the first listener.
  const startWatch = (): void => {
    if (watcher || closed) return;
    watcher = client.watch().prefix(prefix).create();
    watcher
      .then((w) => {
        w.on('put', (kv) => {
          const state = parse(kv);
          if (state === undefined) return;
          const sid = kv.key.toString('utf8').slice(prefix.length);
          for (const l of listeners) l(sid, state);
        });
        w.on('error', (error) => options.onError?.(error));
      })
      .catch((error: unknown) => {
        watcher = undefined;
        options.onError?.(error);
      });
  };

  return {
    async load(sid) {
      const kv = await client.get(prefix + sid).exec();
      const first = kv.kvs[0];
      return first ? parse(first) : undefined;
    },
    async save(sid, state, ttlMs) {
      // A lease per write: writes are rare (setLevel, subscribe, DELETE), and each outlives the
      // token that could still ask for it by at most its own TTL.
      const lease = client.lease(Math.max(1, Math.ceil(ttlMs / 1000)), { autoKeepAlive: false });
      lease.on('lost', () => undefined); // expiry is the point; without a listener etcd3 throws
      await lease.put(prefix + sid).value(JSON.stringify(state));
    },
    watch(listener) {
      listeners.add(listener);
      startWatch();
      return () => void listeners.delete(listener);
    },
    async close() {
      closed = true;
      listeners.clear();
      const w = await watcher?.catch(() => undefined);
      await w?.cancel().catch(() => undefined);
      client.close();
    },
  };
}
