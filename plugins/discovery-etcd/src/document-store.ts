// One JSON document on etcd that several processes read, change and watch: compare-and-set writes
// (a change is re-applied to the latest value when another writer got in between), and a watch on
// the key. The gateway keeps a fleet's tool pins in one (switchboard serve, `gateway.pins.store`).
// It matches the gateway's PinStorage by shape: this package does not depend on the gateway.
import type { Etcd3, Watcher } from 'etcd3';
import { createEtcdClient } from './client.js';
import type { EtcdAuth } from './options.js';

export interface EtcdDocumentStoreOptions {
  endpoints: readonly string[];
  key: string;
  auth?: EtcdAuth;
  /** Told when the watch fails or a stored value is not JSON; the store keeps going. */
  onError?: (error: unknown) => void;
}

export interface EtcdDocumentStore<T> {
  /** The document now, or undefined if there is none yet. */
  read(): Promise<T | undefined>;
  /** Compare-and-set: `change` is applied to the latest value (`fallback` when there is none) until a write wins. */
  update(change: (current: T) => T, fallback: T): Promise<T>;
  watch(listener: (value: T) => void): () => void;
  close(): Promise<void>;
}

const MAX_UPDATE_ATTEMPTS = 20;

export function createEtcdDocumentStore<T>(options: EtcdDocumentStoreOptions): EtcdDocumentStore<T> {
  const client: Etcd3 = createEtcdClient({ endpoints: options.endpoints, auth: options.auth });
  const listeners = new Set<(value: T) => void>();
  let watcher: Promise<Watcher> | undefined;
  let closed = false;

  const parse = (raw: Buffer): T | undefined => {
    try {
      return JSON.parse(raw.toString('utf8')) as T;
    } catch (error) {
      options.onError?.(error);
      return undefined;
    }
  };
  const startWatch = (): void => {
    if (watcher || closed) return;
    watcher = client.watch().key(options.key).create();
    watcher
      .then((w) => {
        w.on('put', (kv) => {
          const value = parse(kv.value);
          if (value !== undefined) for (const l of listeners) l(value);
        });
        w.on('error', (error) => options.onError?.(error));
      })
      .catch((error: unknown) => {
        watcher = undefined;
        options.onError?.(error);
      });
  };

  return {
    async read() {
      const kv = (await client.get(options.key).exec()).kvs[0];
      return kv ? parse(kv.value) : undefined;
    },
    async update(change, fallback) {
      for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
        const kv = (await client.get(options.key).exec()).kvs[0];
        const next = change((kv ? parse(kv.value) : undefined) ?? fallback);
        const written = await client
          .if(options.key, 'Mod', '==', kv ? kv.mod_revision : 0) // 0: the key does not exist yet
          .then(client.put(options.key).value(JSON.stringify(next)))
          .commit();
        if (written.succeeded) return next;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 ** attempt)));
      }
      throw new Error(`${options.key}: gave up after ${MAX_UPDATE_ATTEMPTS} conflicting writes`);
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
