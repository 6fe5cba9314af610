// @example/switchboard-transport-tcp: a third-party transport, written against core's contracts
// only. It declares that one TCP listener serves many sessions, so the gateway gives each client
// session its own upstream connection with no list of transports anywhere in core.
import { connect, type Socket } from 'node:net';
import { definePlugin, linkError, type MessageTransport, type ServiceDescriptor, type Transport } from '@switchboard/core';
import { z } from 'zod';
import { SocketLink } from './socket-link.js';

export { serveMcpOverTcp, type ConnectableServer, type McpTcpServer } from './serve.js';
export { SocketLink, MAX_LINE_BYTES } from './socket-link.js';

export const tcpOptionsSchema = z.strictObject({});

export class TcpTransport implements Transport {
  readonly kinds = ['tcp'] as const;
  readonly multiplexesSessions = true;

  async connect(service: ServiceDescriptor): Promise<MessageTransport> {
    const url = new URL(service.url ?? '');
    if (url.protocol !== 'tcp:' || !url.port) throw linkError('connect', 'no', `service ${service.name}: a tcp url looks like tcp://host:port (got '${service.url ?? ''}')`);
    // Connected when the SDK starts the link, not before.
    const open = (): Promise<Socket> =>
      new Promise((resolve, reject) => {
        const socket = connect({ host: url.hostname, port: Number(url.port) });
        socket.once('connect', () => resolve(socket));
        // No connection was made, so nothing can have been delivered.
        socket.once('error', (error) => reject(linkError('connect', 'no', `cannot connect to ${url.host}: ${error.message}`, { cause: error })));
      });
    return new SocketLink(open, `tcp server ${url.host}`);
  }
}

export function tcpTransportPlugin() {
  return definePlugin({
    name: 'example-transport-tcp',
    kind: 'transport',
    type: 'tcp',
    core: '^0.1.0',
    optionsSchema: tcpOptionsSchema,
    register(ctx) {
      ctx.provide(new TcpTransport());
    },
  });
}

export default tcpTransportPlugin;
