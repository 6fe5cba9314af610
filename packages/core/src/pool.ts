// One MCP client per upstream service, connected lazily and shared by all router callers. The pool
// owns connecting, listing tools (and re-listing on list_changed), reconnecting after a drop, and
// closing every client (and so every stdio child) on close().
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ToolListChangedNotificationSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Transport } from './contracts.js';
import type { ServiceDescriptor } from './descriptor.js';
import { SwitchboardError } from './errors.js';
import type { Logger } from './logger.js';
import { CORE_VERSION } from './version.js';

interface Connection {
  descriptor: ServiceDescriptor;
  client?: Client;
  pending?: Promise<Client>;
}

export interface UpstreamPoolOptions {
  transports: ReadonlyMap<string, Transport>;
  logger: Logger;
  connectTimeoutMs: number;
  /** Called with the server's full tool list after connecting and on every list_changed. */
  onTools(name: string, tools: Tool[]): void;
  /** Called when an upstream connection closes by itself (process exit, socket drop). */
  onDisconnect(name: string, reason: string): void;
}

export class UpstreamPool {
  private readonly connections = new Map<string, Connection>();
  private closed = false;

  constructor(private readonly options: UpstreamPoolOptions) {}

  /** The connected client for a service, connecting if needed (concurrent callers share one connect). */
  client(descriptor: ServiceDescriptor): Promise<Client> {
    if (this.closed) return Promise.reject(new SwitchboardError('CLOSED', 'the router is closed', { service: descriptor.name }));
    let conn = this.connections.get(descriptor.name);
    if (conn && conn.descriptor !== descriptor) {
      // The descriptor changed (new url, new command): the old connection is for something else.
      void this.drop(descriptor.name);
      conn = undefined;
    }
    if (!conn) {
      conn = { descriptor };
      this.connections.set(descriptor.name, conn);
    }
    if (conn.client) return Promise.resolve(conn.client);
    return (conn.pending ??= this.connect(conn));
  }

  /** The client if already connected, without connecting. */
  connected(name: string): Client | undefined {
    return this.connections.get(name)?.client;
  }

  async drop(name: string): Promise<void> {
    const conn = this.connections.get(name);
    if (!conn) return;
    this.connections.delete(name);
    // Detach first: a close we asked for is not an upstream failure.
    const client = conn.client ?? (await conn.pending?.catch(() => undefined));
    conn.client = undefined;
    await client?.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.connections.keys()].map((name) => this.drop(name)));
  }

  private async connect(conn: Connection): Promise<Client> {
    const { descriptor } = conn;
    const transportPlugin = this.options.transports.get(descriptor.transport);
    if (!transportPlugin) {
      conn.pending = undefined;
      throw new SwitchboardError(
        'TRANSPORT_MISSING',
        `no transport for '${descriptor.transport}' (service ${descriptor.name}); install the plugin that provides it (${[...this.options.transports.keys()].join(', ') || 'none'} are loaded)`,
        { service: descriptor.name },
      );
    }
    const logger = this.options.logger.child({ service: descriptor.name });
    const client = new Client({ name: 'switchboard', version: CORE_VERSION }, { capabilities: {} });
    try {
      const transport = await transportPlugin.connect(descriptor, { logger });
      await client.connect(transport, { timeout: this.options.connectTimeoutMs });
      if (this.connections.get(descriptor.name) !== conn || this.closed) {
        await client.close().catch(() => undefined);
        throw new SwitchboardError('CLOSED', `connection to ${descriptor.name} was dropped while connecting`, { service: descriptor.name });
      }
      client.onclose = () => {
        if (conn.client !== client) return;
        conn.client = undefined;
        conn.pending = undefined;
        logger.warn('upstream connection closed', {});
        this.options.onDisconnect(descriptor.name, 'connection closed');
      };
      if (client.getServerCapabilities()?.tools) {
        client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
          this.listTools(client)
            .then((tools) => this.options.onTools(descriptor.name, tools))
            .catch((error: unknown) => logger.warn('re-listing tools failed', { error }));
        });
        this.options.onTools(descriptor.name, await this.listTools(client));
      } else {
        this.options.onTools(descriptor.name, []);
      }
      conn.client = client;
      conn.pending = undefined;
      return client;
    } catch (error) {
      conn.pending = undefined;
      await client.close().catch(() => undefined);
      if (SwitchboardError.is(error)) throw error;
      throw new SwitchboardError('TRANSPORT_ERROR', `cannot connect to ${descriptor.name} (${describeEndpoint(descriptor)}): ${(error as Error).message}`, {
        service: descriptor.name,
        cause: error,
      });
    }
  }

  private async listTools(client: Client): Promise<Tool[]> {
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : undefined, { timeout: this.options.connectTimeoutMs });
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    return tools;
  }
}

export function describeEndpoint(d: ServiceDescriptor): string {
  return d.transport === 'stdio' ? `stdio: ${[d.command, ...d.args].join(' ')}` : `${d.transport} ${d.url}`;
}
