// The writing side of the fleet registry: put one server entry under the prefix, bound to a lease
// that is kept alive. If the process dies the lease expires and every router drops the server; if
// the lease is lost while the process lives (etcd was down longer than the TTL, or someone revoked
// it), a new lease is granted and the key written again. stop() revokes, deleting the key at once.
import {
  createLogger,
  serverEntrySchema,
  SwitchboardError,
  type Logger,
  type ServerEntryInput,
} from '@switchboard/core';
import type { Etcd3, Lease } from 'etcd3';
import { Backoff, type BackoffOptions } from './backoff.js';
import { createEtcdClient, describeError } from './client.js';
import { serviceKey } from './entry.js';
import { DEFAULT_PREFIX, type EtcdAuth } from './options.js';
import { PLUGIN_NAME } from './plugin-name.js';

export const DEFAULT_TTL_SECONDS = 10;

export interface RegisterServiceOptions {
  /** Client URLs of the etcd members. */
  readonly endpoints: readonly string[];
  /** Defaults to `/switchboard/services/`; must match the routers' discovery prefix. */
  readonly prefix?: string;
  /** A server entry, the same shape as a static config entry (validated here). */
  readonly entry: ServerEntryInput;
  /** Lease TTL: how long routers keep the server after this process dies. Default 10 s. */
  readonly ttlSeconds?: number;
  readonly auth?: EtcdAuth;
  /** Deadline for each etcd call. Default 5 s. */
  readonly dialTimeoutMs?: number;
  /** Re-grant backoff after the lease is lost. Default 200 ms doubling to 5 s. */
  readonly backoff?: BackoffOptions;
  readonly logger?: Logger;
}

export interface Registration {
  /** The etcd key written, prefix + entry name. */
  readonly key: string;
  /** Stop keeping the lease alive and revoke it, which deletes the key. Safe to call twice. */
  stop(): Promise<void>;
}

export async function registerService(options: RegisterServiceOptions): Promise<Registration> {
  const parsed = serverEntrySchema.safeParse(options.entry);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
    throw new SwitchboardError(
      'CONFIG_INVALID',
      `cannot register this server in etcd: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`,
      { plugin: PLUGIN_NAME, details: issues },
    );
  }
  const ttl = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl < 1) {
    throw new SwitchboardError('CONFIG_INVALID', `ttlSeconds must be a whole number of seconds, at least 1 (got ${ttl})`, {
      plugin: PLUGIN_NAME,
      service: parsed.data.name,
    });
  }
  if (options.endpoints.length === 0) {
    throw new SwitchboardError('CONFIG_INVALID', 'registerService needs at least one etcd endpoint', { plugin: PLUGIN_NAME });
  }

  const key = serviceKey(options.prefix ?? DEFAULT_PREFIX, parsed.data.name);
  const logger = (options.logger ?? createLogger()).child({ plugin: PLUGIN_NAME, key });
  const client = createEtcdClient(options);
  const keeper = new LeaseKeeper(client, key, JSON.stringify(parsed.data), ttl, options.backoff ?? { initialMs: 200, maxMs: 5_000 }, logger);
  try {
    await keeper.establish();
  } catch (error) {
    client.close();
    throw new SwitchboardError(
      'DISCOVERY_ERROR',
      `could not register ${key} in etcd at ${options.endpoints.join(', ')}: ${describeError(error)}`,
      { plugin: PLUGIN_NAME, service: parsed.data.name, cause: error },
    );
  }
  return {
    key,
    async stop() {
      await keeper.stop();
      client.close();
    },
  };
}

/** Holds the current lease for one key and replaces it when it is lost. */
class LeaseKeeper {
  private lease: Lease | undefined;
  private stopped = false;
  private inflight: Promise<void> | undefined;
  private readonly backoff: Backoff;

  constructor(
    private readonly client: Etcd3,
    private readonly key: string,
    private readonly value: string,
    private readonly ttl: number,
    backoff: BackoffOptions,
    private readonly logger: Logger,
  ) {
    this.backoff = new Backoff(backoff);
  }

  /** Grant a lease and put the key under it; rejects (leaving nothing behind) if either fails. */
  establish(): Promise<void> {
    const run = this.grantAndPut();
    this.inflight = run;
    return run.finally(() => {
      if (this.inflight === run) this.inflight = undefined;
    });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.backoff.cancel();
    // A re-grant in flight would otherwise put the key back after the revoke below.
    await this.inflight?.catch(() => undefined);
    const lease = this.lease;
    this.lease = undefined;
    if (!lease) return;
    try {
      await lease.revoke();
    } catch (error) {
      // Nothing more to do: with no keepalives the lease, and the key, expire after the TTL.
      this.logger.warn(`could not revoke the lease; the key expires within ${this.ttl} s`, { error: describeError(error) });
    }
  }

  private async grantAndPut(): Promise<void> {
    const lease = this.client.lease(this.ttl);
    this.lease = lease;
    let live = false;
    lease.on('lost', (error) => {
      if (!live || this.lease !== lease || this.stopped) return;
      this.logger.warn('etcd lease lost; granting a new one and writing the key again', { error: describeError(error) });
      this.retry();
    });
    try {
      await lease.put(this.key).value(this.value).exec();
      // 'lost' may have fired between the grant and here, before `live` was set.
      if (lease.revoked()) throw new Error('the lease was lost while the key was being written');
      // If stop() came meanwhile it is waiting for us and revokes `this.lease`, this lease.
      live = true;
    } catch (error) {
      lease.release();
      if (this.lease === lease) this.lease = undefined;
      throw error;
    }
  }

  private retry(): void {
    if (this.stopped || this.backoff.pending) return;
    this.lease?.release();
    this.lease = undefined;
    this.backoff.schedule(() => {
      if (this.stopped) return;
      this.establish().then(
        () => {
          this.backoff.reset();
          this.logger.info('registered again with a new lease');
        },
        (error: unknown) => {
          this.logger.debug('re-registration failed; retrying', { error: describeError(error) });
          this.retry();
        },
      );
    });
  }
}
