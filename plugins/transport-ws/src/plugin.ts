// The Switchboard plugin: serves descriptors with `transport: websocket` (or a ws:// url) by
// building an unstarted WebSocketClientTransport; the pool above starts, reconnects and closes it.
import type { McpTransport, ServiceDescriptor, Transport, TransportContext } from '@switchboard/core';
import { definePlugin, maxMessageBytes, SwitchboardError } from '@switchboard/core';
import { z } from 'zod';
import { WebSocketClientTransport } from './client-transport.js';
import { PLUGIN_NAME } from './plugin-name.js';

export const websocketOptionsSchema = z.strictObject({
  /** Give up on an upgrade that has not completed after this long. */
  handshakeTimeoutMs: z.number().int().positive().default(10_000),
  /** Ping each upstream this often and drop connections whose ping goes unanswered; 0 turns it off. */
  heartbeatIntervalMs: z.number().int().min(0).default(30_000),
  /** Largest frame accepted from any upstream; a server entry's maxMessageBytes overrides it (default DEFAULT_MAX_MESSAGE_BYTES). */
  maxPayloadBytes: z.number().int().positive().optional(),
});

export type WebSocketTransportOptions = z.output<typeof websocketOptionsSchema>;

export class WebSocketTransport implements Transport {
  readonly kinds = ['websocket'] as const;
  /** One WebSocket endpoint serves many MCP sessions: each client session gets its own upstream session. */
  readonly multiplexesSessions = true;

  constructor(private readonly options: WebSocketTransportOptions = websocketOptionsSchema.parse({})) {}

  async connect(service: ServiceDescriptor, context: TransportContext): Promise<McpTransport> {
    if (!service.url) {
      throw new SwitchboardError('TRANSPORT_ERROR', `websocket service ${service.name} has no url; set url: ws://host:port/path`, {
        plugin: PLUGIN_NAME,
        service: service.name,
      });
    }
    return new WebSocketClientTransport(service.url, {
      name: service.name,
      headers: service.headers,
      handshakeTimeoutMs: this.options.handshakeTimeoutMs,
      heartbeatIntervalMs: this.options.heartbeatIntervalMs,
      // ws refuses a larger frame while reading it (close code 1009), before it is held whole.
      maxPayloadBytes: service.maxMessageBytes ?? this.options.maxPayloadBytes ?? maxMessageBytes(service),
      // Requests queued for an upstream that stopped reading: room for a few of the largest messages, then the link is dropped.
      maxBufferedBytes: 4 * (service.maxMessageBytes ?? this.options.maxPayloadBytes ?? maxMessageBytes(service)),
      ...(context.signal && { signal: context.signal }),
    });
  }
}

export function websocketTransportPlugin() {
  return definePlugin({
    name: PLUGIN_NAME,
    kind: 'transport',
    type: 'websocket',
    core: '^0.1.0',
    optionsSchema: websocketOptionsSchema,
    register(ctx, options) {
      ctx.provide(new WebSocketTransport(options));
    },
  });
}
