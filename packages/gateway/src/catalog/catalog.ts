// The aggregate a client sees: the union of every upstream's tools, resources, resource templates
// and prompts, with replica sets merged and collisions named. Rebuilt from the registry and the
// upstreams' catalogues (core reads them) whenever either changes; a snapshot is immutable, so
// handlers read it lock-free.
import { type Prompt, type Resource, type ResourceTemplate, type Tool } from '../sdk/mcp.js';
import type { ServiceEntry } from '@switchboard/core';
import { assignNames, type NameMemory, type NamedItem, type NamedRoute, type NamingConflict, type NamingMode } from './naming.js';
import { stableJson } from './stable-json.js';

export type ToolRoute = NamedRoute<Tool>;
export type PromptRoute = NamedRoute<Prompt>;

export interface UriRoute<T> {
  item: T;
  members: string[];
}

export interface CatalogSnapshot {
  readonly tools: ReadonlyMap<string, ToolRoute>;
  readonly prompts: ReadonlyMap<string, PromptRoute>;
  readonly resources: ReadonlyMap<string, UriRoute<Resource>>;
  readonly templates: ReadonlyMap<string, UriRoute<ResourceTemplate>>;
  readonly conflicts: readonly NamingConflict[];
  /** One string per list, to tell whether a rebuild changed what clients see. */
  readonly signatures: { tools: string; prompts: string; resources: string };
}

/** What the catalogue reads of a service: its tools may be a view (tool pinning hides blocked ones). */
export type CatalogSource = Pick<ServiceEntry, 'name' | 'descriptor' | 'catalog'> & { readonly tools: ReadonlyMap<string, Tool> };

export function buildCatalog(entries: readonly CatalogSource[], mode: NamingMode, memory?: NameMemory): CatalogSnapshot {
  const toolItems: NamedItem<Tool>[] = [];
  const promptItems: NamedItem<Prompt>[] = [];
  const resources = new Map<string, UriRoute<Resource>>();
  const templates = new Map<string, UriRoute<ResourceTemplate>>();
  for (const e of entries) {
    // Only servers declared replicas of one another (one replicaGroup) are ever merged.
    const group = e.descriptor.replicaGroup === undefined ? {} : { group: `group:${e.descriptor.replicaGroup}`, qualifier: e.descriptor.replicaGroup };
    for (const tool of e.tools.values()) toolItems.push({ service: e.name, name: tool.name, item: tool, definition: tool.inputSchema, ...group });
    const l = e.catalog;
    for (const prompt of l.prompts) promptItems.push({ service: e.name, name: prompt.name, item: prompt, definition: prompt.arguments ?? [], ...group });
    // A URI names one thing wherever it is listed, so services listing the same URI are replicas.
    for (const r of l.resources) addUri(resources, r.uri, r, e.name);
    for (const t of l.resourceTemplates) addUri(templates, t.uriTemplate, t, e.name);
  }
  const tools = assignNames('tool', toolItems, mode, memory);
  const prompts = assignNames('prompt', promptItems, mode, memory);
  return {
    tools: tools.routes,
    prompts: prompts.routes,
    resources,
    templates,
    conflicts: [...tools.conflicts, ...prompts.conflicts],
    signatures: {
      tools: stableJson(exposedTools(tools.routes)),
      prompts: stableJson(exposedPrompts(prompts.routes)),
      resources: stableJson([[...resources.values()].map((r) => r.item), [...templates.values()].map((t) => t.item)]),
    },
  };
}

function addUri<T>(map: Map<string, UriRoute<T>>, key: string, item: T, service: string): void {
  const existing = map.get(key);
  if (existing) existing.members.push(service);
  else map.set(key, { item, members: [service] });
}

export function exposedTools(routes: ReadonlyMap<string, ToolRoute>): Tool[] {
  return [...routes.values()].map((r) => (r.name === r.upstreamName ? r.item : { ...r.item, name: r.name }));
}

export function exposedPrompts(routes: ReadonlyMap<string, PromptRoute>): Prompt[] {
  return [...routes.values()].map((r) => (r.name === r.upstreamName ? r.item : { ...r.item, name: r.name }));
}

/** The services that can serve a resource URI: those listing it, else those whose template matches. */
export function resourceOwners(catalog: CatalogSnapshot, uri: string): string[] {
  const direct = catalog.resources.get(uri);
  if (direct) return direct.members;
  const out: string[] = [];
  for (const [template, route] of catalog.templates) {
    if (templateMatches(template, uri)) for (const m of route.members) if (!out.includes(m)) out.push(m);
  }
  return out;
}

/**
 * What a resource URI is counted under in metrics: the URI itself when it is listed, else the
 * first template it matches. Bounded by the catalog, whatever URIs clients name.
 */
export function resourceMetricName(catalog: CatalogSnapshot, uri: string): string {
  if (catalog.resources.has(uri)) return uri;
  for (const template of catalog.templates.keys()) if (templateMatches(template, uri)) return template;
  return uri;
}

/** RFC 6570 level-1 match: literal parts must match, each {var} matches at least one character. */
export function templateMatches(template: string, uri: string): boolean {
  const parts = template.split(/\{[^}]*\}/);
  if (parts.length === 1) return template === uri;
  const pattern = parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+');
  return new RegExp(`^${pattern}$`).test(uri);
}
