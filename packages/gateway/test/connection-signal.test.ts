// The lane's signal of a client going away: one per connection, aborted when it closes (real
// loopback sockets).
import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectionGone } from '../src/downstream/modern-call-lane.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

async function pair(): Promise<{ server: Socket; client: Socket }> {
  const listener = createServer();
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const port = (listener.address() as { port: number }).port;
  const client = connect(port, '127.0.0.1');
  const [server] = (await once(listener, 'connection')) as [Socket];
  cleanups.push(() => (client.destroy(), server.destroy(), listener.close()));
  return { server, client };
}

describe('connectionGone', () => {
  it('is one signal per connection, aborted when the client closes it', async () => {
    const { server, client } = await pair();
    const signal = connectionGone(server);
    expect(connectionGone(server)).toBe(signal);
    expect(signal.aborted).toBe(false);
    client.destroy();
    await once(signal, 'abort');
    expect(signal.aborted).toBe(true);
  });

  it('is aborted at once for a connection already closed', async () => {
    const { server } = await pair();
    server.destroy();
    await once(server, 'close');
    expect(connectionGone(server).aborted).toBe(true);
  });

  it('gives each connection its own', async () => {
    const a = await pair();
    const b = await pair();
    expect(connectionGone(a.server)).not.toBe(connectionGone(b.server));
    a.client.destroy();
    await once(connectionGone(a.server), 'abort');
    expect(connectionGone(b.server).aborted).toBe(false);
  });
});
