// The discoverer's options, validated once by core from the `discovery: [{ type: 'mdns', ... }]` entry.
import { z } from 'zod';
import { DEFAULT_SERVICE_TYPE, MDNS_PORT } from './constants.js';

export const mdnsOptionsSchema = z.strictObject({
  /** IPv4 address of the interface to join the group on and send from, e.g. '127.0.0.1'. Default: all. */
  interface: z.ipv4().optional(),
  /** How often to browse again (PTR query). Records are also re-queried at ~80% of their TTL. */
  queryIntervalMs: z.number().int().min(1000).default(60_000),
  /**
   * How long start() and refresh() collect answers before resolving (asking a second time halfway).
   * Covers responders that answer late; `switchboard discover --wait MS` overrides it.
   */
  initialWaitMs: z.number().int().min(0).default(1_000),
  serviceType: z.string().min(1).default(DEFAULT_SERVICE_TYPE),
  /**
   * Instances of serviceType held at most (Avahi bounds its cache the same way). Any peer on the
   * link can announce names; past the bound new instances are ignored, with one warning.
   */
  maxInstances: z.number().int().min(1).default(1024),
  /** UDP port of the mDNS group. Only tests and isolated setups change it. */
  mdnsPort: z.number().int().min(1).max(65535).default(MDNS_PORT),
});

export type MdnsOptionsInput = z.input<typeof mdnsOptionsSchema>;
export type MdnsOptions = z.output<typeof mdnsOptionsSchema>;
