// Run the gateway as a local stdio MCP server: one client connection over stdin/stdout, in the era
// its opening selects (the SDK's stdio entry decides, as the 2026-07-28 stdio binding says): an
// `initialize` pins a 2025 session, a request carrying the 2026-07-28 `_meta` envelope pins a
// stateless 2026-07-28 one (per-request `_meta`, `server/discover`, `subscriptions/listen`). Logs
// go to stderr (the core logger does), because stdout is the protocol stream.
import type { Readable, Writable } from 'node:stream';
import { serveStdioEntry, StdioServerTransport, type JSONRPCMessage, type MessageExtraInfo } from '../sdk/mcp.js';
import { transportView } from '@switchboard/core';
import { LegacyCallLane } from './legacy-call-lane.js';
import type { Gateway } from '../gateway.js';
import type { GatewaySession } from './session.js';
import { LOCAL_IDENTITY } from '../access/identity.js';

export interface ServeStdioOptions {
  stdin?: Readable;
  stdout?: Writable;
}

export interface StdioGateway {
  /** Resolves when the client closes the stream or close() is called. */
  readonly closed: Promise<void>;
  /** The era the client opened with, once it has sent its first request. */
  readonly era: 'legacy' | 'modern' | undefined;
  close(): Promise<void>;
}

export async function serveStdio(gateway: Gateway, options: ServeStdioOptions = {}): Promise<StdioGateway> {
  const stdin = options.stdin ?? process.stdin;
  const wire = new StdioServerTransport(stdin, options.stdout ?? process.stdout);
  let session: GatewaySession | undefined;
  let era: 'legacy' | 'modern' | undefined;
  // A 2025 client's plain tool calls are served by the gateway's call lane (legacy-call-lane.ts):
  // it sees each message before the SDK's entry does, which owns the transport otherwise.
  let lane: { session: GatewaySession; lane: LegacyCallLane } | undefined;
  const intercept = (message: JSONRPCMessage): boolean => {
    if (era !== 'legacy' || !session) return false;
    if (lane?.session !== session) lane = { session, lane: new LegacyCallLane(gateway, session, wire) };
    return lane.lane.intercept(message);
  };
  let entryHandler: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined;
  const deliver = (message: JSONRPCMessage, extra?: MessageExtraInfo): void => {
    if (!intercept(message)) entryHandler?.(message, extra);
  };
  const transport = transportView(wire, {
    get: (property) => (property === 'onmessage' ? { value: entryHandler ? deliver : undefined } : undefined),
    set: (property, value) => {
      if (property !== 'onmessage') return false;
      entryHandler = value as typeof entryHandler;
      wire.onmessage = value === undefined ? undefined : deliver;
      return true;
    },
  });
  const entry = serveStdioEntry(
    (ctx) => {
      era = ctx.era;
      // The one local client: policy and rate limits apply to it as `local` (there are no credentials on stdio).
      session = gateway.createSession(ctx.era, { identity: LOCAL_IDENTITY });
      return session.server;
    },
    { transport, legacy: 'serve', onerror: (error) => gateway.router.logger.debug('stdio client message refused', { error: error.message }) },
  );
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      stdin.off('end', onEnd);
      lane?.lane.abortAll();
      await entry.close().catch(() => undefined);
      await session?.close();
      resolveClosed();
    })());
  // The SDK's stdio transport does not notice EOF; a client that exits ends the session.
  const onEnd = (): void => void close();
  stdin.on('end', onEnd);
  return {
    closed,
    get era() {
      return era;
    },
    close,
  };
}
