// @switchboard/transport-http: Streamable HTTP upstreams, falling back to legacy HTTP+SSE.
import { SwitchboardError, definePlugin, maxMessageBytes, type McpTransport, type ServiceDescriptor, type Transport, type TransportContext } from '@switchboard/core';
import { z } from 'zod';
import { StreamableHttpWithSseFallback } from './fallback-transport.js';

export { StreamableHttpWithSseFallback, type FallbackOptions } from './fallback-transport.js';

export const httpOptionsSchema = z.strictObject({});

export class HttpTransport implements Transport {
  readonly kinds = ['http', 'sse'] as const;
  /** One HTTP endpoint serves many MCP sessions: each client session gets its own upstream session. */
  readonly multiplexesSessions = true;
  async connect(service: ServiceDescriptor, context: TransportContext): Promise<McpTransport> {
    let url: URL;
    try {
      url = new URL(service.url ?? '');
    } catch {
      throw new SwitchboardError('TRANSPORT_ERROR', `service ${service.name} has no valid url (got '${service.url ?? ''}')`, {
        plugin: 'transport-http',
        service: service.name,
      });
    }
    return new StreamableHttpWithSseFallback({ url, headers: { ...service.headers }, logger: context.logger, mode: service.transport === 'sse' ? 'sse' : 'http',
      maxMessageBytes: maxMessageBytes(service),
      ...(context.requestHeaders ? { requestHeaders: context.requestHeaders } : {}),
    });
  }
}

export function httpTransportPlugin() {
  return definePlugin({
    name: 'transport-http',
    kind: 'transport',
    type: 'http',
    core: '^0.1.0',
    optionsSchema: httpOptionsSchema,
    register(ctx) {
      ctx.provide(new HttpTransport());
    },
  });
}

export default httpTransportPlugin;
