// Bounds on the TCP connections the HTTP gateway holds, which a peer can otherwise open until the
// process runs out of file descriptors (20 000 idle sockets stopped /healthz): a total, a share per
// remote address, and a deadline for a connection's first request. node:http's headersTimeout only
// starts once a request has begun, so a socket that never sends a byte would be held for good.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionLimits {
  readonly max: number;
  readonly perAddress: number;
  readonly firstRequestMs: number;
  readonly onRefused?: (why: 'total' | 'address' | 'idle', address: string) => void;
}

export function limitConnections(server: Server, limits: ConnectionLimits): void {
  let open = 0;
  const byAddress = new Map<string, number>();
  const waiting = new WeakMap<Socket, NodeJS.Timeout>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const fromAddress = byAddress.get(address) ?? 0;
    if (open >= limits.max || fromAddress >= limits.perAddress) {
      limits.onRefused?.(open >= limits.max ? 'total' : 'address', address);
      socket.destroy();
      return;
    }
    open++;
    byAddress.set(address, fromAddress + 1);
    const timer = setTimeout(() => {
      limits.onRefused?.('idle', address);
      socket.destroy();
    }, limits.firstRequestMs);
    timer.unref();
    waiting.set(socket, timer);
    socket.once('close', () => {
      clearTimeout(timer);
      open--;
      const left = (byAddress.get(address) ?? 1) - 1;
      if (left > 0) byAddress.set(address, left);
      else byAddress.delete(address);
    });
  });
  server.on('request', (req) => {
    const timer = waiting.get(req.socket);
    if (timer) {
      clearTimeout(timer);
      waiting.delete(req.socket);
    }
  });
}
