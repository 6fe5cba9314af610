// A table keyed by request id for what is in flight: entries that are added and deleted at call
// rate (a handler per upstream request, a response slot per client request). Not a Map or a Set,
// because of how V8 builds those: each is an OrderedHashTable that is replaced by a new one every
// few dozen adds and deletes, and the replaced table keeps both its entries as they were and a link
// to its successor. Once one replaced table has reached old space (it only has to outlive two
// scavenges, as an idle moment allows), it is dead but still read as a root by every scavenge, so
// through the chain of successors it keeps every later entry, and so every in-flight call's
// objects, alive until a full collection. A gateway at capacity then promoted almost everything
// it allocated: ~4 KB per call, scavenges of 3-6 ms every ~25 ms. In a plain script, 32 calls in
// flight tracked in a Set promote 300× more than untracked ones and run 4× slower.
//
// This one is open addressing over plain arrays that are only replaced when they grow: a deleted
// entry's slots are cleared (backward-shift deletion, so no tombstones and no rebuilds), and
// nothing it once held stays reachable from it.
//
// With a `limit` (for what a peer may leave unanswered for ever), setting a new key past it forgets
// the key set longest ago, as a Map that deletes its first key would: found through a ring of keys
// in the order they were set, so an eviction costs no scan of the table.

type Key = string | number;

const MIN_CAPACITY = 16;

/** FNV-1a over the UTF-16 code units, for string keys (request ids are short). */
function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash;
}

function hashKey(key: Key): number {
  // Integer ids (every SDK counter) hash as themselves, mixed; 1 and '1' are different keys that
  // may share a hash, which equality (===) tells apart.
  const mixed = typeof key === 'number' && (key | 0) === key ? key : hashString(typeof key === 'number' ? `#${key}` : key);
  // 30 bits: a small integer to V8 (stored unboxed), far more than any table's mask.
  return Math.imul(mixed ^ (mixed >>> 16), 0x45d9f3b) & 0x3fffffff;
}

export interface CallTableOptions {
  /** Entries it is sized for at first (it grows as needed). */
  capacity?: number;
  /** At most this many entries: past it, the one set longest ago is forgotten. */
  limit?: number;
}

export class CallTable<K extends Key, V> {
  private keys: (K | undefined)[] = [];
  private vals: (V | undefined)[] = [];
  private homes: number[] = [];
  /** When each entry was set: with a limit, a ring entry is current only while its key still has this order. */
  private order: number[] = [];
  private mask = 0;
  private count = 0;
  private next = 0;
  private readonly limit: number;
  /** With a limit: keys (and their order) as they were set, oldest first from ringStart. */
  private ringKeys: K[] = [];
  private ringOrders: number[] = [];
  private ringStart = 0;

  constructor(options: CallTableOptions = {}) {
    this.limit = options.limit ?? Infinity;
    let size = MIN_CAPACITY;
    while (size < (options.capacity ?? 0) * 2) size *= 2;
    this.allocate(size);
  }

  get size(): number {
    return this.count;
  }

  get(key: K): V | undefined {
    const slot = this.find(key);
    return slot < 0 ? undefined : this.vals[slot];
  }

  has(key: K): boolean {
    return this.find(key) >= 0;
  }

  set(key: K, value: V): this {
    const found = this.find(key);
    if (found >= 0) {
      this.vals[found] = value;
      return this;
    }
    // At most half full, so a probe ends soon.
    if ((this.count + 1) * 2 > this.keys.length) this.grow();
    const order = this.next++;
    this.place(key, value, hashKey(key), order);
    this.count++;
    if (this.limit !== Infinity) this.remember(key, order);
    return this;
  }

  delete(key: K): boolean {
    const slot = this.find(key);
    if (slot < 0) return false;
    this.remove(slot);
    return true;
  }

  /** The values now, as an array: safe to iterate while the table changes. In no particular order. */
  values(): V[] {
    const out: V[] = [];
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] !== undefined) out.push(this.vals[i] as V);
    return out;
  }

  /** The keys now, as an array, in no particular order. */
  keyList(): K[] {
    const out: K[] = [];
    for (const key of this.keys) if (key !== undefined) out.push(key);
    return out;
  }

  clear(): void {
    this.keys.fill(undefined);
    this.vals.fill(undefined);
    this.count = 0;
    this.ringKeys = [];
    this.ringOrders = [];
    this.ringStart = 0;
  }

  /** Note a new key in the ring; past the limit, forget the oldest key that is still here as it was set. */
  private remember(key: K, order: number): void {
    this.ringKeys.push(key);
    this.ringOrders.push(order);
    while (this.count > this.limit && this.ringStart < this.ringKeys.length) {
      const at = this.ringStart++;
      const slot = this.find(this.ringKeys[at]!);
      if (slot >= 0 && this.order[slot] === this.ringOrders[at]) this.remove(slot);
    }
    // Forgotten and deleted keys stay in the ring until here: it is compacted to the live ones (at
    // most `limit`) once it holds twice what the table may, so it stays bounded and each key costs
    // a constant share of the copying.
    if (this.ringKeys.length > 2 * this.limit + MIN_CAPACITY) {
      const keys: K[] = [];
      const orders: number[] = [];
      for (let at = this.ringStart; at < this.ringKeys.length; at++) {
        const slot = this.find(this.ringKeys[at]!);
        if (slot >= 0 && this.order[slot] === this.ringOrders[at]) (keys.push(this.ringKeys[at]!), orders.push(this.ringOrders[at]!));
      }
      this.ringKeys = keys;
      this.ringOrders = orders;
      this.ringStart = 0;
    }
  }

  private allocate(size: number): void {
    this.keys = new Array<K | undefined>(size).fill(undefined);
    this.vals = new Array<V | undefined>(size).fill(undefined);
    this.homes = new Array<number>(size).fill(0);
    this.order = new Array<number>(size).fill(0);
    this.mask = size - 1;
  }

  private find(key: K): number {
    const keys = this.keys;
    for (let i = hashKey(key) & this.mask; ; i = (i + 1) & this.mask) {
      const here = keys[i];
      if (here === undefined) return -1;
      // SameValueZero, as a Map compares keys: NaN finds NaN (0 and -0 are one key either way).
      if (here === key || (here !== here && key !== key)) return i;
    }
  }

  private place(key: K, value: V, hash: number, order: number): void {
    let i = hash & this.mask;
    while (this.keys[i] !== undefined) i = (i + 1) & this.mask;
    this.keys[i] = key;
    this.vals[i] = value;
    this.homes[i] = hash;
    this.order[i] = order;
  }

  /** Empty `slot`, shifting back each later entry of its run that may not sit past the hole. */
  private remove(slot: number): void {
    const { keys, vals, homes, order, mask } = this;
    let hole = slot;
    for (let i = (slot + 1) & mask; keys[i] !== undefined; i = (i + 1) & mask) {
      const home = homes[i]! & mask;
      // The entry at i may move to the hole unless its home lies cyclically in (hole, i].
      const stays = hole <= i ? hole < home && home <= i : hole < home || home <= i;
      if (stays) continue;
      keys[hole] = keys[i];
      vals[hole] = vals[i];
      homes[hole] = homes[i]!;
      order[hole] = order[i]!;
      hole = i;
    }
    keys[hole] = undefined;
    vals[hole] = undefined;
    this.count--;
  }

  private grow(): void {
    const { keys, vals, homes, order } = this;
    this.allocate(keys.length * 2);
    for (let i = 0; i < keys.length; i++) if (keys[i] !== undefined) this.place(keys[i]!, vals[i] as V, homes[i]!, order[i]!);
  }
}
