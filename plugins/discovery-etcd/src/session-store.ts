// A session state store on etcd, for gateway instances in several processes behind one load
// balancer (see @switchboard/gateway's SessionStateStore). One key per client session under a
// prefix, leased for the token's lifetime so etcd forgets it on its own; every instance watches the
// prefix, so a change made through one instance reaches the others within a watch round trip.
// Answers a client gave one instance for another's request are relayed under `<prefix>relay/`.
// It matches the gateway's interface by shape: this package does not depend on the gateway.
import { randomBytes } from 'node:crypto';
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

export interface EtcdSessionStore<S, M = unknown> {
  load(sid: string): Promise<S | undefined>;
  /** Compare-and-set: re-read and re-apply `change` if another writer got in between. */
  update(sid: string, change: (current: S | undefined) => S, ttlMs: number): Promise<S>;
  watch(listener: (sid: string, state: S) => void): () => void;
  relay(instance: string, sid: string, message: M): Promise<void>;
  onRelay(instance: string, listener: (sid: string, message: M) => void): () => void;
  close(): Promise<void>;
}

/** Writers racing on one session's key retry this often, after a short random pause, before giving up. */
const MAX_UPDATE_ATTEMPTS = 20;

/** A relayed answer is picked up within milliseconds; the lease only clears what nobody took. */
const RELAY_TTL_SECONDS = 60;

export const DEFAULT_SESSION_PREFIX = '/switchboard/sessions/';

export function createEtcdSessionStore<S, M = unknown>(options: EtcdSessionStoreOptions): EtcdSessionStore<S, M> {
  const prefix = options.prefix ?? DEFAULT_SESSION_PREFIX;
  const client: Etcd3 = createEtcdClient({ endpoints: options.endpoints, auth: options.auth });
  const listeners = new Set<(sid: string, state: S) => void>();
  let watcher: Promise<Watcher> | undefined;
  const relayWatchers = new Set<Promise<Watcher>>();
  let closed = false;

  const parse = <T>(kv: IKeyValue): T | undefined => {
    try {
      return JSON.parse(kv.value.toString('utf8')) as T;
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
          const sid = kv.key.toString('utf8').slice(prefix.length);
          if (sid.includes('/')) return; // a relayed answer, not a session's state
          const state = parse<S>(kv);
          if (state === undefined) return;
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
      return first ? parse<S>(first) : undefined;
    },
    async update(sid, change, ttlMs) {
      const key = prefix + sid;
      for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
        const kv = (await client.get(key).exec()).kvs[0];
        const next = change(kv ? parse<S>(kv) : undefined);
        // A lease per write: writes are rare (setLevel, subscribe, DELETE), and each outlives the
        // token that could still ask for it by at most its own TTL.
        const lease = client.lease(Math.max(1, Math.ceil(ttlMs / 1000)), { autoKeepAlive: false });
        lease.on('lost', () => undefined); // expiry is the point
        const written = await client
          .if(key, 'Mod', '==', kv ? kv.mod_revision : 0) // 0: the key does not exist yet
          .then(client.put(key).value(JSON.stringify(next)).lease(await lease.grant()))
          .commit();
        if (written.succeeded) return next;
        await lease.revoke().catch(() => undefined);
        // Full jitter, so racing writers stop colliding in lockstep.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 ** attempt)));
      }
      throw new Error(`session ${sid}: gave up after ${MAX_UPDATE_ATTEMPTS} conflicting writes`);
    },
    watch(listener) {
      listeners.add(listener);
      startWatch();
      return () => void listeners.delete(listener);
    },
    async relay(instance, sid, message) {
      const lease = client.lease(RELAY_TTL_SECONDS, { autoKeepAlive: false });
      lease.on('lost', () => undefined);
      await lease.put(`${prefix}relay/${instance}/${sid}/${randomBytes(8).toString('hex')}`).value(JSON.stringify(message));
    },
    onRelay(instance, listener) {
      const base = `${prefix}relay/${instance}/`;
      const created = client.watch().prefix(base).create();
      relayWatchers.add(created);
      let stopped = false;
      created
        .then((w) => {
          w.on('put', (kv) => {
            if (stopped) return;
            const key = kv.key.toString('utf8');
            const sid = key.slice(base.length).split('/')[0]!;
            const message = parse<M>(kv);
            // Taken: delete it so a restarted watch does not deliver it twice.
            void client.delete().key(key).exec().catch((error: unknown) => options.onError?.(error));
            if (message !== undefined) listener(sid, message);
          });
          w.on('error', (error) => options.onError?.(error));
        })
        .catch((error: unknown) => options.onError?.(error));
      return () => {
        stopped = true;
        relayWatchers.delete(created);
        void created.then((w) => w.cancel()).catch(() => undefined);
      };
    },
    async close() {
      closed = true;
      listeners.clear();
      const all = [watcher, ...relayWatchers];
      relayWatchers.clear();
      for (const pending of all) {
        const w = await pending?.catch(() => undefined);
        await w?.cancel().catch(() => undefined);
      }
      client.close();
    },
  };
}
