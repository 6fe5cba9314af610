// `switchboard register --etcd URL --name N --url U [--caps a,b] [--ttl S]`: put this server in the
// fleet's etcd registry under a lease kept alive until stopped; on SIGINT/SIGTERM the key is deleted.
import { registerService } from '@switchboard/discovery-etcd';
import { createLogger } from '@switchboard/core';
import { UsageError, type CliIo } from '../io.js';
import { untilSignal } from '../until-signal.js';
import { wholeNumberArg } from '../number-arg.js';

export interface RegisterOptions {
  etcd?: string[];
  name?: string;
  url?: string;
  transport?: string;
  caps?: string;
  ttl?: string;
  prefix?: string;
}

export async function runRegister(io: CliIo, options: RegisterOptions): Promise<number> {
  if (!options.etcd?.length) throw new UsageError('--etcd URL is required (for example http://127.0.0.1:2379)', 'register');
  if (!options.name) throw new UsageError('--name is required', 'register');
  if (!options.url) throw new UsageError('--url is required (the URL clients reach this server at)', 'register');
  const ttlSeconds = wholeNumberArg(options.ttl, { flag: '--ttl', command: 'register', min: 1, max: 2 ** 31 - 1, what: 'seconds' });
  const registration = await registerService({
    endpoints: options.etcd,
    ...(options.prefix ? { prefix: options.prefix } : {}),
    ...(ttlSeconds ? { ttlSeconds } : {}),
    logger: createLogger({ level: 'warn' }),
    entry: {
      name: options.name,
      url: options.url,
      ...(options.transport ? { transport: options.transport } : {}),
      capabilities: options.caps ? options.caps.split(',').map((c) => c.trim()).filter(Boolean) : [],
    },
  });
  io.out(`registered ${options.name} at ${registration.key} (lease kept alive; Ctrl-C to withdraw)`);
  const signal = await untilSignal();
  await registration.stop();
  io.out(`withdrew ${options.name} (${signal})`);
  return 0;
}
