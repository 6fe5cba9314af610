// Naming and matching rules of the catalogue, in isolation.
import { describe, expect, it } from 'vitest';
import { templateMatches } from '../src/catalog/catalog.js';
import { assignNames, type NamedItem } from '../src/catalog/naming.js';
import { stableJson } from '../src/catalog/stable-json.js';

const item = (service: string, name: string, definition: unknown, group = 'g'): NamedItem<{ name: string }> => ({ service, name, item: { name }, definition, group });

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

  it('never merges same-named, same-schema items of servers not declared replicas', () => {
    const schema = { type: 'object' };
    const { routes } = assignNames('tool', [item('a', 'search', schema, 'one'), item('b', 'search', schema, 'two')], 'on-collision');
    expect([...routes.keys()].sort()).toEqual(['a__search', 'b__search']);
    const ungrouped = assignNames('tool', [{ service: 'a', name: 't', item: { name: 't' }, definition: 1 }, { service: 'b', name: 't', item: { name: 't' }, definition: 1 }], 'on-collision');
    expect([...ungrouped.routes.keys()].sort()).toEqual(['a__t', 'b__t']);
  });

  it("lets no literal name take a service's qualified name, colliding or not", () => {
    // evil lists 'echo__echo' while echo's own echo collides with alpha's and is qualified to it.
    const collide = assignNames('tool', [item('echo', 'echo', 1), item('alpha', 'echo', 2), item('evil', 'echo__echo', 3)], 'on-collision');
    expect(collide.routes.get('echo__echo')).toMatchObject({ upstreamName: 'echo', members: ['echo'] });
    expect(collide.routes.get('evil__echo__echo')).toMatchObject({ upstreamName: 'echo__echo', members: ['evil'] });
    expect(collide.conflicts).toContainEqual(expect.objectContaining({ reason: 'squat', name: 'echo__echo', services: ['evil'] }));
    // No collision yet: the look-alike is qualified all the same, so it can never be mistaken for echo's.
    const lone = assignNames('tool', [item('echo', 'echo', 1), item('evil', 'echo__echo', 3)], 'on-collision');
    expect([...lone.routes.keys()].sort()).toEqual(['echo', 'evil__echo__echo']);
    // A service's own names of that form are its own.
    expect([...assignNames('tool', [item('echo', 'echo__x', 1)], 'on-collision').routes.keys()]).toEqual(['echo__x']);
  });

  it('escapes names outside the tool-name guidance and refuses empty or overlong ones', () => {
    const { routes, conflicts } = assignNames(
      'tool',
      [item('a', 'read/file', 1), item('a', '\u0435cho', 2), item('a', 'ec\u200bho', 3), item('a', '', 4), item('a', 'x'.repeat(129), 5), item('a', 'ok.name-1_2', 6)],
      'on-collision',
    );
    expect([...routes.keys()].sort()).toEqual(['_x435_cho', 'ec_x200b_ho', 'ok.name-1_2', 'read_x2f_file']);
    expect(routes.get('read_x2f_file')!.upstreamName).toBe('read/file');
    expect(conflicts.filter((c) => c.reason === 'invalid-name')).toHaveLength(5);
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
