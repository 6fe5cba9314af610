import { describe, expect, it } from 'vitest';
import { ToolIndex } from '../src/tool-index.js';

const tool = (name: string, description = name) => ({ name, description, inputSchema: { type: 'object' as const } });

describe('tool index', () => {
  it('answers as a Map of the list would, for a short list and a long one', () => {
    for (const count of [0, 1, 3, 11, 12, 40]) {
      const list = Array.from({ length: count }, (_, i) => tool(`t${i}`));
      const index = new ToolIndex(list);
      const map = new Map(list.map((t) => [t.name, t]));
      expect(index.size).toBe(map.size);
      expect([...index.keys()]).toEqual([...map.keys()]);
      expect([...index.values()]).toEqual([...map.values()]);
      expect([...index]).toEqual([...map]);
      expect(new Map(index)).toEqual(map);
      for (const name of ['t0', `t${count - 1}`, 'missing']) {
        expect(index.get(name)).toBe(map.get(name));
        expect(index.has(name)).toBe(map.has(name));
      }
      const seen: string[] = [];
      index.forEach((value, key) => seen.push(`${key}=${value.name}`));
      expect(seen).toEqual([...map].map(([k, v]) => `${k}=${v.name}`));
    }
  });

  it('keeps Map semantics for a name listed twice: one entry, the last definition', () => {
    const index = new ToolIndex([tool('a', 'first'), tool('b'), tool('a', 'second')]);
    expect(index.size).toBe(2);
    expect(index.get('a')?.description).toBe('second');
    expect([...index.keys()]).toEqual(['a', 'b']);
  });
});
