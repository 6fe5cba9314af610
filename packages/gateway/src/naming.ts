// How upstream names become the names one client sees. Items with the same name and the same
// definition (stable JSON of their key) are one replica set and are shown once; different items
// sharing a name are a collision, settled by the naming mode.
import { stableJson } from './stable-json.js';

export type NamingMode = 'on-collision' | 'always' | 'never';

/** Separator between a service name and an item name when a name is qualified. */
export const NAME_SEPARATOR = '__';

export interface NamedItem<T> {
  service: string;
  name: string;
  item: T;
  /** What must be equal for two services' items to be replicas (for tools, the inputSchema). */
  definition: unknown;
}

export interface NamedRoute<T> {
  /** The name the client sees. */
  name: string;
  /** The name upstream servers know it by. */
  upstreamName: string;
  /** The first member's definition, shown to the client. */
  item: T;
  /** Services that can serve it, in registry order. */
  members: string[];
}

export interface NamingConflict {
  kind: 'tool' | 'prompt';
  name: string;
  services: string[];
  message: string;
}

export interface NamingResult<T> {
  routes: Map<string, NamedRoute<T>>;
  conflicts: NamingConflict[];
}

/** `items` must be in registry order: it decides which definition is shown and which wins in 'never'. */
export function assignNames<T>(kind: 'tool' | 'prompt', items: readonly NamedItem<T>[], mode: NamingMode): NamingResult<T> {
  const byName = new Map<string, Map<string, NamedItem<T>[]>>();
  for (const it of items) {
    let groups = byName.get(it.name);
    if (!groups) byName.set(it.name, (groups = new Map()));
    const key = stableJson(it.definition);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(it);
  }
  const routes = new Map<string, NamedRoute<T>>();
  const conflicts: NamingConflict[] = [];
  const qualified = (it: NamedItem<T>): void => {
    const name = `${it.service}${NAME_SEPARATOR}${it.name}`;
    routes.set(name, { name, upstreamName: it.name, item: it.item, members: [it.service] });
  };
  for (const [name, groups] of byName) {
    const sets = [...groups.values()];
    if (mode === 'always') {
      for (const set of sets) for (const it of set) qualified(it);
      continue;
    }
    if (sets.length === 1 || mode === 'never') {
      const set = sets[0]!;
      routes.set(name, { name, upstreamName: name, item: set[0]!.item, members: set.map((it) => it.service) });
      if (sets.length > 1) {
        const services = sets.flat().map((it) => it.service);
        const hidden = sets.slice(1).flat().map((it) => it.service);
        conflicts.push({
          kind,
          name,
          services,
          message: `${kind} '${name}' has different definitions on ${services.join(', ')}; naming is 'never', so only ${set.map((it) => it.service).join(', ')}'s is served and ${hidden.join(', ')}'s is hidden. Set namespace to 'on-collision' or 'always' to serve both.`,
        });
      }
      continue;
    }
    for (const set of sets) for (const it of set) qualified(it);
  }
  return { routes, conflicts };
}
