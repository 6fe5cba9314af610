// One MCP client per upstream service, connected lazily and shared by all router callers. The pool
// owns connecting, listing tools (and re-listing on list_changed), reconnecting after a drop, and
// closing every client (and so every stdio child) on close().
import { BUILTIN_PLUGIN_PACKAGES } from './builtins.js';
import { Client, ErrorCode, McpError, ToolListChangedNotificationSchema, type ClientCapabilities, type Tool } from './sdk/mcp.js';
import { describeLinkEnd, reportsLinkEnd, type McpTransport, type Transport } from './contracts.js';
import type { ServiceDescriptor } from './descriptor.js';
import { SwitchboardError } from './errors.js';
import { refuseSelf } from './self-recognition.js';
import type { Logger } from './logger.js';
import { CORE_VERSION } from './version.js';

interface Connection {
  descriptor: ServiceDescriptor;
  client?: Client;
  pending?: Promise<Client>;
  /** Failed connects or short-lived connections in a row; drives the backoff. */
  failures: number;
  /** No connect is tried before this time (performance.now() ms): calls fail fast meanwhile. */
  nextAttemptAt: number;
  connectedAt: number;
  everConnected: boolean;
  restarts: number;
  lastError?: string;
  /** The reason last written to the log at error level (a crash loop is logged once per reason). */
  lastLoggedReason?: string;
  /** The supervisor's scheduled reconnect. */
  timer?: NodeJS.Timeout;
}

export interface ConnectionState {
  connected: boolean;
  /** A connect is under way. */
  connecting: boolean;
  restarts: number;
  consecutiveFailures: number;
  /** Milliseconds until the next connect is allowed (0 when it may happen now). */
  backoffMs: number;
  lastError?: string;
}

/** A connection that dies sooner than this after starting counts toward a crash loop. */
const SHORT_LIVED_MS = 10_000;
const CRASH_LOOP_REPORT_AT = 5;

export interface UpstreamPoolOptions {
  transports: ReadonlyMap<string, Transport>;
  logger: Logger;
  connectTimeoutMs: number;
  /** Called with the server's full tool list after connecting and on every list_changed. */
  onTools(name: string, tools: Tool[]): void;
  /** Called when an upstream connection closes by itself (process exit, socket drop). */
  onDisconnect(name: string, reason: string): void;
  /** What the shared clients declare (the gateway declares sampling, elicitation and roots). */
  clientCapabilities?: ClientCapabilities;
  /** Per-request extra headers for HTTP transports (observers' traceparent). */
  requestHeaders?: () => Record<string, string> | undefined;
  /** Called with every newly connected client, before it is handed out (to attach handlers). */
  onClient?(name: string, client: Client): void;
  /** Called when a service that had dropped is connected again. */
  onReconnect?(name: string): void;
  /** Reconnect backoff: base and cap in ms (exponential with jitter). Defaults 100 ms and 30 s. */
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  /** Reconnect on its own after a drop (restart a stdio server), instead of on the next call. */
  supervise?: boolean;
  /** This router's instance id: an upstream announcing it is this gateway itself and is refused. */
  instanceId?: string;
}

export class UpstreamPool {
  private readonly connections = new Map<string, Connection>();
  private closed = false;

  constructor(private readonly options: UpstreamPoolOptions) {}

  /**
   * The connected client for a service, connecting if needed (concurrent callers share one connect).
   * `probe` (health checks) connects even while backing off: a probe on its own interval is how a
   * recovered server is found without waiting out a long backoff.
   */
  client(descriptor: ServiceDescriptor, options: { probe?: boolean } = {}): Promise<Client> {
    if (this.closed) return Promise.reject(new SwitchboardError('CLOSED', 'the router is closed', { service: descriptor.name }));
    let conn = this.connections.get(descriptor.name);
    if (conn && conn.descriptor !== descriptor) {
      // The descriptor changed (new url, new command): the old connection is for something else.
      void this.drop(descriptor.name);
      conn = undefined;
    }
    if (!conn) {
      conn = { descriptor, failures: 0, nextAttemptAt: 0, connectedAt: 0, everConnected: false, restarts: 0 };
      this.connections.set(descriptor.name, conn);
    }
    if (conn.client) return Promise.resolve(conn.client);
    if (conn.pending) return conn.pending;
    const wait = conn.nextAttemptAt - performance.now();
    if (wait > 0 && !options.probe) {
      // Backing off after failures: fail at once (the call never left, so it fails over safely).
      return Promise.reject(
        new SwitchboardError('TRANSPORT_ERROR', `${descriptor.name} is down (${conn.lastError ?? 'connection failed'}); reconnecting in ${Math.ceil(wait)} ms`, {
          service: descriptor.name,
        }),
      );
    }
    return (conn.pending = this.connect(conn));
  }

  /** Supervision state of a service's connection, for health reports. */
  state(name: string): ConnectionState | undefined {
    const conn = this.connections.get(name);
    if (!conn) return undefined;
    return {
      connected: conn.client !== undefined,
      connecting: conn.pending !== undefined,
      restarts: conn.restarts,
      consecutiveFailures: conn.failures,
      backoffMs: Math.max(0, Math.round(conn.nextAttemptAt - performance.now())),
      ...(conn.lastError ? { lastError: conn.lastError } : {}),
    };
  }

  /**
   * The upstream's session is no longer usable (its server restarted and forgot it, or the link
   * is dead although no close was seen): close the client so the next call connects afresh.
   */
  /**
   * The server forgot our session (it restarted) but is up: drop the client and connect again at
   * once, without the backoff a failure earns.
   */
  renew(name: string): void {
    const conn = this.connections.get(name);
    const client = conn?.client;
    if (!conn || !client) return;
    conn.client = undefined;
    conn.nextAttemptAt = 0;
    void client.close().catch(() => undefined);
  }

  invalidate(name: string, reason: string): void {
    const conn = this.connections.get(name);
    const client = conn?.client;
    if (!conn || !client) return;
    conn.client = undefined;
    this.recordDrop(conn, reason);
    void client.close().catch(() => undefined);
  }

  private backoffMs(failures: number): number {
    const base = this.options.reconnectBaseMs ?? 100;
    const cap = this.options.reconnectMaxMs ?? 30_000;
    const ceiling = Math.min(cap, base * 2 ** Math.max(0, failures - 1));
    return ceiling / 2 + (Math.random() * ceiling) / 2; // "equal jitter": never near zero, never synchronised
  }

  private recordDrop(conn: Connection, reason: string): void {
    const lived = performance.now() - conn.connectedAt;
    conn.failures = lived < SHORT_LIVED_MS ? conn.failures + 1 : 1;
    conn.lastError = reason;
    const delay = this.backoffMs(conn.failures);
    conn.nextAttemptAt = performance.now() + delay;
    // Said once when the loop starts, and again only if the reason changes: a server failing the
    // same way every few seconds must not fill the log.
    const repeated = reason === conn.lastLoggedReason;
    if (conn.failures >= CRASH_LOOP_REPORT_AT && (conn.failures === CRASH_LOOP_REPORT_AT || !repeated)) {
      this.options.logger.error('upstream is crash-looping; backing off', { service: conn.descriptor.name, failuresInARow: conn.failures, backoffMs: Math.round(delay), reason });
      conn.lastLoggedReason = reason;
    }
    this.schedule(conn, delay);
  }

  /** The supervisor: reconnect after the backoff, again and again, until it works or is dropped. */
  private schedule(conn: Connection, delay: number): void {
    if (!this.options.supervise || this.closed) return;
    if (conn.timer) clearTimeout(conn.timer);
    conn.timer = setTimeout(() => {
      conn.timer = undefined;
      if (this.closed || this.connections.get(conn.descriptor.name) !== conn || conn.client || conn.pending) return;
      // The supervisor decides when to try, so the backoff gate must not refuse it (a refusal
      // would schedule nothing and leave the service down for good). A failure schedules the next try.
      this.client(conn.descriptor, { probe: true }).catch(() => undefined);
    }, delay + 1);
    conn.timer.unref();
  }

  /** The client if already connected, without connecting. */
  connected(name: string): Client | undefined {
    return this.connections.get(name)?.client;
  }

  async drop(name: string): Promise<void> {
    const conn = this.connections.get(name);
    if (!conn) return;
    this.connections.delete(name);
    if (conn.timer) clearTimeout(conn.timer);
    // Detach first: a close we asked for is not an upstream failure.
    const client = conn.client ?? (await conn.pending?.catch(() => undefined));
    conn.client = undefined;
    await client?.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const conn of this.connections.values()) if (conn.timer) clearTimeout(conn.timer);
    await Promise.all([...this.connections.keys()].map((name) => this.drop(name)));
  }

  private async connect(conn: Connection): Promise<Client> {
    const { descriptor } = conn;
    const transportPlugin = this.options.transports.get(descriptor.transport);
    if (!transportPlugin) {
      conn.pending = undefined;
      throw new SwitchboardError(
        'TRANSPORT_MISSING',
        missingTransportMessage(descriptor, [...this.options.transports.keys()]),
        { service: descriptor.name },
      );
    }
    const logger = this.options.logger.child({ service: descriptor.name });
    // Once it has failed again soon after a restart, what the process prints on each start (the
    // same stderr lines, again and again) goes to debug; the failure message carries its last lines.
    const transportLogger = conn.failures >= 2 ? toDebug(logger) : logger;
    const client = new Client({ name: 'switchboard', version: CORE_VERSION }, { capabilities: this.options.clientCapabilities ?? {} });
    // One bound on the whole connect, whatever step stalls (a spawn, a transport plugin, a server
    // that accepts and never answers): a connect that never settles would leave the service
    // "connecting" for good, with no supervisor retry and every call queued behind it.
    let stalled: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      stalled = setTimeout(
        () => reject(new SwitchboardError('TRANSPORT_ERROR', `connect did not finish within ${2 * this.options.connectTimeoutMs} ms`, { service: descriptor.name })),
        2 * this.options.connectTimeoutMs,
      );
    });
    const building = Promise.resolve().then(() =>
      transportPlugin.connect(descriptor, {
        logger: transportLogger,
        ...(this.options.requestHeaders ? { requestHeaders: this.options.requestHeaders } : {}),
      }),
    );
    let built = false;
    let transport: McpTransport | undefined;
    let stage: ConnectStage = 'transport';
    try {
      transport = await Promise.race([building, bound]);
      built = true;
      stage = 'initialize';
      await Promise.race([client.connect(transport, { timeout: this.options.connectTimeoutMs }), bound]);
      stage = 'list';
      if (this.options.instanceId) refuseSelf(descriptor.name, describeEndpoint(descriptor), client.getServerCapabilities()?.experimental, this.options.instanceId);
      if (this.connections.get(descriptor.name) !== conn || this.closed) {
        await client.close().catch(() => undefined);
        throw new SwitchboardError('CLOSED', `connection to ${descriptor.name} was dropped while connecting`, { service: descriptor.name });
      }
      const linked = transport;
      client.onclose = () => {
        if (conn.client !== client) return;
        conn.client = undefined;
        conn.pending = undefined;
        const end = reportsLinkEnd(linked) ? linked.linkEnd() : undefined;
        const reason = end ? `connection closed: ${describeLinkEnd(end)}` : 'connection closed';
        logger.warn('upstream connection closed', end ? { reason } : {});
        this.recordDrop(conn, reason);
        this.options.onDisconnect(descriptor.name, reason);
      };
      if (client.getServerCapabilities()?.tools) {
        client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
          this.listTools(client)
            .then((tools) => this.options.onTools(descriptor.name, tools))
            .catch((error: unknown) => logger.warn('re-listing tools failed', { error }));
        });
        this.options.onTools(descriptor.name, await Promise.race([this.listTools(client), bound]));
      } else {
        this.options.onTools(descriptor.name, []);
      }
      this.options.onClient?.(descriptor.name, client);
      conn.client = client;
      conn.pending = undefined;
      conn.connectedAt = performance.now();
      conn.lastLoggedReason = undefined;
      if (conn.everConnected) {
        conn.restarts++;
        logger.info('upstream reconnected', { restarts: conn.restarts });
        this.options.onReconnect?.(descriptor.name);
      }
      conn.everConnected = true;
      return client;
    } catch (error) {
      conn.pending = undefined;
      // An error that already names its service is passed on; anything else is said with the
      // service and endpoint, keeping a transport's code and LinkFault.
      const wrapped =
        SwitchboardError.is(error) && error.service !== undefined
          ? error
          : new SwitchboardError(SwitchboardError.is(error) ? error.code : 'TRANSPORT_ERROR', `cannot connect to ${descriptor.name} (${describeEndpoint(descriptor)}): ${connectFailure(stage, error, transport, this.options.connectTimeoutMs)}`, {
              service: descriptor.name,
              cause: error,
              ...(SwitchboardError.is(error) && error.link ? { link: error.link } : {}),
            });
      // The next try is scheduled before the (possibly slow) close of this one.
      if (this.connections.get(descriptor.name) === conn && !this.closed && wrapped.code !== 'CLOSED') {
        conn.connectedAt = performance.now();
        this.recordDrop(conn, wrapped.message);
      }
      await client.close().catch(() => undefined);
      // A transport the plugin delivers after we gave up is closed, not leaked.
      if (!built) void building.then((late) => late.close(), () => undefined).catch(() => undefined);
      throw wrapped;
    } finally {
      clearTimeout(stalled);
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

/** A logger whose info and warn lines are written at debug. */
function toDebug(logger: Logger): Logger {
  const debug = (message: string, fields?: Record<string, unknown>): void => logger.debug(message, fields);
  return { debug, info: debug, warn: debug, error: (message, fields) => logger.error(message, fields), child: (fields) => toDebug(logger.child(fields)) };
}

type ConnectStage = 'transport' | 'initialize' | 'list';

/**
 * Why a connect failed, in words an operator can act on: how a process ended and what it last
 * wrote to stderr, or that whatever answered does not speak MCP, rather than "Connection closed"
 * or "Method not found" alone.
 */
function connectFailure(stage: ConnectStage, error: unknown, transport: McpTransport | undefined, timeoutMs: number): string {
  const end = reportsLinkEnd(transport) ? transport.linkEnd() : undefined;
  const step = stage === 'list' ? 'listing its tools' : 'answering initialize';
  if (end) return describeLinkEnd(end, `before ${step}`);
  if (stage === 'initialize' && error instanceof McpError) {
    if (error.code === ErrorCode.RequestTimeout) return `it did not answer initialize within ${timeoutMs} ms; is it an MCP server?`;
    if (error.code !== ErrorCode.ConnectionClosed) return `it answered initialize with an error (${error.message}); is it an MCP server?`;
  }
  return (error as Error).message;
}

export function describeEndpoint(d: ServiceDescriptor): string {
  return d.transport === 'stdio' ? `stdio: ${[d.command, ...d.args].join(' ')}` : `${d.transport} ${d.url}`;
}

/** Names the package that provides a missing transport, as the missing-discovery message does. */
export function missingTransportMessage(descriptor: Pick<ServiceDescriptor, 'name' | 'transport'>, loaded: readonly string[]): string {
  const pkg = BUILTIN_PLUGIN_PACKAGES.transport[descriptor.transport];
  const provider = pkg ? `install ${pkg} (pnpm add ${pkg}) or list it in plugins:` : `install the package that provides transport '${descriptor.transport}' and list it in plugins:`;
  return `no transport for '${descriptor.transport}' (service ${descriptor.name}); ${provider} transports loaded: ${loaded.join(', ') || 'none'}`;
}
