// The gateway session store on a real etcd: compare-and-set updates from two clients racing on one
// session lose nothing, watches see every state, relayed answers reach only their instance, and a
// relay key is taken once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type EtcdServer } from '@switchboard/testing/fixtures';
import { createEtcdSessionStore, type EtcdSessionStore } from '../src/session-store.js';
import { createEtcdClient } from '../src/client.js';
import { waitFor } from './support.js';

interface State {
  subscriptions: string[];
}

let etcd: EtcdServer;
const stores: EtcdSessionStore<State, { id: string }>[] = [];
const open = (): EtcdSessionStore<State, { id: string }> => {
  const store = createEtcdSessionStore<State, { id: string }>({ endpoints: [etcd.endpoint], prefix: '/store-test/' });
  stores.push(store);
  return store;
};

beforeAll(async () => {
  etcd = await startEtcd();
});

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await etcd?.close();
});

describe('etcd session store', () => {
  it('keeps every change when two clients update one session at once', async () => {
    const [a, b] = [open(), open()];
    const seen: number[] = [];
    const stop = b.watch((sid, state) => void (sid === 'race' && seen.push(state.subscriptions.length)));
    const add = (store: EtcdSessionStore<State, { id: string }>, uri: string) =>
      store.update('race', (current) => ({ subscriptions: [...(current?.subscriptions ?? []), uri] }), 60_000);
    await Promise.all(Array.from({ length: 5 }, (_, i) => [add(a, `a${i}`), add(b, `b${i}`)]).flat());
    const final = await a.load('race');
    expect(final?.subscriptions.sort()).toEqual([...Array.from({ length: 5 }, (_, i) => `a${i}`), ...Array.from({ length: 5 }, (_, i) => `b${i}`)].sort());
    await waitFor(() => seen.includes(10), 'the watch to see the last state');
    stop();
  });

  it('relays a message to the instance it names, once', async () => {
    const [sender, one, two] = [open(), open(), open()];
    const gotOne: Array<[string, string]> = [];
    const gotTwo: Array<[string, string]> = [];
    const stopOne = one.onRelay('instance-one', (sid, m) => void gotOne.push([sid, m.id]));
    const stopTwo = two.onRelay('instance-two', (sid, m) => void gotTwo.push([sid, m.id]));
    // The relay watches start asynchronously: send until the first one arrives.
    for (let i = 0; gotOne.length === 0 && i < 100; i++) {
      await sender.relay('instance-one', 'session-9', { id: `answer-${i}` });
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(gotOne[0]?.[0]).toBe('session-9');
    expect(gotTwo).toEqual([]);
    // Taken: the keys are deleted, so a watch started later does not see them again.
    const admin = createEtcdClient({ endpoints: [etcd.endpoint] });
    try {
      let left = -1;
      for (let i = 0; left !== 0 && i < 100; i++) {
        left = (await admin.getAll().prefix('/store-test/relay/').keys()).length;
        if (left !== 0) await new Promise((r) => setTimeout(r, 50));
      }
      expect(left).toBe(0);
    } finally {
      admin.close();
    }
    stopOne();
    stopTwo();
  });
});
