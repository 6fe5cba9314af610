// A Map whose entries live in a CallTable (see call-table.ts), for code that must be handed a Map:
// the SDK Protocol's own per-request maps (`_responseHandlers`, `_timeoutInfo`, `_progressHandlers`),
// which every request it sends adds to and deletes from. It extends Map so that whatever checks
// `instanceof Map` still holds; the Map's own storage stays empty.
import { CallTable } from './call-table.js';

export class CallMap<K extends string | number, V> extends Map<K, V> {
  // Not a field initializer: Map's constructor, which runs first, may call set() (it never does
  // here, as no entries are passed, but a field would not exist yet if it did).
  private table!: CallTable<K, V>;

  constructor() {
    super();
    this.table = new CallTable<K, V>();
  }

  override get size(): number {
    return this.table.size;
  }

  override get(key: K): V | undefined {
    return this.table.get(key);
  }

  override has(key: K): boolean {
    return this.table.has(key);
  }

  override set(key: K, value: V): this {
    this.table.set(key, value);
    return this;
  }

  override delete(key: K): boolean {
    return this.table.delete(key);
  }

  override clear(): void {
    this.table.clear();
  }

  override forEach(callback: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }

  // Iterators over a snapshot: safe while the map changes, as the SDK's teardown iterates and clears.
  override keys(): MapIterator<K> {
    return this.table.keyList()[Symbol.iterator]();
  }

  override values(): MapIterator<V> {
    return this.table.values()[Symbol.iterator]();
  }

  override entries(): MapIterator<[K, V]> {
    return this.table.keyList().map((key) => [key, this.table.get(key) as V] as [K, V])[Symbol.iterator]();
  }

  override [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }
}
