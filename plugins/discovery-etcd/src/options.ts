// The discovery-etcd options, as written under `discovery: [{ type: 'etcd', ... }]` in config.
import { z } from 'zod';

export const DEFAULT_ENDPOINTS: readonly string[] = ['http://127.0.0.1:2379'];
export const DEFAULT_PREFIX = '/switchboard/services/';

export const etcdAuthSchema = z.strictObject({
  username: z.string().min(1),
  password: z.string(),
});

export const etcdOptionsSchema = z.strictObject({
  /** Client URLs of the etcd members (`http://` or `https://`). */
  endpoints: z.array(z.string().url()).min(1).default([...DEFAULT_ENDPOINTS]),
  /** Every key under it is one server; the key suffix is the default server name. */
  prefix: z.string().min(1).default(DEFAULT_PREFIX),
  auth: etcdAuthSchema.optional(),
  /** Deadline for each read or write, so an unreachable etcd fails fast instead of hanging. */
  dialTimeoutMs: z.number().int().positive().default(5_000),
  /** Reconnect backoff after etcd becomes unreachable: doubles from `initialMs`, capped at `maxMs`. */
  backoff: z
    .strictObject({
      initialMs: z.number().int().positive().default(200),
      maxMs: z.number().int().positive().default(5_000),
    })
    .default({ initialMs: 200, maxMs: 5_000 }),
});

export type EtcdOptions = z.output<typeof etcdOptionsSchema>;
export type EtcdOptionsInput = z.input<typeof etcdOptionsSchema>;
export type EtcdAuth = z.output<typeof etcdAuthSchema>;
