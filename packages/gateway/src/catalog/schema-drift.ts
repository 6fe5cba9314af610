// Schema drift: a replica whose tools/list changes a tool's input schema no longer matches its
// replica set. The catalog already regroups it (replica sets are keyed by name and schema); this
// finds who moved, so the operator is told instead of seeing the set shrink silently.
import type { CatalogSnapshot, ToolRoute } from './catalog.js';
import { stableJson } from './stable-json.js';

export interface DriftEvent {
  readonly service: string;
  readonly tool: string;
  /** The replica set it belonged to, and the one it is in now. */
  readonly from: readonly string[];
  readonly to: readonly string[];
}

function routeOf(snapshot: CatalogSnapshot, service: string, upstreamName: string): ToolRoute | undefined {
  for (const route of snapshot.tools.values()) if (route.upstreamName === upstreamName && route.members.includes(service)) return route;
  return undefined;
}

export function detectSchemaDrift(before: CatalogSnapshot, after: CatalogSnapshot): DriftEvent[] {
  const events: DriftEvent[] = [];
  for (const route of before.tools.values()) {
    if (route.members.length < 2) continue; // a lone server changing its own schema leaves no set
    const schema = stableJson(route.item.inputSchema);
    for (const service of route.members) {
      const now = routeOf(after, service, route.upstreamName);
      if (!now || stableJson(now.item.inputSchema) === schema) continue;
      events.push({ service, tool: route.upstreamName, from: route.members, to: now.members });
    }
  }
  return events;
}
