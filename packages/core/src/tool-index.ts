// A service's tools by name, over the list as the upstream gave it. Most services list a handful of
// tools, and a Map holding even two costs about 200 bytes (its hash table) per service; a scan of a
// short list is as fast as a hash lookup. A long list gets a Map.
import type { Tool } from './sdk/mcp.js';

/** From this many tools on, names are looked up in a Map. */
const INDEX_FROM = 12;

export class ToolIndex implements ReadonlyMap<string, Tool> {
  private readonly list: readonly Tool[];
  private readonly map: Map<string, Tool> | undefined;

  constructor(tools: readonly Tool[]) {
    // A name listed twice keeps Map semantics (the last definition wins): through a Map.
    if (tools.length >= INDEX_FROM || hasDuplicate(tools)) {
      this.map = new Map(tools.map((tool) => [tool.name, tool]));
      this.list = [...this.map.values()];
    } else {
      this.map = undefined;
      this.list = tools;
    }
  }

  get size(): number {
    return this.list.length;
  }

  get(name: string): Tool | undefined {
    if (this.map) return this.map.get(name);
    for (const tool of this.list) if (tool.name === name) return tool;
    return undefined;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  forEach(callback: (value: Tool, key: string, map: ReadonlyMap<string, Tool>) => void, thisArg?: unknown): void {
    for (const tool of this.list) callback.call(thisArg, tool, tool.name, this);
  }

  *entries(): MapIterator<[string, Tool]> {
    for (const tool of this.list) yield [tool.name, tool];
  }

  *keys(): MapIterator<string> {
    for (const tool of this.list) yield tool.name;
  }

  values(): MapIterator<Tool> {
    return this.list.values();
  }

  [Symbol.iterator](): MapIterator<[string, Tool]> {
    return this.entries();
  }
}

function hasDuplicate(tools: readonly Tool[]): boolean {
  for (let i = 1; i < tools.length; i++) for (let j = 0; j < i; j++) if (tools[i]!.name === tools[j]!.name) return true;
  return false;
}
