import { describe, expect, it } from 'vitest';
import { SharedToolLists } from '../src/shared-tool-lists.js';

const tools = (n: number) => [{ name: `t${n}`, inputSchema: { type: 'object' as const } }];

describe('shared tool lists', () => {
  it('answers a list with known content with the copy held, and a new one with itself', () => {
    const lists = new SharedToolLists();
    const first = tools(1);
    const a = lists.intern(first);
    expect(a.list).toBe(first);
    expect(a.byName.get('t1')).toBe(first[0]);
    const b = lists.intern(tools(1));
    expect(b.list).toBe(first);
    expect(b.byName).toBe(a.byName);
    expect(lists.intern(tools(2)).list).not.toBe(first);
  });

  it('remembers the last 16 distinct lists, the least recently used forgotten first', () => {
    const lists = new SharedToolLists();
    const held = Array.from({ length: 17 }, (_, i) => lists.intern(tools(i)));
    // 0 was the oldest when the 17th came: a list with its content is a new copy.
    expect(lists.intern(tools(0)).list).not.toBe(held[0]!.list);
    // 2..16 are still remembered (1 went when 0 came back).
    for (let i = 2; i < 17; i++) expect(lists.intern(tools(i)).list).toBe(held[i]!.list);
    expect(lists.intern(tools(1)).list).not.toBe(held[1]!.list);
  });

  it('shares no list that differs in any detail, order included', () => {
    const lists = new SharedToolLists();
    const ab = [...tools(1), ...tools(2)];
    lists.intern(ab);
    expect(lists.intern([...tools(2), ...tools(1)]).list).not.toBe(ab);
    expect(lists.intern([{ ...tools(1)[0]!, description: 'x' }, ...tools(2)]).list).not.toBe(ab);
    expect(lists.intern([])).toEqual({ list: [], byName: new Map() });
  });
});
