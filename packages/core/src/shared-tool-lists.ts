// One copy of a tool list for the services that list the same tools. Replicas of one server (a
// `replicas:` or `urls:` entry, a replica group, a fleet behind discovery) list identical tools, and
// each list is read from its upstream as fresh objects: without sharing, a thousand replicas hold a
// thousand copies of every tool's schema and a thousand name indexes.
//
// The registry remembers the last few distinct lists it was given, by content, and gives a list
// with the same content the copy it already has. Replicas' lists are read close together (they
// connect together and change together), so a short memory finds them, and it costs nothing per
// service: a fleet of different servers pays one digest per list read and holds no bookkeeping.
// What is shared is never edited: a re-read list replaces a service's list whole.
import { createHash } from 'node:crypto';
import { type Tool } from './sdk/mcp.js';

export interface SharedToolList {
  readonly list: readonly Tool[];
  readonly byName: ReadonlyMap<string, Tool>;
}

/** Distinct lists remembered; the oldest is forgotten first (its services keep their copy). */
const REMEMBERED = 16;

/** Content key of a list: a digest of its JSON, so a long list is not kept twice as its own key. */
function fingerprint(tools: readonly Tool[]): string {
  return createHash('sha256').update(JSON.stringify(tools)).digest('base64');
}

/** Weakly: a list no service holds any more goes (a big one must not outlive its services here). */
interface Remembered {
  readonly list: WeakRef<readonly Tool[]>;
  readonly byName: WeakRef<ReadonlyMap<string, Tool>>;
}

export class SharedToolLists {
  /** In the order last used, oldest first. */
  private readonly recent = new Map<string, Remembered>();

  /** The copy of a list with these tools already held, or this one (now remembered). */
  intern(tools: readonly Tool[]): SharedToolList {
    if (tools.length === 0) return EMPTY;
    const key = fingerprint(tools);
    const known = this.recent.get(key);
    this.recent.delete(key);
    const list = known?.list.deref();
    const byName = known?.byName.deref();
    if (known && list && byName) {
      this.recent.set(key, known);
      return { list, byName };
    }
    const made: SharedToolList = { list: tools, byName: new Map(tools.map((tool) => [tool.name, tool])) };
    this.recent.set(key, { list: new WeakRef(made.list), byName: new WeakRef(made.byName) });
    if (this.recent.size > REMEMBERED) this.recent.delete(this.recent.keys().next().value!);
    return made;
  }
}

const EMPTY: SharedToolList = { list: Object.freeze([]), byName: new Map() };
