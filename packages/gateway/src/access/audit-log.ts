// One JSON line per call and per refused call: who, which client, what, where it went, how it
// ended, how long it took, in which protocol era. Arguments and results only when configured (they
// may hold personal data). Lines go to a file (appended) or stderr; a sink that cannot keep up
// drops lines and counts them rather than buffering without bound.
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Logger } from '@switchboard/core';
import { describeIdentity, type Identity } from './identity.js';

export interface AuditConfig {
  /** 'stderr', or a file path (appended to). */
  to: string;
  includeArguments?: boolean;
  includeResults?: boolean;
}

export type AuditOutcome = 'ok' | 'error' | 'denied' | 'rate_limited' | 'input_required';

export interface AuditEvent {
  identity: Identity;
  client?: { name?: string; version?: string };
  method: string;
  /** Tool or prompt name as exposed, or the resource URI. */
  name: string;
  /** The replica that served it (its service name), and the replica group or service it stands for. */
  service?: string;
  upstream?: string;
  outcome: AuditOutcome;
  /** The rule or limit that refused it, or the error code. */
  reason?: string;
  latencyMs?: number;
  era: '2025' | '2026';
  protocolVersion?: string;
  arguments?: unknown;
  result?: unknown;
}

/** Bytes of lines waiting for the sink before new ones are dropped. */
const MAX_PENDING_BYTES = 8 * 1024 * 1024;

export class AuditLog {
  private readonly out: WriteStream | NodeJS.WriteStream;
  private readonly ownsStream: boolean;
  private dropped = 0;
  /** A listener for each line written (the OpenTelemetry log exporter, when tracing is on). */
  onLine?: (line: Record<string, unknown>) => void;

  constructor(
    private readonly config: AuditConfig,
    private readonly logger: Logger,
  ) {
    if (config.to === 'stderr') {
      this.out = process.stderr;
      this.ownsStream = false;
    } else {
      this.out = createWriteStream(config.to, { flags: 'a', mode: 0o600 });
      this.out.on('error', (error) => this.logger.error('audit log cannot be written', { file: config.to, error }));
      this.ownsStream = true;
    }
  }

  get droppedLines(): number {
    return this.dropped;
  }

  record(event: AuditEvent): void {
    const line: Record<string, unknown> = {
      time: new Date().toISOString(),
      type: 'mcp.audit',
      identity: describeIdentity(event.identity),
      ...(event.client ? { client: event.client } : {}),
      method: event.method,
      name: event.name,
      ...(event.service !== undefined ? { service: event.service } : {}),
      ...(event.upstream !== undefined ? { upstream: event.upstream } : {}),
      outcome: event.outcome,
      ...(event.reason !== undefined ? { reason: event.reason } : {}),
      ...(event.latencyMs !== undefined ? { latencyMs: Math.round(event.latencyMs * 100) / 100 } : {}),
      era: event.era,
      ...(event.protocolVersion !== undefined ? { protocolVersion: event.protocolVersion } : {}),
      ...(this.config.includeArguments && event.arguments !== undefined ? { arguments: event.arguments } : {}),
      ...(this.config.includeResults && event.result !== undefined ? { result: event.result } : {}),
    };
    this.onLine?.(line);
    if (this.out.writableLength > MAX_PENDING_BYTES) {
      if (this.dropped++ % 1000 === 0) this.logger.warn('audit sink is not keeping up: dropping audit lines', { dropped: this.dropped });
      return;
    }
    this.out.write(`${JSON.stringify(line)}\n`);
  }

  async close(): Promise<void> {
    if (!this.ownsStream) return;
    await new Promise<void>((resolve) => (this.out as WriteStream).end(resolve));
  }
}
