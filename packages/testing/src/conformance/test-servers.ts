// Ready-made upstreams for the transport and health suites: the fixture MCP server over Streamable
// HTTP on 127.0.0.1, described the way a discoverer would report it.
import { serverEntrySchema, toDescriptor } from '@switchboard/core';
import type { ServerEntryInput, ServiceDescriptor } from '@switchboard/core';
import { startHttpFixture } from '../fixtures/http.js';
import type { TransportTestServer } from './transport.js';

/** A ServiceDescriptor from a server entry, validated by core's own schema. */
export function testDescriptor(entry: ServerEntryInput, source = 'test#0'): ServiceDescriptor {
  return toDescriptor(serverEntrySchema.parse(entry), source);
}

export async function startHttpTestServer(name = 'conformance-http'): Promise<TransportTestServer> {
  const fixture = await startHttpFixture({ name, tools: ['echo', 'whoami'] });
  return { descriptor: testDescriptor({ name, transport: 'http', url: fixture.url }), close: () => fixture.close() };
}
