// One catalogue per upstream: everything it offers (tools, resources, resource templates, prompts),
// read over the router's shared connection when it connects and re-read, one list at a time, when
// the upstream says that list changed. The pool owns reading; the registry entry holds the result,
// so the router (tools are capabilities) and the gateway (the aggregate clients see) read one copy.
import type { Client, Prompt, Resource, ResourceTemplate, Tool } from './sdk/mcp.js';
import type { Logger } from './logger.js';

export type CatalogList = 'tools' | 'resources' | 'resourceTemplates' | 'prompts';

export interface UpstreamCatalog {
  readonly tools: readonly Tool[];
  readonly resources: readonly Resource[];
  readonly resourceTemplates: readonly ResourceTemplate[];
  readonly prompts: readonly Prompt[];
}

export const EMPTY_CATALOG: UpstreamCatalog = Object.freeze({ tools: [], resources: [], resourceTemplates: [], prompts: [] });

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

type Readers = { readonly [L in CatalogList]: (client: Client, options: ListOptions) => Promise<Pick<UpstreamCatalog, L>> };
interface ListOptions {
  readonly cacheMode: 'refresh';
  readonly timeout: number;
}

const READERS: Readers = {
  tools: (c, o) => c.listTools(undefined, o).then((r) => ({ tools: r.tools })),
  resources: (c, o) => c.listResources(undefined, o).then((r) => ({ resources: r.resources })),
  resourceTemplates: (c, o) => c.listResourceTemplates(undefined, o).then((r) => ({ resourceTemplates: r.resourceTemplates })),
  prompts: (c, o) => c.listPrompts(undefined, o).then((r) => ({ prompts: r.prompts })),
};

/**
 * Read some lists. Tools must be read (they route calls, so a failure is the caller's); any other
 * list that fails is logged and left out, keeping what was known: one bad list must not hide the rest.
 */
export async function readLists(client: Client, lists: readonly CatalogList[], timeoutMs: number, logger: Logger): Promise<Partial<UpstreamCatalog>> {
  const options: ListOptions = { ...FRESH, timeout: timeoutMs };
  const parts = await Promise.all(
    lists.map(async (list): Promise<Partial<UpstreamCatalog>> => {
      try {
        return await READERS[list](client, options);
      } catch (error) {
        if (list === 'tools') throw error;
        logger.warn(`listing ${list} failed`, { error });
        return {};
      }
    }),
  );
  return Object.assign({}, ...parts) as Partial<UpstreamCatalog>;
}

/** Re-read a list whenever the upstream says it changed; `reread` is told which lists. */
export function watchLists(client: Client, offered: readonly CatalogList[], reread: (lists: readonly CatalogList[]) => void): void {
  for (const [method, lists] of CHANGED) {
    const wanted = (lists as readonly CatalogList[]).filter((l) => offered.includes(l));
    if (wanted.length > 0) client.setNotificationHandler(method, () => reread(wanted));
  }
}
