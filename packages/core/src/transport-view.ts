// A view of a transport with a few properties replaced, and everything else the transport itself:
// its own methods bound to it (so a class with private state works through the view), its other
// properties read and written on it. Used where a layer must change how a transport is seen (the
// gateway's call attribution, an already started link) without wrapping every member by hand.
export interface TransportViewHooks {
  /** A replacement for `property`, or undefined to read the transport's own. */
  get?(property: PropertyKey): { value: unknown } | undefined;
  /** True when the write was handled here; otherwise it goes to the transport. */
  set?(property: PropertyKey, value: unknown): boolean;
}

export function transportView<T extends object>(transport: T, hooks: TransportViewHooks): T {
  // Bound once per method (an SDK reads `send` for every message), again only if it changes.
  const bound = new Map<PropertyKey, { of: unknown; fn: unknown }>();
  return new Proxy(transport, {
    get(target, property) {
      const replaced = hooks.get?.(property);
      if (replaced) return replaced.value;
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const cached = bound.get(property);
      if (cached?.of === value) return cached.fn;
      const fn = (value as (...args: unknown[]) => unknown).bind(target);
      bound.set(property, { of: value, fn });
      return fn;
    },
    set(target, property, value) {
      if (hooks.set?.(property, value)) return true;
      return Reflect.set(target, property, value, target);
    },
  });
}
