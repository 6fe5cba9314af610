// What a client session needs from the gateway that owns it (kept as an interface so the session
// and the gateway do not import each other's classes).
import type { CatalogList, Logger, Router, Transport } from '@switchboard/core';
import type { CatalogSnapshot } from './catalog/catalog.js';
import type { GatewayMetrics } from './ops/metrics.js';
import type { MemberRouter } from './upstream/routing.js';
import type { GatewaySession } from './downstream/session.js';
import type { SharedUpstreams } from './upstream/shared-upstreams.js';
import type { UpstreamPolicy } from './upstream/upstream-session.js';
import type { RequestStateSeal } from './downstream/request-state.js';
import type { HeldCalls } from './downstream/held-calls.js';
import type { TaskHandles } from './downstream/task-handles.js';
import type { AccessControl } from './access/access-control.js';
import type { UpstreamCredentials } from './access/upstream-credentials.js';
import type { CallProcesses } from './upstream/call-processes.js';

export interface GatewayCore {
  readonly router: Router;
  readonly logger: Logger;
  readonly members: MemberRouter;
  readonly metrics: GatewayMetrics;
  readonly transports: ReadonlyMap<string, Transport> | undefined;
  readonly connectTimeoutMs: number;
  readonly callTimeoutMs: number;
  /** Largest page of tools/resources/templates/prompts sent to a client. */
  readonly pageSize: number;
  /** Correlation of logs and server-to-client requests on shared upstream connections. */
  readonly shared: SharedUpstreams;
  readonly upstreamPolicy: UpstreamPolicy;
  /** Seals the requestState of upstream input_required results (see downstream/request-state.ts). */
  readonly requestStates: RequestStateSeal;
  /** Seals upstream task ids into handles any instance can open (the Tasks extension). */
  readonly taskHandles: TaskHandles;
  /** 2025 upstream calls held while a 2026-07-28 client answers their questions (see downstream/held-calls.ts). */
  readonly heldCalls: HeldCalls;
  /** stdio processes lent to one held call at a time (bridging to 2025 stdio upstreams). */
  readonly callProcesses: CallProcesses;
  /** Policy, rate limits and audit, as configured now (replaced whole on a reload). */
  readonly access: AccessControl;
  /** Token exchange toward upstreams configured for it; undefined when none is. */
  readonly upstreamCredentials: UpstreamCredentials | undefined;
  catalog(): CatalogSnapshot;
  /** The catalogue after re-reading the upstream lists given whose ttl ran out (bounded; never rejects). */
  freshCatalog(lists: readonly CatalogList[]): Promise<CatalogSnapshot>;
  /** The cache hint of an answer built from these lists of every upstream (2026-07-28 `ttlMs`, `cacheScope`). */
  listFreshness(lists: readonly CatalogList[]): { ttlMs: number; cacheScope: 'public' | 'private' };
  /** A session subscribed `uri` on a shared (stdio) upstream. */
  holdSharedSubscription(session: GatewaySession, service: string, uri: string): void;
  /** Returns how many sessions still hold that subscription. */
  releaseSharedSubscription(session: GatewaySession, service: string, uri: string): number;
  /** A session closed: the gateway stops counting it and telling it of list changes. */
  sessionClosed(session: GatewaySession): void;
}
