// Builds a router + gateway + HTTP endpoint for tests, and SDK clients connected to it, and closes
// all of it afterwards in reverse order.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { createRouter, type Logger, type Router } from '@switchboard/core';
import { createGateway, GATEWAY_CLIENT_CAPABILITIES, serveHttp, type Gateway, type GatewayOptions, type HttpGateway, type ServeHttpOptions } from '@switchboard/gateway';
import type { NamingMode } from '@switchboard/gateway';
import { corePlugins } from './plugins.js';

export interface GatewayHarness {
  router: Router;
  gateway: Gateway;
  http: HttpGateway;
  connect(capabilities?: ClientCapabilities, headers?: Record<string, string>): Promise<Client>;
  close(): Promise<void>;
}

export async function startGateway(
  servers: readonly Record<string, unknown>[],
  options: {
    strategy?: string;
    namespace?: NamingMode;
    http?: Partial<ServeHttpOptions>;
    /** More gateway options (isolation, page size, …). */
    gateway?: Partial<Omit<GatewayOptions, 'router'>>;
    /** Plugins besides the core ones (the WebSocket transport). */
    plugins?: readonly unknown[];
    /** The router's logger (default: errors only, to stderr). */
    logger?: Logger;
  } = {},
): Promise<GatewayHarness> {
  const router = createRouter(
    { discovery: [{ type: 'static', servers }], strategy: { type: options.strategy ?? 'round-robin' }, logLevel: 'error' },
    { plugins: [...corePlugins(), ...(options.plugins ?? [])], clientCapabilities: GATEWAY_CLIENT_CAPABILITIES, ...(options.logger ? { logger: options.logger } : {}) },
  );
  await router.initialize();
  const gateway = createGateway({ router, ...(options.namespace ? { namespace: options.namespace } : {}), ...options.gateway });
  await gateway.ready();
  const http = await serveHttp(gateway, { port: 0, ...options.http });
  const clients: Client[] = [];
  return {
    router,
    gateway,
    http,
    async connect(capabilities = {}, headers = {}) {
      const client = new Client({ name: 'test-client', version: '1.0.0' }, { capabilities });
      await client.connect(new StreamableHTTPClientTransport(new URL(http.url), { requestInit: { headers } }));
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      await http.close();
      await gateway.close();
      await router.close();
    },
  };
}

/** The text of a tool result's first content item. */
export function firstText(result: unknown): string {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content ?? [];
  return content[0]?.text ?? '';
}
