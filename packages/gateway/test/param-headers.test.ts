// SEP-2243 custom headers as the gateway's 2026-07-28 endpoint checks them: where a declaration
// counts, how a header value is decoded, and when it agrees with the body.
import { describe, expect, it } from 'vitest';
import { paramDeclarations, paramHeaderMismatch } from '../src/downstream/param-headers.js';

const schema = {
  type: 'object',
  properties: {
    region: { type: 'string', 'x-mcp-header': 'Region' },
    shard: { type: 'integer', 'x-mcp-header': 'Shard' },
    dry: { type: 'boolean', 'x-mcp-header': 'Dry' },
    target: { type: 'object', properties: { zone: { type: 'string', 'x-mcp-header': 'Zone' } } },
    // Not where the spec allows one: under items, and on a number.
    list: { type: 'array', items: { type: 'object', properties: { x: { type: 'string', 'x-mcp-header': 'X' } } } },
    ratio: { type: 'number', 'x-mcp-header': 'Ratio' },
    query: { type: 'string' },
  },
};

const check = (args: unknown, headers: Record<string, string>) => paramHeaderMismatch(paramDeclarations(schema), args, (name) => headers[name]);

describe('paramDeclarations', () => {
  it('reads declarations along properties chains to primitive types only', () => {
    expect(paramDeclarations(schema).map((d) => [d.path.join('.'), d.header])).toEqual([
      ['region', 'mcp-param-region'],
      ['shard', 'mcp-param-shard'],
      ['dry', 'mcp-param-dry'],
      ['target.zone', 'mcp-param-zone'],
    ]);
    expect(paramDeclarations(undefined)).toEqual([]);
  });
});

describe('paramHeaderMismatch', () => {
  it('accepts headers that agree, Base64 or plain; integers compare as numbers', () => {
    expect(check({ region: 'eu', shard: 42, dry: false, target: { zone: 'a' } }, { 'mcp-param-region': 'eu', 'mcp-param-shard': '42.0', 'mcp-param-dry': 'false', 'mcp-param-zone': 'a' })).toBeUndefined();
    expect(check({ region: 'Hello, 世界' }, { 'mcp-param-region': `=?base64?${Buffer.from('Hello, 世界').toString('base64')}?=` })).toBeUndefined();
    // A value that is absent or null is not expected in a header.
    expect(check({ region: null, query: 'q' }, {})).toBeUndefined();
  });

  it('refuses a header missing, different, badly encoded or with control characters', () => {
    expect(check({ region: 'eu' }, {})).toMatch(/Mcp-Param-Region header is absent/);
    expect(check({ region: 'eu' }, { 'mcp-param-region': 'us' })).toMatch(/says "us"/);
    expect(check({ target: { zone: 'a' } }, { 'mcp-param-zone': 'b' })).toMatch(/target.zone/);
    expect(check({ dry: true }, { 'mcp-param-dry': 'TRUE' })).toBeDefined();
    expect(check({ shard: 42 }, { 'mcp-param-shard': '' })).toBeDefined();
    expect(check({ region: 'Hello' }, { 'mcp-param-region': '=?base64?SGVsbG8?=' })).toMatch(/not a valid value/); // padding missing
    expect(check({ region: 'Hello' }, { 'mcp-param-region': '=?base64?SGVs!G8=?=' })).toMatch(/not a valid value/);
    expect(check({ region: 'a\nb' }, { 'mcp-param-region': 'a\nb' })).toMatch(/not a valid value/);
  });
});
