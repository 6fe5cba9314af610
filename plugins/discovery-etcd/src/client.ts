// Builds the etcd3 client the way this plugin needs it: no hidden retries or circuit breakers (the
// discoverer and registerService own reconnecting, with their own capped backoff), a deadline on
// every unary call, and a short gRPC reconnect backoff so a restarted etcd is picked up quickly.
import { ConstantBackoff, noop } from 'cockatiel';
import {
  Etcd3,
  EtcdAuthenticationFailedError,
  EtcdPermissionDeniedError,
  EtcdRoleNotGrantedError,
  EtcdUserNotFoundError,
  GRPCUnauthenticatedError,
} from 'etcd3';
import type { EtcdAuth } from './options.js';

export interface EtcdClientOptions {
  readonly endpoints: readonly string[];
  readonly auth?: EtcdAuth | undefined;
  /** Deadline for each unary call (a read, a put, a lease grant). Streams (watch, keepalive) have none. */
  readonly dialTimeoutMs?: number | undefined;
}

export function createEtcdClient(options: EtcdClientOptions): Etcd3 {
  const deadlineMs = options.dialTimeoutMs ?? 5_000;
  return new Etcd3({
    hosts: [...options.endpoints],
    ...(options.auth ? { auth: { username: options.auth.username, password: options.auth.password } } : {}),
    // etcd3's defaults retry three times and then open a 5 s circuit per host, which would hold a
    // just-restarted etcd out of reach; our callers retry on their own schedule instead.
    faultHandling: {
      host: () => noop,
      global: noop,
      // The library re-establishes a dropped watch stream after this delay. The discoverer cancels
      // its watcher on disconnect, so this only bounds how long the library's own timer lingers.
      // etcd3 types this as a backoff instance but calls next() on it; an instance has both.
      watchBackoff: new ConstantBackoff(100).next(),
    },
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + deadlineMs }),
    grpcOptions: {
      // gRPC's defaults back off up to 120 s between connection attempts; etcd restarts in ~1 s.
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 1_000,
      // The initial read returns the whole prefix in one response; gRPC's 4 MiB default would cap
      // a large fleet at a few thousand entries.
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      // Its own subchannels, so closing this client never disturbs another one in the process.
      'grpc.use_local_subchannel_pool': 1,
    },
  });
}

/**
 * An error that retrying cannot fix (wrong credentials, no permission on the prefix). Anything else
 * (unavailable, deadline exceeded, no leader, stream reset) is treated as an outage and retried.
 */
export function isPermanent(error: unknown): boolean {
  return (
    error instanceof EtcdAuthenticationFailedError ||
    error instanceof EtcdPermissionDeniedError ||
    error instanceof EtcdUserNotFoundError ||
    error instanceof EtcdRoleNotGrantedError ||
    error instanceof GRPCUnauthenticatedError
  );
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
