// `switchboard advertise --name N --port P [--path /mcp] [--proto http] [--caps a,b] [--interface IP]`:
// announce a running MCP server over mDNS/DNS-SD until stopped; on SIGINT/SIGTERM a goodbye is sent.
import { advertise } from '@switchboard/discovery-mdns';
import { createLogger } from '@switchboard/core';
import { UsageError, type CliIo } from '../io.js';
import { untilSignal } from '../until-signal.js';

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

function integer(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new UsageError(`${flag} must be a whole number (got '${value}')`, 'advertise');
  return n;
}

export async function runAdvertise(io: CliIo, options: AdvertiseCliOptions): Promise<number> {
  if (!options.name) throw new UsageError('--name is required', 'advertise');
  const port = integer(options.port, '--port');
  if (port === undefined) throw new UsageError('--port is required (the TCP port the MCP server listens on)', 'advertise');
  const ttlSeconds = integer(options.ttl, '--ttl');
  const mdnsPort = integer(options['mdns-port'], '--mdns-port');
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
