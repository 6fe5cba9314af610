// `switchboard serve` checks that it can listen before it spends seconds discovering and connecting
// upstreams: a port in use used to surface, after every upstream had connected, as a raw
// EADDRINUSE stack trace. The check binds and releases at once; the real bind follows shortly after.
import { createServer } from 'node:net';
import { SwitchboardError } from '@switchboard/core';

export async function assertCanListen(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error: NodeJS.ErrnoException) => {
      const why =
        error.code === 'EADDRINUSE'
          ? 'the address is already in use (another switchboard serve, or another server on that port?); pick another with --http PORT or gateway.http.port'
          : error.code === 'EACCES'
            ? 'permission denied (ports below 1024 need privileges); pick another with --http PORT'
            : error.code === 'EADDRNOTAVAIL'
              ? `${host} is not an address of this machine; set --host or gateway.http.host`
              : error.message;
      reject(new SwitchboardError('LISTEN_FAILED', `cannot listen on ${host}:${port}: ${why}`, { cause: error }));
    });
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
