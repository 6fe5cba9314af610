// Naming and matching rules of the catalogue, in isolation.
import { describe, expect, it } from 'vitest';
import { templateMatches } from '../src/catalog.js';
import { assignNames, type NamedItem } from '../src/naming.js';
import { stableJson } from '../src/stable-json.js';

const item = (service: string, name: string, definition: unknown): NamedItem<{ name: string }> => ({ service, name, item: { name }, definition });

describe('naming', () => {
  it('treats key order as irrelevant when comparing schemas', () => {
    expect(stableJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(stableJson({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }));
    expect(stableJson({ a: 1 })).not.toBe(stableJson({ a: '1' }));
  });

  it('merges replicas and qualifies only colliding names', () => {
    const s1 = { type: 'object', properties: { q: { type: 'string' } } };
    const s1Reordered = { properties: { q: { type: 'string' } }, type: 'object' };
    const s2 = { type: 'object', properties: { n: { type: 'number' } } };
    const { routes, conflicts } = assignNames('tool', [item('a', 'search', s1), item('b', 'search', s1Reordered), item('a', 'calc', s2), item('c', 'calc', s1)], 'on-collision');
    expect([...routes.keys()].sort()).toEqual(['a__calc', 'c__calc', 'search']);
    expect(routes.get('search')!.members).toEqual(['a', 'b']);
    expect(routes.get('c__calc')).toMatchObject({ upstreamName: 'calc', members: ['c'] });
    expect(conflicts).toEqual([]);
  });

  it("keeps the first definition under 'never' and reports the rest", () => {
    const { routes, conflicts } = assignNames('prompt', [item('a', 'p', 1), item('b', 'p', 2), item('c', 'p', 1)], 'never');
    expect(routes.get('p')!.members).toEqual(['a', 'c']);
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]!.message).toContain("only a, c's is served and b's is hidden");
  });

  it("prefixes everything under 'always'", () => {
    const { routes } = assignNames('tool', [item('a', 't', 1), item('b', 't', 1)], 'always');
    expect([...routes.keys()]).toEqual(['a__t', 'b__t']);
  });

  it('matches URIs against level-1 templates, literals escaped', () => {
    expect(templateMatches('note://x/{id}', 'note://x/42')).toBe(true);
    expect(templateMatches('note://x/{id}', 'note://x/')).toBe(false);
    expect(templateMatches('file:///a.b/{p}', 'file:///aXb/c')).toBe(false);
    expect(templateMatches('plain://r', 'plain://r')).toBe(true);
  });
});
