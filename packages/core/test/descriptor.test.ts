import { describe, expect, it } from 'vitest';
import { serverEntrySchema, toDescriptor } from '../src/index.js';

describe('server entries', () => {
  it('infers the transport from command or url', () => {
    expect(serverEntrySchema.parse({ name: 'a', command: 'node' }).transport).toBe('stdio');
    expect(serverEntrySchema.parse({ name: 'b', url: 'http://127.0.0.1/mcp' }).transport).toBe('http');
    expect(serverEntrySchema.parse({ name: 'c', url: 'ws://127.0.0.1/mcp' }).transport).toBe('websocket');
    expect(serverEntrySchema.parse({ name: 'd', type: 'sse', url: 'http://127.0.0.1/sse' }).transport).toBe('sse');
    expect(serverEntrySchema.parse({ name: 'e', transport: 'ws', url: 'ws://127.0.0.1/' }).transport).toBe('websocket');
  });

  it('requires what each transport needs', () => {
    const stdio = serverEntrySchema.safeParse({ name: 'a', transport: 'stdio' });
    expect(stdio.success).toBe(false);
    expect(stdio.error!.issues[0]!.path).toEqual(['command']);
    const http = serverEntrySchema.safeParse({ name: 'a', transport: 'http' });
    expect(http.error!.issues[0]!.path).toEqual(['url']);
    expect(serverEntrySchema.safeParse({ name: 'a' }).success).toBe(false);
    expect(serverEntrySchema.safeParse({ name: 'a', url: 'not a url' }).success).toBe(false);
  });

  it('freezes descriptors and records their source', () => {
    const d = toDescriptor(serverEntrySchema.parse({ name: 'a', command: 'node', capabilities: ['x'] }), 'static#0');
    expect(d).toMatchObject({ name: 'a', source: 'static#0', priority: 0, weight: 1, capabilities: ['x'] });
    expect(Object.isFrozen(d)).toBe(true);
  });
});
