// One catalogue per upstream: everything it offers (tools, resources, resource templates, prompts),
// read over the router's shared connection when it connects and re-read, one list at a time, when
// the upstream says that list changed. The pool owns reading; the registry entry holds the result,
// so the router (tools are capabilities) and the gateway (the aggregate clients see) read one copy.
import type { Client, Prompt, Resource, ResourceTemplate, Tool } from './sdk/mcp.js';
import type { Logger } from './logger.js';

export type CatalogList = 'tools' | 'resources' | 'resourceTemplates' | 'prompts';

/**
 * How long a list read from the upstream may be taken as current (2026-07-28 caching: `ttlMs`,
 * `cacheScope` on list results). A 2025 upstream gives neither: its list is current until it says
 * it changed, and a client is told `ttlMs: 0` for it, the specification's default.
 */
export interface ListFreshness {
  /** performance.now() when the list was read. */
  readonly readAt: number;
  readonly ttlMs?: number;
  readonly cacheScope?: 'public' | 'private';
}

export interface UpstreamCatalog {
  readonly tools: readonly Tool[];
  readonly resources: readonly Resource[];
  readonly resourceTemplates: readonly ResourceTemplate[];
  readonly prompts: readonly Prompt[];
  /** Per list, when it was read and the upstream's cache hint for it. */
  readonly freshness: Readonly<Partial<Record<CatalogList, ListFreshness>>>;
}

export const EMPTY_CATALOG: UpstreamCatalog = Object.freeze({ tools: [], resources: [], resourceTemplates: [], prompts: [], freshness: Object.freeze({}) });

/** The lists of the catalogue (every key but `freshness`). */
export const CATALOG_LISTS: readonly CatalogList[] = ['tools', 'resources', 'resourceTemplates', 'prompts'];

/**
 * A list to read again before answering from it: its ttl ran out, or it has no ttl and the
 * upstream has no way to say it changed (a modern upstream without listChanged for it).
 */
export function isStale(freshness: ListFreshness | undefined, announcesChanges: boolean, now: number): boolean {
  if (!freshness) return false;
  if (freshness.ttlMs !== undefined && freshness.ttlMs > 0) return now >= freshness.readAt + freshness.ttlMs;
  return !announcesChanges && freshness.ttlMs !== undefined;
}

/** The cache hint of an answer built from some upstreams' lists: the smallest remaining ttl, private if any is. */
export function combinedFreshness(parts: ReadonlyArray<ListFreshness | undefined>, now: number): { ttlMs: number; cacheScope: 'public' | 'private' } {
  let ttlMs = Number.POSITIVE_INFINITY;
  let cacheScope: 'public' | 'private' = 'public';
  let any = false;
  for (const f of parts) {
    if (!f) continue;
    any = true;
    const left = f.ttlMs !== undefined && f.ttlMs > 0 ? Math.max(0, Math.floor(f.readAt + f.ttlMs - now)) : 0;
    ttlMs = Math.min(ttlMs, left);
    if (f.cacheScope === 'private') cacheScope = 'private';
  }
  return { ttlMs: any ? ttlMs : 0, cacheScope };
}

/** Which notification says which lists changed (resources/list_changed covers templates too). */
const CHANGED = [
  ['notifications/tools/list_changed', ['tools']],
  ['notifications/resources/list_changed', ['resources', 'resourceTemplates']],
  ['notifications/prompts/list_changed', ['prompts']],
] as const satisfies ReadonlyArray<readonly [string, readonly CatalogList[]]>;

/**
 * We read when the upstream connected or said a list changed: a cache hint it gave earlier (ttlMs)
 * must not answer with the old list. The SDK walks every page itself.
 */
const FRESH = { cacheMode: 'refresh' } as const;

/** The lists the server's capabilities say it has. */
export function offeredLists(client: Client): CatalogList[] {
  const caps = client.getServerCapabilities() ?? {};
  return [...(caps.tools ? (['tools'] as const) : []), ...(caps.resources ? (['resources', 'resourceTemplates'] as const) : []), ...(caps.prompts ? (['prompts'] as const) : [])];
}

type Readers = { readonly [L in CatalogList]: (client: Client, options: ListOptions) => Promise<Pick<UpstreamCatalog, L> & CacheFields> };
interface ListOptions {
  readonly cacheMode: 'refresh';
  readonly timeout: number;
}
interface CacheFields {
  readonly ttlMs?: unknown;
  readonly cacheScope?: unknown;
}

const READERS: Readers = {
  tools: (c, o) => c.listTools(undefined, o).then((r) => ({ tools: r.tools, ...cacheFields(r) })),
  resources: (c, o) => c.listResources(undefined, o).then((r) => ({ resources: r.resources, ...cacheFields(r) })),
  resourceTemplates: (c, o) => c.listResourceTemplates(undefined, o).then((r) => ({ resourceTemplates: r.resourceTemplates, ...cacheFields(r) })),
  prompts: (c, o) => c.listPrompts(undefined, o).then((r) => ({ prompts: r.prompts, ...cacheFields(r) })),
};

function cacheFields(result: object): CacheFields {
  const r = result as CacheFields;
  return { ttlMs: r.ttlMs, cacheScope: r.cacheScope };
}

function freshnessOf(fields: CacheFields, readAt: number): ListFreshness {
  const ttlMs = typeof fields.ttlMs === 'number' && Number.isFinite(fields.ttlMs) ? Math.max(0, fields.ttlMs) : undefined;
  const cacheScope = fields.cacheScope === 'public' || fields.cacheScope === 'private' ? fields.cacheScope : undefined;
  return { readAt, ...(ttlMs !== undefined ? { ttlMs } : {}), ...(cacheScope ? { cacheScope } : {}) };
}

/**
 * Read some lists. Tools must be read (they route calls, so a failure is the caller's); any other
 * list that fails is logged and left out, keeping what was known: one bad list must not hide the rest.
 */
export async function readLists(client: Client, lists: readonly CatalogList[], timeoutMs: number, logger: Logger): Promise<Partial<UpstreamCatalog>> {
  const options: ListOptions = { ...FRESH, timeout: timeoutMs };
  const freshness: Partial<Record<CatalogList, ListFreshness>> = {};
  const parts = await Promise.all(
    lists.map(async (list): Promise<Partial<UpstreamCatalog>> => {
      try {
        const { ttlMs, cacheScope, ...read } = await READERS[list](client, options);
        freshness[list] = freshnessOf({ ttlMs, cacheScope }, performance.now());
        return read;
      } catch (error) {
        if (list === 'tools') throw error;
        logger.warn(`listing ${list} failed`, { error });
        return {};
      }
    }),
  );
  return Object.assign({}, ...parts, Object.keys(freshness).length > 0 ? { freshness } : {}) as Partial<UpstreamCatalog>;
}

/** Re-read a list whenever the upstream says it changed; `reread` is told which lists. */
export function watchLists(client: Client, offered: readonly CatalogList[], reread: (lists: readonly CatalogList[]) => void): void {
  for (const [method, lists] of CHANGED) {
    const wanted = (lists as readonly CatalogList[]).filter((l) => offered.includes(l));
    if (wanted.length > 0) client.setNotificationHandler(method, () => reread(wanted));
  }
}
