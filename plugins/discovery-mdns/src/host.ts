// Which host name and addresses an advertised instance publishes.
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { localHostName } from './names.js';

export interface PublishedHost {
  readonly host: string;
  readonly addresses: readonly string[];
}

export function publishedHost(options: { host?: string; interface?: string }): PublishedHost {
  if (options.host && isIP(options.host)) return { host: localHostName(hostname()), addresses: [options.host] };
  const host = options.host ? (options.host.includes('.') ? options.host.replace(/\.$/, '') : `${options.host}.local`) : localHostName(hostname());
  if (options.interface && options.interface !== '0.0.0.0') return { host, addresses: [options.interface] };
  return { host, addresses: localAddresses() };
}

/** Non-internal IPv4 and routable IPv6 addresses; loopback only when there is nothing else. */
function localAddresses(): string[] {
  const external: string[] = [];
  const internal: string[] = [];
  for (const infos of Object.values(networkInterfaces())) {
    for (const info of infos ?? []) {
      // A link-local IPv6 address is useless to a peer without its zone index.
      if (info.family === 'IPv6' && /^fe80:/i.test(info.address)) continue;
      (info.internal ? internal : external).push(info.address);
    }
  }
  return external.length > 0 ? external : internal.filter((a) => isIP(a) === 4);
}
