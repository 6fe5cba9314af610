// The HTTP gateway's client sessions: issued on initialize as sealed tokens, found by token,
// resumed from a token this process does not hold (another instance issued it, or this one forgot
// it), expired when idle, ended by DELETE, and kept in step with other instances through the
// session state store. serve-http.ts does the HTTP around it.
import type { Identity } from '../access/identity.js';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS, type InitializeRequest, type JSONRPCMessage } from '../sdk/mcp.js';
import type { Logger } from '@switchboard/core';
import type { Gateway } from '../gateway.js';
import { HttpSessionTransport } from './http-session-transport.js';
import { LegacyCallLane } from './legacy-call-lane.js';
import type { GatewaySession } from './session.js';
import { applyChange, sameState, type SessionStateChange, type SessionStateStore } from './session-store.js';
import { SessionTokens, type SessionSeed } from './session-token.js';

export interface HttpSessionsOptions {
  idleMs: number;
  /** A session that has made no request since its initialize is closed after this long. */
  unusedIdleMs: number;
  maxSessions: number;
  /** Sessions one client (credential, or remote address without auth) may hold at once. */
  maxSessionsPerClient: number;
  /** Passed to each session's transport. */
  maxBufferedBytes?: number;
  maxInFlightPerSession?: number;
  maxAgeMs: number;
  secrets?: readonly string[];
  store?: SessionStateStore;
}

interface SessionRecord {
  transport: HttpSessionTransport;
  seed: SessionSeed;
  session: GatewaySession;
  lastSeen: number;
  /** POSTs of this session being served now; a session in the middle of a call is not idle. */
  active: number;
  /** It has made a request since its initialize (or opened its GET stream). */
  used: boolean;
  /** Who holds it, for the per-client cap. */
  client: string;
  /** Counted out of its client's sessions already (end() may run twice: close, then onclose). */
  ended?: boolean;
  /** The gateway's own lane for its plain tool calls. */
  lane?: LegacyCallLane;
}

/** A session to serve, or why there is none. */
export type SessionLookup = { record: SessionRecord } | { refused: 'unknown' | 'full' | 'client-full' };

export class HttpSessions {
  private readonly sessions = new Map<string, SessionRecord>();
  /** sid → the local record, for changes other instances publish through the store. */
  private readonly bySid = new Map<string, SessionRecord>();
  /** sid → when it ended here (DELETE, or idle expiry of a token only this process can open). */
  private readonly ended = new Map<string, number>();
  private readonly resuming = new Map<string, Promise<SessionLookup>>();
  /** client → sessions it holds here. */
  private readonly perClient = new Map<string, number>();
  private readonly tokens: SessionTokens;
  private readonly timers: NodeJS.Timeout[];
  private readonly unwatch: (() => void) | undefined;
  private readonly unrelay: (() => void) | undefined;
  /** Names this instance in the ids of its requests to clients, so answers find their way back. */
  private readonly instanceTag = randomBytes(6).toString('base64url');
  private closing = false;

  constructor(
    private readonly gateway: Gateway,
    private readonly options: HttpSessionsOptions,
    private readonly logger: Logger,
  ) {
    this.tokens = new SessionTokens({ ...(options.secrets ? { secrets: options.secrets } : {}), maxAgeMs: options.maxAgeMs });
    this.unwatch = options.store?.watch((sid, state) => this.sharedChange(sid, state));
    this.unrelay = options.store?.onRelay?.(this.instanceTag, (sid, answer) => this.bySid.get(sid)?.transport.deliverAnswer(answer));
    this.timers = [
      setInterval(() => this.expireIdle(), Math.max(50, Math.min(options.idleMs / 2, options.unusedIdleMs / 2, 60_000))),
      // Tombstones are needed only while their tokens could still open.
      setInterval(() => this.forgetEnded(), 60_000),
    ];
    for (const t of this.timers) t.unref();
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Some session is serving a POST now. */
  get busy(): boolean {
    for (const r of this.sessions.values()) if (r.active > 0) return true;
    return false;
  }

  get full(): boolean {
    // A session enters the map in the same tick as this check passes (see open), so no count of
    // sessions still being set up is needed.
    return this.sessions.size >= this.options.maxSessions;
  }

  /** `client` holds as many sessions as one client may. */
  private clientFull(client: string): boolean {
    return (this.perClient.get(client) ?? 0) >= this.options.maxSessionsPerClient;
  }

  /**
   * Room for one more session of `client`, or which cap leaves none. At its own cap, the client's
   * session idle longest makes room; at the global cap, the session idle longest of any client, if it
   * has been idle for `unusedIdleMs` at least (so a flood of new sessions cannot push out sessions in
   * use). A session with a call in flight or its GET stream open is never taken. Why: most SDK
   * clients never DELETE their sessions, so a client that opens one per task hit its cap and was
   * refused for the idle timeout (30 minutes by default), and at the global cap so was everyone.
   * The session taken ends as idle expiry would have ended it later.
   */
  makeRoom(client: string): 'full' | 'client-full' | undefined {
    if (this.clientFull(client) && !this.evictIdlest(client, 0)) return 'client-full';
    if (this.full && !this.evictIdlest(undefined, this.options.unusedIdleMs)) return 'full';
    return undefined;
  }

  private evictIdlest(client: string | undefined, minIdleMs: number): boolean {
    let found: [string, SessionRecord] | undefined;
    for (const entry of this.sessions) {
      const record = entry[1];
      if (record.active > 0 || record.transport.streaming || (client !== undefined && record.client !== client)) continue;
      if (!found || record.lastSeen < found[1].lastSeen) found = entry;
    }
    const now = Date.now();
    if (!found || now - found[1].lastSeen < minIdleMs) return false;
    const cap = client === undefined ? 'maxSessions' : 'maxSessionsPerClient';
    this.logger.info('session ended to make room for a new one', { session: found[1].seed.sid, idleMs: now - found[1].lastSeen, cap });
    this.gateway.metrics.sessionEvicted(cap);
    this.retire(found[0], found[1], now);
    return true;
  }

  /**
   * The session a request names: held here, or resumed from its token. A session is bound to the
   * credential that opened it: any other one (valid or not) is told it does not exist.
   */
  async find(token: string, cred: string, client: string): Promise<SessionLookup> {
    const record = this.sessions.get(token);
    if (record) return record.seed.cred === cred ? { record } : { refused: 'unknown' };
    const seed = this.tokens.open(token);
    if (!seed || seed.cred !== cred) return { refused: 'unknown' };
    const running = this.resuming.get(token);
    if (running) return running;
    const attempt = this.resume(token, seed, client).finally(() => this.resuming.delete(token));
    this.resuming.set(token, attempt);
    return attempt;
  }

  /** A new session for a client's initialize; its token is the Mcp-Session-Id. */
  async create(initialize: InitializeRequest, cred: string, client: string): Promise<SessionRecord> {
    const requested = initialize.params.protocolVersion;
    // The version the SDK Server will answer with (the same rule as its own initialize handler).
    const protocolVersion = SUPPORTED_PROTOCOL_VERSIONS.includes(requested) ? requested : LATEST_PROTOCOL_VERSION;
    const { token, seed } = this.tokens.issue({ protocolVersion, capabilities: initialize.params.capabilities, clientInfo: initialize.params.clientInfo, cred });
    const record = await this.open(token, seed, client);
    this.gateway.metrics.sessionOpened('initialize');
    return record;
  }

  /** Hand one HTTP request to its session's transport. */
  serve(record: SessionRecord, req: IncomingMessage, res: ServerResponse, wire: { messages: readonly JSONRPCMessage[]; batch: boolean } | undefined, identity?: Identity): Promise<void> | void {
    record.lastSeen = Date.now();
    // The session is bound to the identity's key; its scopes and claims are the latest token's.
    if (identity) record.session.identity = identity;
    if (!record.used && (req.method === 'GET' || wire?.messages.some((m) => 'method' in m && 'id' in m && m.method !== 'initialize'))) record.used = true;
    if (req.method === 'POST' && wire) {
      // A POST is active until its response is written; the GET stream stays open for good and does
      // not count, or no session with one would ever expire.
      record.active++;
      res.once('close', () => {
        record.active--;
        record.lastSeen = Date.now();
      });
      return record.transport.handlePost(req, res, wire.messages, wire.batch);
    }
    if (req.method === 'GET') return record.transport.handleGet(req, res);
    return record.transport.handleDelete(req, res);
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const t of this.timers) clearInterval(t);
    this.unwatch?.();
    this.unrelay?.();
    const all = [...this.sessions.entries()];
    this.sessions.clear();
    await Promise.all(
      all.map(async ([token, r]) => {
        await r.transport.close().catch(() => undefined);
        await this.end(token, r);
      }),
    );
  }

  private async open(token: string, seed: SessionSeed, client: string): Promise<SessionRecord> {
    // Rate limits are taken by serve-http before a request reaches the session.
    const session = this.gateway.createSession('legacy', { limitsChecked: true });
    const transport = new HttpSessionTransport({
      sessionId: token,
      instanceTag: this.instanceTag,
      onForeignAnswer: (instance, answer) => this.relayAnswer(instance, seed.sid, answer),
      ...(this.options.maxBufferedBytes !== undefined ? { maxBufferedBytes: this.options.maxBufferedBytes } : {}),
      ...(this.options.maxInFlightPerSession !== undefined ? { maxInFlight: this.options.maxInFlightPerSession } : {}),
      onSlowClient: (detail) => this.logger.warn('client stream cut: the client is not reading it', { session: seed.sid, client: seed.clientInfo.name, ...detail }),
    });
    const record: SessionRecord = { session, seed, lastSeen: Date.now(), active: 0, transport, used: false, client };
    this.perClient.set(client, (this.perClient.get(client) ?? 0) + 1);
    // DELETE, idle expiry and shutdown all end here: release what the session held upstream.
    record.transport.onclose = () => void this.end(token, record);
    this.sessions.set(token, record);
    this.bySid.set(seed.sid, record);
    const store = this.options.store;
    if (store) session.onStateChange = (change) => this.share(record, change, store);
    await session.server.connect(record.transport);
    // A plain tools/call is served by the gateway's own lane, the rest by the Server (legacy-call-lane.ts).
    const lane = new LegacyCallLane(this.gateway, session, transport);
    transport.interceptor = (message) => lane.intercept(message);
    record.lane = lane;
    return record;
  }

  /** Re-create a session from what its token carries, and what other instances shared of it. */
  private async resume(token: string, seed: SessionSeed, client: string): Promise<SessionLookup> {
    if (this.ended.has(seed.sid)) return { refused: 'unknown' };
    const refused = this.makeRoom(client);
    if (refused) return { refused };
    const record = await this.open(token, seed, client);
    // A session resumed here is in use: it came with a request.
    record.used = true;
    try {
      await record.transport.replayInitialize({ protocolVersion: seed.protocolVersion, capabilities: seed.capabilities, clientInfo: seed.clientInfo });
      const shared = await this.options.store?.load(seed.sid).catch((error: unknown) => void this.logger.warn('could not read shared session state', { session: seed.sid, error }));
      if (shared?.ended) {
        this.ended.set(seed.sid, Date.now());
        await record.transport.close();
        return { refused: 'unknown' };
      }
      if (shared) await record.session.applyState(shared);
    } catch (error) {
      await record.transport.close();
      throw error;
    }
    this.gateway.metrics.sessionOpened('resume');
    this.logger.info('session resumed', { session: seed.sid, client: seed.clientInfo.name });
    return { record };
  }

  private async end(token: string, record: SessionRecord): Promise<void> {
    if (this.sessions.get(token) === record) this.sessions.delete(token);
    record.lane?.abortAll();
    if (!record.ended) {
      record.ended = true;
      const left = (this.perClient.get(record.client) ?? 1) - 1;
      if (left > 0) this.perClient.set(record.client, left);
      else this.perClient.delete(record.client);
    }
    if (this.bySid.get(record.seed.sid) === record) this.bySid.delete(record.seed.sid);
    // Ended by the client (DELETE): this instance refuses the token from now on, and so do the others
    // when they share a store.
    if (!this.closing && record.transport.deleted) {
      this.ended.set(record.seed.sid, Date.now());
      await this.options.store
        ?.update(record.seed.sid, (current) => applyChange(current, { ended: true }), this.options.maxAgeMs)
        .catch((error: unknown) => this.logger.warn('could not share the end of a session', { error }));
    }
    await record.session.close().catch((error: unknown) => this.logger.warn('closing a session failed', { error }));
  }

  /**
   * Store what the client changed here, on top of whatever other instances stored, and take on
   * what they changed (a subscription made through another instance is made here too). A store
   * that is down costs the sharing, not the request: the change still holds on this instance.
   */
  private async share(record: SessionRecord, change: SessionStateChange, store: SessionStateStore): Promise<void> {
    try {
      const merged = await store.update(record.seed.sid, (current) => applyChange(current ?? record.session.sharedState(), change), this.options.maxAgeMs);
      if (!sameState(record.session.sharedState(), merged)) await record.session.applyState(merged);
    } catch (error) {
      this.logger.warn('could not share session state', { session: record.seed.sid, error });
    }
  }

  /** The client answered here a request another instance sent it: pass the answer there. */
  private relayAnswer(instance: string, sid: string, answer: JSONRPCMessage): void {
    const relay = this.options.store?.relay;
    if (!relay) {
      this.logger.warn('an answer to another instance\'s request arrived here and there is no session store to relay it; use affinity on Mcp-Session-Id', { session: sid });
      return;
    }
    relay.call(this.options.store, instance, sid, answer).catch((error: unknown) => this.logger.warn('could not relay an answer to another instance', { session: sid, error }));
  }

  /** What the client changed through another instance applies here too. */
  private sharedChange(sid: string, state: Parameters<GatewaySession['applyState']>[0]): void {
    const record = this.bySid.get(sid);
    if (!record) return;
    if (state.ended) {
      this.ended.set(sid, Date.now());
      void record.transport.close().catch(() => undefined);
      return;
    }
    if (sameState(record.session.sharedState(), state)) return;
    record.session.applyState(state).catch((error: unknown) => this.logger.warn('could not apply shared session state', { session: sid, error }));
  }

  private expireIdle(): void {
    const now = Date.now();
    const cutoff = now - this.options.idleMs;
    const unusedCutoff = now - Math.min(this.options.unusedIdleMs, this.options.idleMs);
    for (const [token, record] of this.sessions) {
      if (record.active > 0 || record.lastSeen > (record.used ? cutoff : unusedCutoff)) continue;
      this.logger.info(record.used ? 'session expired' : 'session expired: no request after initialize', { session: record.seed.sid });
      this.retire(token, record, now);
    }
  }

  /** End an idle session here (expired, or taken to make room). */
  private retire(token: string, record: SessionRecord, now: number): void {
    this.sessions.delete(token);
    // A token only this process can open dies with its state. A shared one may be in use on
    // another instance; only its state here is released, and it resumes if it comes back.
    if (!this.tokens.portable) this.ended.set(record.seed.sid, now);
    void record.transport.close().catch(() => undefined);
    void this.end(token, record);
  }

  private forgetEnded(): void {
    const cutoff = Date.now() - this.options.maxAgeMs;
    for (const [sid, at] of this.ended) if (at < cutoff) this.ended.delete(sid);
  }
}
