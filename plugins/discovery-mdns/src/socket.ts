// One mDNS endpoint: a multicast-dns instance on a UDP socket we create ourselves, so that the
// outgoing multicast interface is set explicitly before anything is sent. multicast-dns only sets
// it when joining the group succeeded; otherwise packets would follow the default route, i.e. go
// out on whatever interface that is.
import { createSocket } from 'node:dgram';
import type { Logger } from '@switchboard/core';
import makeMdns from 'multicast-dns';
import type { MulticastDNS, QueryOutgoingPacket, ResponseOutgoingPacket } from 'multicast-dns';
import { mdnsError } from './errors.js';

export interface MdnsSocketOptions {
  /** IPv4 address of the interface to use; undefined joins on every interface (multicast-dns default). */
  readonly interface?: string;
  readonly port: number;
  readonly logger: Logger;
}

export interface MdnsSocket {
  readonly mdns: MulticastDNS;
  /** Multicast a query; resolves with the send error, if any, rather than throwing. */
  query(packet: QueryOutgoingPacket): Promise<Error | undefined>;
  /** Multicast a response; resolves with the send error, if any, rather than throwing. */
  respond(packet: ResponseOutgoingPacket): Promise<Error | undefined>;
  close(): Promise<void>;
}

const LOOPBACK_HINT =
  'On Linux, loopback multicast needs the group joinable on lo: try `ip link set lo multicast on` and `ip route add 224.0.0.0/4 dev lo`';

export async function openMdnsSocket(options: MdnsSocketOptions): Promise<MdnsSocket> {
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  const mdns = makeMdns({
    socket,
    port: options.port,
    interface: options.interface,
    // Bind the wildcard address: on Linux a socket bound to a unicast address (127.0.0.1) never
    // receives datagrams sent to the group address.
    bind: '0.0.0.0',
    loopback: true,
  });
  const startupWarnings: Error[] = [];
  const onStartupWarning = (err: Error): void => {
    startupWarnings.push(err);
  };
  mdns.on('warning', onStartupWarning);

  let closed = false;
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      if (closed) return resolve();
      closed = true;
      mdns.destroy(() => resolve());
    });

  try {
    await new Promise<void>((resolve, reject) => {
      mdns.once('ready', resolve);
      mdns.once('error', reject);
    });
  } catch (err) {
    await close();
    throw mdnsError('DISCOVERY_ERROR', `cannot bind the mDNS port ${options.port}: ${(err as Error).message}`, err);
  }
  mdns.off('warning', onStartupWarning);

  if (options.interface !== undefined) {
    const joinFailure = startupWarnings[0];
    if (joinFailure) {
      await close();
      throw mdnsError('DISCOVERY_ERROR', `cannot join the mDNS group on ${options.interface}: ${joinFailure.message}. ${LOOPBACK_HINT}`, joinFailure);
    }
    try {
      socket.setMulticastInterface(options.interface);
    } catch (err) {
      await close();
      throw mdnsError('DISCOVERY_ERROR', `cannot send mDNS multicast from ${options.interface}: ${(err as Error).message}`, err);
    }
  } else {
    for (const warning of startupWarnings) options.logger.debug('mdns: could not join the group on an interface', { err: warning });
  }

  // After start-up, socket trouble is reported, never thrown: mDNS is best-effort by design.
  mdns.on('warning', (err: Error) => options.logger.debug('mdns socket warning', { err }));
  mdns.on('error', (err: Error) => options.logger.warn('mdns socket error', { err }));

  const send = (fn: (cb: (error: Error | null) => void) => void): Promise<Error | undefined> =>
    new Promise((resolve) => {
      if (closed) return resolve(undefined);
      fn((error) => resolve(error ?? undefined));
    });

  return {
    mdns,
    query: (packet) => send((cb) => mdns.query(packet, cb)),
    respond: (packet) => send((cb) => mdns.respond(packet, cb)),
    close,
  };
}
