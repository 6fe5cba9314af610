// Token buckets per identity and per tool, from config. A call takes one token from every limit
// that covers it, or from none: a refused call costs nothing. Buckets are created on first use and
// forgotten once full again (a full bucket is the same as none), so memory follows active callers;
// at most `maxBuckets` are kept, the least recently used going first.
import picomatch from 'picomatch';
import type { Identity } from './identity.js';

export interface RateLimitConfig {
  name: string;
  /** Globs on the exposed tool names it covers (default: every tool). */
  tools?: readonly string[];
  /** What one bucket counts: each identity, each tool, or each identity on each tool (default 'identity'). */
  per?: 'identity' | 'tool' | 'identity-tool';
  /** Calls allowed in a window, and the burst. */
  limit: number;
  windowSeconds: number;
  /**
   * Gateway instances sharing the load: each keeps limit/instances, so the fleet allows about the
   * limit behind a balancer that spreads evenly (there is no shared counter between instances).
   */
  instances?: number;
}

export type RateDecision = { readonly ok: true } | { readonly ok: false; readonly limit: string; readonly retryAfterMs: number };

interface Bucket {
  tokens: number;
  at: number;
}

interface CompiledLimit {
  readonly name: string;
  readonly covers: (tool: string) => boolean;
  readonly per: 'identity' | 'tool' | 'identity-tool';
  readonly capacity: number;
  /** Tokens per millisecond. */
  readonly rate: number;
}

export class RateLimits {
  private readonly limits: readonly CompiledLimit[];
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    configs: readonly RateLimitConfig[],
    private readonly maxBuckets = 100_000,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.limits = configs.map((c) => {
      const share = Math.max(1, c.instances ?? 1);
      const capacity = Math.max(1, c.limit / share);
      const globs = (c.tools ?? ['*']).map((g) => picomatch(g, { dot: true }));
      return { name: c.name, covers: (tool) => globs.some((m) => m(tool)), per: c.per ?? 'identity', capacity, rate: c.limit / share / (c.windowSeconds * 1000) };
    });
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Take a token for this call from each limit covering it, or refuse and take none. */
  take(identity: Identity, tool: string): RateDecision {
    if (this.limits.length === 0) return { ok: true };
    const t = this.now();
    const hits: Array<[string, Bucket]> = [];
    for (const limit of this.limits) {
      if (!limit.covers(tool)) continue;
      const key = `${limit.name}\u0000${limit.per === 'tool' ? '' : identity.key}\u0000${limit.per === 'identity' ? '' : tool}`;
      const bucket = this.refilled(key, limit, t);
      if (bucket.tokens < 1) return { ok: false, limit: limit.name, retryAfterMs: Math.ceil((1 - bucket.tokens) / limit.rate) };
      hits.push([key, bucket]);
    }
    for (const [key, bucket] of hits) {
      bucket.tokens -= 1;
      // Most recently used last, so eviction takes the longest idle first.
      this.buckets.delete(key);
      this.buckets.set(key, bucket);
    }
    this.evict();
    return { ok: true };
  }

  private refilled(key: string, limit: CompiledLimit, t: number): Bucket {
    const bucket = this.buckets.get(key);
    if (!bucket) return { tokens: limit.capacity, at: t };
    bucket.tokens = Math.min(limit.capacity, bucket.tokens + (t - bucket.at) * limit.rate);
    bucket.at = t;
    return bucket;
  }

  private evict(): void {
    if (this.buckets.size <= this.maxBuckets) return;
    // Drop the idlest: a bucket idle long enough is full again, so forgetting it changes nothing;
    // beyond that an over-full table forgets its least recent callers (their next call starts full).
    const excess = this.buckets.size - this.maxBuckets;
    let dropped = 0;
    for (const key of this.buckets.keys()) {
      if (dropped >= excess) break;
      this.buckets.delete(key);
      dropped++;
    }
  }
}
