// stdio processes lent to one held call at a time, for bridging a 2026-07-28 client to a 2025 stdio
// upstream that asks mid-call (see downstream/held-calls.ts). A stdio process is one session, and a
// 2025 server's sampling, elicitation and roots requests name no call; while a process serves only
// one call, everything it asks belongs to that call, exactly. Processes are kept warm between calls
// (as many as maxProcessesPerService allows, each ended after processIdleMs unused), so bridged
// calls pay no spawn once enough are warm, even under steady concurrency. They count against
// maxProcessesPerService like per-session processes. A process serves the calls of whoever holds
// it in turn, as a shared process serves everyone.
import { ProtocolErrorCode, type Request, type Result } from '../sdk/mcp.js';
import type { Logger, Router, ServiceEntry, Transport } from '@switchboard/core';
import { ClientError } from '../downstream/client-error.js';
import { heldCallBridge, UpstreamSessions, type UpstreamPolicy } from './upstream-session.js';
import { undeclaredCapability } from './capability-gate.js';

/** The one call a lent process serves now. */
export interface CallLessee {
  /** The client capabilities of the call's client (a lent process declares them all; this decides). */
  readonly capabilities: { sampling?: unknown; elicitation?: unknown; roots?: unknown };
  forwardRequest(request: Request, signal: AbortSignal): Promise<Result>;
}

/** One warm process: its upstream session, and the call it serves now. */
export class CallProcess {
  lessee: CallLessee | undefined;
  idleSince = 0;
  readonly sessions: UpstreamSessions;

  constructor(
    readonly service: string,
    lessee: CallLessee,
    make: (forward: (request: Request, signal: AbortSignal) => Promise<Result>) => UpstreamSessions,
  ) {
    this.lessee = lessee;
    this.sessions = make((request, signal) => this.forward(request, signal));
  }

  private forward(request: Request, signal: AbortSignal): Promise<Result> {
    const current = this.lessee;
    if (!current) return Promise.reject(new ClientError(ProtocolErrorCode.InvalidRequest, `${request.method} refused by the gateway: no call is being served`));
    const refused = undeclaredCapability(request, current.capabilities);
    return refused ? Promise.reject(refused) : current.forwardRequest(request, signal);
  }
}

export class CallProcesses {
  private readonly idle = new Map<string, CallProcess[]>();
  private closed = false;

  constructor(
    private readonly router: Router,
    private readonly transports: ReadonlyMap<string, Transport> | undefined,
    private readonly logger: Logger,
    private readonly connectTimeoutMs: number,
    private readonly policy: UpstreamPolicy,
  ) {}

  /**
   * A process of `entry`'s service for one call: a warm idle one, else a new one (its spawn takes a
   * process slot); undefined when the service runs as many processes as it may (the call then uses
   * the shared process, where a question from the upstream is refused).
   */
  lease(entry: ServiceEntry, lessee: CallLessee): CallProcess | undefined {
    const warm = this.idle.get(entry.name)?.pop();
    if (warm) {
      warm.lessee = lessee;
      return warm;
    }
    if (this.policy.processSlots.count(entry.name) >= this.policy.processSlots.max) return undefined;
    return new CallProcess(
      entry.name,
      lessee,
      (forwardRequest) =>
        new UpstreamSessions(
          this.router,
          this.transports,
          // Everything a lent process may be asked for: which of it a call may use is its client's to say.
          heldCallBridge({ sampling: {}, elicitation: {}, roots: { listChanged: true } }, forwardRequest),
          this.logger,
          this.connectTimeoutMs,
          { ...this.policy, scope: 'per-session', isolation: () => 'per-session' },
        ),
    );
  }

  /** The call ended: keep the process warm for the next one (`reuse`: its call is over), or end it. */
  release(process: CallProcess, reuse: boolean): void {
    process.lessee = undefined;
    const idle = this.idle.get(process.service) ?? [];
    const alive = process.sessions.connected().length > 0;
    if (!reuse || this.closed || !alive || idle.length >= this.policy.processSlots.max || this.router.registry.get(process.service) === undefined) {
      void process.sessions.close();
      return;
    }
    process.idleSince = Date.now();
    idle.push(process);
    this.idle.set(process.service, idle);
  }

  /** End warm processes idle since before `cutoff` (ms epoch). */
  reapIdle(cutoff: number): void {
    for (const [service, idle] of this.idle) {
      const keep = idle.filter((p) => p.idleSince >= cutoff);
      for (const p of idle) if (p.idleSince < cutoff) void p.sessions.close();
      if (keep.length > 0) this.idle.set(service, keep);
      else this.idle.delete(service);
    }
  }

  /** A service was removed or re-pointed: its warm processes are stale. */
  drop(service: string): void {
    for (const p of this.idle.get(service) ?? []) void p.sessions.close();
    this.idle.delete(service);
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.idle.values()].flat();
    this.idle.clear();
    await Promise.all(all.map((p) => p.sessions.close()));
  }
}
