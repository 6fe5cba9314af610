// What `advertise()` (and the `switchboard advertise` CLI command) accepts.
import { z } from 'zod';
import { DEFAULT_SERVICE_TYPE, MDNS_PORT } from './constants.js';
import { DEFAULT_PATH } from './server-entry.js';

export const advertiseOptionsSchema = z.strictObject({
  /** Instance name, also the service's name in Switchboard. Renamed "name (2)" if taken. */
  name: z.string().min(1),
  /** TCP port the MCP server listens on. */
  port: z.number().int().min(1).max(65535),
  /** SRV target host name (`.local` is appended to a bare label), or an IP address to publish. */
  host: z.string().min(1).optional(),
  path: z.string().startsWith('/', 'path must start with /').default(DEFAULT_PATH),
  proto: z.enum(['http', 'sse', 'ws']).default('http'),
  /** Capabilities, as a list or the CLI's comma-separated string. */
  caps: z
    .union([z.array(z.string().min(1).refine((c) => !c.includes(','), 'a capability cannot contain a comma')), z.string()])
    .optional()
    .transform((caps) =>
      (typeof caps === 'string' ? caps.split(',') : (caps ?? [])).map((c) => c.trim()).filter((c) => c.length > 0),
    ),
  /** IPv4 address to send from and publish; default: every interface and its addresses. */
  interface: z.ipv4().optional(),
  /** TTL of every record. Default: RFC 6762's 120 s for SRV/A/AAAA and 4500 s for PTR/TXT. */
  ttlSeconds: z.number().int().min(1).max(86_400).optional(),
  serviceType: z.string().min(1).default(DEFAULT_SERVICE_TYPE),
  /** UDP port of the mDNS group. Only tests and isolated setups change it. */
  mdnsPort: z.number().int().min(1).max(65535).default(MDNS_PORT),
});

export type AdvertiseOptions = z.input<typeof advertiseOptionsSchema>;
export type ResolvedAdvertiseOptions = z.output<typeof advertiseOptionsSchema>;
