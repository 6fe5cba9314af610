// `switchboard advertise --name N --port P [--path /mcp] [--proto http] [--caps a,b] [--interface IP]`:
// announce a running MCP server over mDNS/DNS-SD until stopped; on SIGINT/SIGTERM a goodbye is sent.
import { advertise } from '@switchboard/discovery-mdns';
import { createLogger } from '@switchboard/core';
import { UsageError, type CliIo } from '../io.js';
import { untilSignal } from '../until-signal.js';
import { wholeNumberArg } from '../number-arg.js';

export interface AdvertiseCliOptions {
  name?: string;
  port?: string;
  path?: string;
  proto?: string;
  caps?: string;
  interface?: string;
  host?: string;
  ttl?: string;
  'mdns-port'?: string;
}

export async function runAdvertise(io: CliIo, options: AdvertiseCliOptions): Promise<number> {
  if (!options.name) throw new UsageError('--name is required', 'advertise');
  const port = wholeNumberArg(options.port, { flag: '--port', command: 'advertise', min: 1, max: 65_535, what: 'a port number' });
  if (port === undefined) throw new UsageError('--port is required (the TCP port the MCP server listens on)', 'advertise');
  const ttlSeconds = wholeNumberArg(options.ttl, { flag: '--ttl', command: 'advertise', min: 1, max: 2 ** 31 - 1, what: 'seconds' });
  const mdnsPort = wholeNumberArg(options['mdns-port'], { flag: '--mdns-port', command: 'advertise', min: 1, max: 65_535, what: 'a port number' });
  const ad = await advertise(
    {
      name: options.name,
      port,
      ...(options.path ? { path: options.path } : {}),
      ...(options.proto ? { proto: options.proto as 'http' } : {}),
      ...(options.caps ? { caps: options.caps } : {}),
      ...(options.interface ? { interface: options.interface } : {}),
      ...(options.host ? { host: options.host } : {}),
      ...(ttlSeconds ? { ttlSeconds } : {}),
      ...(mdnsPort ? { mdnsPort } : {}),
    },
    { logger: createLogger({ level: 'warn' }) },
  );
  io.out(`advertising ${ad.instanceName} (${ad.fullName}) on port ${port}; Ctrl-C to withdraw`);
  const signal = await untilSignal();
  await ad.stop();
  io.out(`withdrew ${ad.instanceName} (${signal})`);
  return 0;
}
