// How upstream names become the names one client sees. Items with the same name and the same
// definition (stable JSON of their key) from services of one replica group are one replica set and
// are shown once; any other items sharing a name are a collision, settled by the naming mode.
//
// Names a client can trust:
// - A name outside the MCP tool-name guidance (1-128 characters of A-Z a-z 0-9 _ - .) is escaped
//   (`_x2f_` for '/', `_x200b_` for a zero-width space), so a homoglyph or an invisible character
//   shows as what it is; an empty or overlong name is refused.
// - A qualified name (`service__tool`) belongs to that service: a literal upstream name of that
//   form from any other service is a squat, and is itself qualified under its own service.
import { stableJson } from './stable-json.js';

export type NamingMode = 'on-collision' | 'always' | 'never';

/** Separator between a service name and an item name when a name is qualified. */
export const NAME_SEPARATOR = '__';

/** The MCP tool-name guidance: the longest name, and the characters a name may hold. */
export const MAX_NAME_LENGTH = 128;
const ALLOWED = /^[A-Za-z0-9_.-]$/;

export interface NamedItem<T> {
  service: string;
  name: string;
  item: T;
  /** What must be equal for two services' items to be replicas (for tools, the inputSchema). */
  definition: unknown;
  /**
   * The replica group of the service: only services of one group are ever merged (default: the
   * service alone). Same name and schema does not make two servers interchangeable.
   */
  group?: string;
  /** What a qualified name starts with: the replica group's name, so a set stays one route (default: the service). */
  qualifier?: string;
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
  /** Why: different definitions under one name, a name squatting a qualified one, or a name outside the guidance. */
  reason?: 'definition' | 'squat' | 'invalid-name';
  message: string;
}

export interface NamingResult<T> {
  routes: Map<string, NamedRoute<T>>;
  conflicts: NamingConflict[];
}

/** A name as a client may be shown it: escaped where it leaves the guidance, or undefined when unusable. */
export function safeName(name: string): string | undefined {
  if (name.length === 0) return undefined;
  let out = '';
  for (const ch of name) out += ALLOWED.test(ch) ? ch : `_x${ch.codePointAt(0)!.toString(16)}_`;
  return out.length > MAX_NAME_LENGTH ? undefined : out;
}

/**
 * The unqualified names clients have been shown, and which set (replica group or service) each
 * belongs to, for as long as the gateway runs. A server that joins later and collides is the one
 * qualified: the name clients already use keeps meaning what it meant.
 */
export class NameMemory {
  private readonly owners = new Map<string, string>();

  owner(kind: string, name: string): string | undefined {
    return this.owners.get(`${kind}\0${name}`);
  }

  remember(kind: string, name: string, owner: string): void {
    this.owners.set(`${kind}\0${name}`, owner);
  }
}

/** Who a set of items belongs to: its replica group, else its one service. */
function ownerOf<T>(it: NamedItem<T>): string {
  return it.group ?? `service:${it.service}`;
}

/** `items` must be in registry order: it decides which definition is shown and which wins in 'never'. */
export function assignNames<T>(kind: 'tool' | 'prompt', items: readonly NamedItem<T>[], mode: NamingMode, memory?: NameMemory): NamingResult<T> {
  const conflicts: NamingConflict[] = [];
  const services = new Set(items.flatMap((it) => (it.qualifier === undefined ? [it.service] : [it.service, it.qualifier])));
  // The client-facing form of each name, or the item is refused.
  const usable: Array<{ it: NamedItem<T>; shown: string }> = [];
  for (const it of items) {
    const shown = safeName(it.name);
    if (shown === undefined) {
      conflicts.push({ kind, name: it.name.slice(0, MAX_NAME_LENGTH), services: [it.service], reason: 'invalid-name', message: `${kind} from ${it.service} refused: its name is empty or longer than ${MAX_NAME_LENGTH} characters` });
      continue;
    }
    if (shown !== it.name) {
      conflicts.push({ kind, name: shown, services: [it.service], reason: 'invalid-name', message: `${kind} ${JSON.stringify(it.name)} from ${it.service} has characters outside A-Z a-z 0-9 _ - .; served as '${shown}'` });
    }
    usable.push({ it, shown });
  }

  const byName = new Map<string, Map<string, Array<{ it: NamedItem<T>; shown: string }>>>();
  for (const u of usable) {
    let groups = byName.get(u.shown);
    if (!groups) byName.set(u.shown, (groups = new Map()));
    const key = `${ownerOf(u.it)}\0${stableJson(u.it.definition)}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(u);
  }

  // Qualified names first: they belong to their service, so nothing literal may take one.
  const routes = new Map<string, NamedRoute<T>>();
  const literal: Array<{ shown: string; set: Array<{ it: NamedItem<T>; shown: string }> }> = [];
  const toQualify: Array<Array<{ it: NamedItem<T>; shown: string }>> = [];
  for (const [name, groups] of byName) {
    const sets = [...groups.values()];
    if (mode === 'always') {
      toQualify.push(...sets);
      continue;
    }
    if (sets.length === 1 || mode === 'never') {
      literal.push({ shown: name, set: sets[0]! });
      if (sets.length > 1) {
        const all = sets.flat().map((u) => u.it.service);
        const kept = sets[0]!.map((u) => u.it.service);
        const hidden = sets.slice(1).flat().map((u) => u.it.service);
        conflicts.push({
          kind,
          name,
          services: all,
          reason: 'definition',
          message: `${kind} '${name}' has different definitions (or is not declared a replica) on ${all.join(', ')}; naming is 'never', so only ${kept.join(', ')}'s is served and ${hidden.join(', ')}'s is hidden. Set namespace to 'on-collision' or 'always' to serve both.`,
        });
      }
      continue;
    }
    // On a collision, the set that already held the plain name keeps it; the newcomers are qualified.
    const heldBy = memory?.owner(kind, name);
    const keeper = heldBy === undefined ? undefined : sets.find((set) => ownerOf(set[0]!.it) === heldBy);
    if (keeper) {
      literal.push({ shown: name, set: keeper });
      toQualify.push(...sets.filter((set) => set !== keeper));
      continue;
    }
    toQualify.push(...sets);
  }
  // A declared replica set is one route under its group's name; a group whose members disagree on
  // the definition (drift) has each member qualified under its own service, as does everything else.
  const setsOfOwner = new Map<string, number>();
  for (const [name, groups] of byName) for (const set of groups.values()) {
    const key = `${name}\0${ownerOf(set[0]!.it)}`;
    setsOfOwner.set(key, (setsOfOwner.get(key) ?? 0) + 1);
  }
  const route = (name: string, members: Array<{ it: NamedItem<T>; shown: string }>): void => {
    const services = members.map((u) => u.it.service);
    const taken = routes.get(name);
    if (taken) {
      conflicts.push({ kind, name, services: [...taken.members, ...services], reason: 'definition', message: `${kind} names from ${taken.members.join(', ')} and ${services.join(', ')} both qualify to '${name}'; ${services.join(', ')}'s is not served` });
      return;
    }
    routes.set(name, { name, upstreamName: members[0]!.it.name, item: members[0]!.it.item, members: services });
  };
  const qualify = (set: Array<{ it: NamedItem<T>; shown: string }>): void => {
    const first = set[0]!;
    const whole = first.it.qualifier !== undefined && setsOfOwner.get(`${first.shown}\0${ownerOf(first.it)}`) === 1;
    if (whole) route(`${first.it.qualifier}${NAME_SEPARATOR}${first.shown}`, set);
    else for (const u of set) route(`${u.it.service}${NAME_SEPARATOR}${u.shown}`, [u]);
  };
  for (const set of toQualify) qualify(set);
  for (const { shown, set } of literal) {
    const owner = squattedService(shown, services);
    const squatters = owner === undefined ? [] : set.filter((u) => u.it.service !== owner);
    if (routes.has(shown) || squatters.length > 0) {
      const claimants = squatters.length > 0 ? squatters : set;
      conflicts.push({
        kind,
        name: shown,
        services: claimants.map((u) => u.it.service),
        reason: 'squat',
        message: `${kind} '${shown}' from ${claimants.map((u) => u.it.service).join(', ')} looks like a qualified name of ${owner ?? 'another service'}; qualified under its own name instead`,
      });
      qualify(claimants);
      const rest = set.filter((u) => !claimants.includes(u));
      if (rest.length > 0 && !routes.has(shown)) routes.set(shown, { name: shown, upstreamName: rest[0]!.it.name, item: rest[0]!.it.item, members: rest.map((u) => u.it.service) });
      continue;
    }
    routes.set(shown, { name: shown, upstreamName: set[0]!.it.name, item: set[0]!.it.item, members: set.map((u) => u.it.service) });
  }
  if (memory) for (const { shown, set } of literal) if (routes.get(shown)?.members.includes(set[0]!.it.service)) memory.remember(kind, shown, ownerOf(set[0]!.it));
  return { routes, conflicts };
}

/** The service a name would be the qualified name of (`svc__rest`), if that service exists. */
function squattedService(name: string, services: ReadonlySet<string>): string | undefined {
  for (let at = name.indexOf(NAME_SEPARATOR); at > 0; at = name.indexOf(NAME_SEPARATOR, at + 1)) {
    const prefix = name.slice(0, at);
    if (services.has(prefix)) return prefix;
  }
  return undefined;
}
