// One client session: an SDK Server whose handlers serve the gateway's aggregate catalogue and
// route each request to an upstream, plus the upstream sessions it opened. Everything an upstream
// sends while serving this session (progress, logs, sampling, elicitation, roots, resource updates)
// comes back here and nowhere else.
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { CLIENT_CAPABILITIES_META_KEY, CLIENT_INFO_META_KEY, LOG_LEVEL_META_KEY, MissingRequiredClientCapabilityError, PROTOCOL_VERSION_META_KEY, ProtocolError, ProtocolErrorCode, SERVER_INFO_META_KEY, Server, type Client, type ClientCapabilities, type CallToolRequest, type CallToolResult, type CompleteResult, type LoggingLevel, type LoggingMessageNotification, type Request, type RequestMeta, type Result, type ResourceUpdatedNotification, type ServerNotification, type ServerRequest } from '../sdk/mcp.js';
import type { CatalogList, DispatchOutcome, ServiceEntry, TraceCarrier } from '@switchboard/core';
import { CallTable, callUpstreamTool, rpcErrorText, selfCapability } from '@switchboard/core';
import { exposedPrompts, exposedTools, resourceMetricName, resourceOwners, type CatalogSnapshot } from '../catalog/catalog.js';
import type { GatewayCore } from '../gateway-core.js';
import { paginate, type PagedKind } from './paging.js';
import type { SessionStateChange, SharedSessionState } from './session-store.js';
import { ClientError } from './client-error.js';
import { isInputRequired, type HeldRequestState } from './request-state.js';
import type { CallScope } from './call-scope.js';
import type { HeldCall, HeldStep } from './held-calls.js';
import { CallAttribution } from '../upstream/call-attribution.js';
import type { Operation, RouteTarget } from '../upstream/routing.js';
import type { SharedCall, SharedTenant } from '../upstream/shared-upstreams.js';
import { heldCallBridge, UpstreamSessions, type UpstreamPolicy } from '../upstream/upstream-session.js';
import { carriedTask, TASKS_EXTENSION } from '../upstream/task-results.js';
import type { OwnedTask } from './task-handles.js';
import { driveTask, needsTasksExtension, type TaskDriving } from './task-driver.js';
import { undeclaredCapability } from '../upstream/capability-gate.js';
import type { CallLessee, CallProcess } from '../upstream/call-processes.js';
import { GATEWAY_VERSION } from '../version.js';
import { rateLimitError, type CallContext } from '../access/access-control.js';
import { ANONYMOUS_IDENTITY, type Identity } from '../access/identity.js';
import type { AccessKind } from '../access/policy.js';

/** What a handler knows of the request it serves (the SDK's ServerContext is one). */
type Extra = CallScope;

/**
 * The SDK Server's seam around a multi round-trip handler (private in its types; present in the
 * SDK this gateway pins, checked at run time): requestState verification, then the handler, then
 * for a 2025-era request an input_required answer fulfilled by the legacy shim.
 */
interface InputRequiredSeam {
  _invokeInputRequiredCapableHandler(method: string, handler: (request: { params: CallToolParams }, extra: Extra) => Promise<unknown>, request: { method: string; params: CallToolParams }, extra: Extra): Promise<unknown>;
}

/** A tools/call's params as the handlers read them. */
export type CallToolParams = CallToolRequest['params'];

/** A tools/call run through the Server's input-required seam. */
type SeamCall = (params: CallToolParams, extra: Extra) => Promise<CallToolResult>;

/** RFC 5424 severities in increasing order, as MCP's logging levels. */
const LEVELS: readonly LoggingLevel[] = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];

/** The JSON-RPC code a request to a session that has ended is answered with (as SDK v1 sent it). */
const CONNECTION_CLOSED = -32000;
/**
 * Resources one client session may be subscribed to. Through a URI template any URI can be
 * subscribed to, and every subscription is held here, upstream, and in the state shared between
 * instances (one value per session in the session store): without a bound a client could grow all
 * three without end.
 */
export const MAX_SUBSCRIPTIONS_PER_SESSION = 1024;

/** The W3C trace context keys, in `_meta` (both eras) as in HTTP headers. */
const TRACE_KEYS = ['traceparent', 'tracestate', 'baggage'] as const;

/** The client's trace context: from its request's `_meta`, else from the HTTP request's headers. */
function traceOf(meta: Record<string, unknown> | undefined, headers: { get(name: string): string | null } | undefined): TraceCarrier | undefined {
  // Most calls carry no trace context: answer that without building anything.
  if (meta?.traceparent === undefined && (headers === undefined || headers.get('traceparent') === null)) return undefined;
  const out: Record<string, string> = {};
  for (const key of TRACE_KEYS) {
    const value = meta?.[key] ?? headers?.get(key) ?? undefined;
    if (typeof value === 'string' && value.length <= 512) out[key] = value;
  }
  return out.traceparent !== undefined ? out : undefined;
}

/** A routed call's answer, or its failure as the client should see it. */
function answerOf<T>(outcome: DispatchOutcome<T>): T {
  if (outcome.error) {
    const cause = outcome.error.cause;
    // An upstream's own answer about the request (bad params, unknown method) goes back as it was.
    if (outcome.error.code === 'UPSTREAM_ERROR' && cause instanceof ProtocolError) throw new ClientError(cause.code, stripPrefix(cause.message), cause.data);
    // A request the gateway could not pass on as it was (it cannot be encoded as JSON): the client's to fix.
    if (outcome.error.code === 'INVALID_REQUEST') throw new ClientError(ProtocolErrorCode.InvalidParams, outcome.error.message, { code: outcome.error.code, ...(outcome.error.service ? { service: outcome.error.service } : {}) });
    throw new ClientError(ProtocolErrorCode.InternalError, outcome.error.message, { code: outcome.error.code, ...(outcome.error.service ? { service: outcome.error.service } : {}) });
  }
  return withoutServerIdentity(outcome.value as T);
}

/**
 * An upstream's answer without the upstream's own identity in `_meta` (2026-07-28's serverInfo key
 * names "the server software producing the response"): the client's server is the gateway, which
 * names itself there (the SDK stamps it on every 2026-07-28 result that does not carry one).
 */
function withoutServerIdentity<T>(value: T): T {
  const meta = (value as { _meta?: unknown } | null)?._meta;
  if (meta === null || typeof meta !== 'object' || !(SERVER_INFO_META_KEY in meta)) return value;
  const { [SERVER_INFO_META_KEY]: _upstream, ...rest } = meta as Record<string, unknown>;
  const { _meta: _drop, ...fields } = value as Record<string, unknown>;
  return (Object.keys(rest).length > 0 ? { ...fields, _meta: rest } : fields) as T;
}

/** The request's scope without its abort signal, for what must still be sent after the client gave up. */
function detached(extra: Extra): Extra {
  // Without the cheap stand-in for the client's signal too: routing reads that one first.
  const { cancel: _cancel, ...mcpReq } = extra.mcpReq;
  return { ...extra, mcpReq: { ...mcpReq, signal: new AbortController().signal } };
}

/** A retried round's inputs for the upstream: the client's answers, and the upstream's own state. */
function roundParams(extra: Extra, resumed: HeldRequestState | undefined): { inputResponses?: Record<string, unknown>; requestState?: string } {
  const inputResponses = extra.mcpReq.inputResponses;
  return { ...(inputResponses ? { inputResponses } : {}), ...(resumed?.upstream !== undefined ? { requestState: resumed.upstream } : {}) };
}

/** An upstream's answer to a task request: any object (the owner's word on its task, relayed as it is). */
const TASK_ANSWER = z.object({}).passthrough();
/** The params of tasks/get, tasks/update and tasks/cancel (made once: a 2026-07-28 session is made per request). */
const TASK_PARAMS = z.object({ taskId: z.string().min(1) }).passthrough();

/** The upstream policy with every upstream shared, made once per policy (a 2026-07-28 session is made per request). */
const sharedPolicies = new WeakMap<UpstreamPolicy, UpstreamPolicy>();
function sharedPolicy(policy: UpstreamPolicy): UpstreamPolicy {
  let shared = sharedPolicies.get(policy);
  if (!shared) sharedPolicies.set(policy, (shared = { ...policy, scope: 'shared' }));
  return shared;
}

/** What policy calls each paged list's items. */
const ACCESS_KIND: Readonly<Record<PagedKind, AccessKind>> = { tools: 'tool', resources: 'resource', templates: 'resource', prompts: 'prompt' };

export interface SessionOptions {
  /** Who the client is (default: anonymous). A legacy HTTP session's is renewed on each request. */
  identity?: Identity;
  /** Rate limits were applied before the request reached the session (the HTTP layer answers 429 itself). */
  limitsChecked?: boolean;
  /**
   * The client as a 2026-07-28 request's `_meta` envelope names it, for a request the gateway
   * decoded itself (no SDK Server holds it then; see modern-call-lane.ts).
   */
  envelope?: ClientEnvelope;
}

export interface ClientEnvelope {
  readonly protocolVersion: string;
  readonly capabilities: ClientCapabilities;
  readonly clientInfo?: { readonly name: string; readonly version: string };
}

/** The upstream lists each paged answer is built from. */
const UPSTREAM_LISTS: Readonly<Record<PagedKind, readonly CatalogList[]>> = {
  tools: ['tools'],
  resources: ['resources'],
  templates: ['resourceTemplates'],
  prompts: ['prompts'],
};

let serials = 0;

export class GatewaySession {
  /** This session's number in this process: its key among the gateway's open sessions. */
  readonly serial = ++serials;
  /** Built on first use: the gateway's own 2026-07-28 call lane serves a request without one. */
  private built: Server | undefined;
  readonly upstream: UpstreamSessions;
  /**
   * Requests of this session being routed now, by a number of their own: upstream messages are sent
   * on their response stream. A CallTable, not a Set: its entries come and go at call rate (see
   * core's call-table.ts).
   */
  private readonly inflight = new CallTable<number, Extra>();
  private routedCalls = 0;
  /** Tasks this session is running for its client (task-driver.ts): stopped, and cancelled upstream, when it closes. */
  private readonly driving = new Map<AbortController, Promise<unknown>>();
  /** Progress reported so far on each task run for the client, across its rounds. */
  private readonly taskProgress = new Map<string, number>();
  /** Which of this session's calls an upstream message belongs to, when its transport can tell. */
  private readonly attribution = new CallAttribution<Extra>();
  private level: LoggingLevel | undefined;
  /** uri → the service this session subscribed it on. */
  private readonly subscriptions = new Map<string, string>();
  private closed = false;
  private closing: Promise<void> | undefined;
  /** Who the client is: what policy, limits and audit key on. */
  identity: Identity;
  private readonly limitsChecked: boolean;
  private readonly envelope: ClientEnvelope | undefined;
  /**
   * Told when the client changes its log level or subscriptions, to share the change with other
   * instances; the client gets its answer once this settles, so its next request, wherever it
   * lands, finds the change stored.
   */
  onStateChange?: (change: SessionStateChange) => Promise<void>;

  /**
   * `era` 'modern' serves one 2026-07-28 request: no session state (no subscriptions, no session log
   * level: the request carries its own), and upstreams through the router's shared pool.
   */
  constructor(
    private readonly core: GatewayCore,
    readonly era: 'legacy' | 'modern' = 'legacy',
    options: SessionOptions = {},
  ) {
    this.identity = options.identity ?? ANONYMOUS_IDENTITY;
    this.limitsChecked = options.limitsChecked === true;
    this.envelope = options.envelope;
    this.upstream = new UpstreamSessions(
      core.router,
      core.transports,
      {
        capabilities: () => this.clientCapabilities() ?? {},
        logLevel: () => this.level,
        forwardRequest: (request, signal) => this.forwardRequest(request, signal),
        log: (service, params) => this.log(service, params),
        subscriptionsOn: (service) => [...this.subscriptions].filter(([, s]) => s === service).map(([uri]) => uri),
        resourceUpdated: (service, params) => this.resourceUpdated(service, params),
        attribution: this.attribution,
      },
      core.logger,
      core.connectTimeoutMs,
      era === 'modern' ? sharedPolicy(core.upstreamPolicy) : core.upstreamPolicy,
    );
    // A 2025 session's Server is its connection: made now, as before.
    if (era === 'legacy') this.built = this.makeServer();
  }

  /** The SDK Server serving this session's requests (made on first use). */
  get server(): Server {
    return (this.built ??= this.makeServer());
  }

  private makeServer(): Server {
    const core = this.core;
    const era = this.era;
    const server = new Server(
      { name: 'switchboard', version: GATEWAY_VERSION },
      {
        capabilities: {
          tools: { listChanged: true },
          resources: era === 'modern' ? { listChanged: true } : { subscribe: true, listChanged: true },
          prompts: { listChanged: true },
          logging: {},
          completions: {},
          experimental: selfCapability(core.router.instanceId),
          // The Tasks extension, for 2026-07-28 clients: task handles from upstreams pass through.
          ...(era === 'modern' ? { extensions: { [TASKS_EXTENSION]: {} } } : {}),
        },
        // A retried input_required round echoes the state the gateway sealed: it must open here.
        requestState: { verify: async (state: string) => core.requestStates.open(state) },
      },
    );
    this.registerHandlers(server);
    return server;
  }

  /** The client's capabilities: as its envelope declared them, else as the SDK Server knows them. */
  private clientCapabilities(): ClientCapabilities | undefined {
    return this.envelope ? this.envelope.capabilities : this.server.getClientCapabilities();
  }

  private clientVersion(): { name: string; version: string } | undefined {
    return this.envelope ? this.envelope.clientInfo : this.server.getClientVersion();
  }

  private negotiatedVersion(): string | undefined {
    return this.envelope ? this.envelope.protocolVersion : this.server.getNegotiatedProtocolVersion();
  }

  /**
   * Release every upstream session and shared subscription this session held. Every caller waits
   * for the same close: an HTTP session is closed both by its transport's onclose and by whoever
   * closed the transport, and the second must not return while the first still cancels tasks.
   */
  close(): Promise<void> {
    return (this.closing ??= this.release());
  }

  private async release(): Promise<void> {
    this.closed = true;
    this.core.sessionClosed(this);
    for (const [uri, service] of this.subscriptions) this.core.releaseSharedSubscription(this, service, uri);
    this.subscriptions.clear();
    // Tasks run for the client are cancelled upstream while the session's upstreams are still open.
    const driven = [...this.driving];
    for (const [stop] of driven) stop.abort(new ClientError(CONNECTION_CLOSED, 'the client session has ended'));
    await Promise.all(driven.map(([, ended]) => ended));
    await this.upstream.close();
    await this.built?.close().catch(() => undefined);
  }

  /** A shared (stdio) upstream reported an update: deliver it if this session subscribed there. */
  deliverSharedUpdate(service: string, params: ResourceUpdatedNotification['params']): void {
    this.resourceUpdated(service, params);
  }

  async notifyListChanged(kind: 'tools' | 'prompts' | 'resources'): Promise<void> {
    const server = this.built;
    if (this.closed || !server) return;
    try {
      if (kind === 'tools') await server.sendToolListChanged();
      else if (kind === 'prompts') await server.sendPromptListChanged();
      else await server.sendResourceListChanged();
    } catch {
      // Not connected yet, or the client went away: it lists afresh when it (re)connects.
    }
  }

  /**
   * A tools/call, whoever decoded it: the SDK Server's handler, or the gateway's own 2026-07-28
   * call lane (modern-call-lane.ts). Throws what the client should get as a JSON-RPC error.
   */
  async callTool(params: CallToolParams, extra: Extra): Promise<CallToolResult> {
    const core = this.core;
    const route = core.catalog().tools.get(params.name);
    if (!route) throw new ClientError(ProtocolErrorCode.InvalidParams, `Unknown tool: ${params.name}`);
    // Hidden from this client's lists, and refused naming the rule (the operator's answer to "why").
    this.admit('tool', route.name, 'tools/call', extra, params.arguments);
    const progressToken = params._meta?.progressToken;
    const resumed = this.resumedFlow(extra, 'tools/call', route.name, route.members);
    const meta = params._meta;
    if (resumed?.held !== undefined) return (await this.resumeHeld(resumed, extra, 'tools/call', route.name)) as CallToolResult;
    // The client answered what a task the gateway runs for it asked: the answers go to the task.
    if (resumed?.task !== undefined) return this.drive({ service: resumed.service, taskId: resumed.task }, route.name, extra, extra.mcpReq.inputResponses ?? {});
    let driven: OwnedTask | undefined;
    const base = { name: route.upstreamName, ...(params.arguments ? { arguments: params.arguments } : {}), ...roundParams(extra, resumed) };
    if (this.era === 'modern' && !resumed && this.bridgesTo(route.members)) {
      const bridged = this.bridged('tools/call', route.name, extra, { toolName: route.upstreamName, members: route.members, ...this.observed('tools/call', route.name, extra) }, (client, signal, held) =>
        client.callTool({ ...base, ...this.upstreamMeta(meta, client, extra) } as Parameters<typeof client.callTool>[0], {
          signal,
          timeout: core.callTimeoutMs,
          // Progress goes to whichever round the client is waiting on (see heldStep).
          resetTimeoutOnProgress: true,
          onprogress: (p) => held.progress(p),
        }),
        { args: params.arguments },
      );
      if (bridged) return (await bridged) as CallToolResult;
    }
    // Progress must reach the client before the result: the client forgets the token on the result.
    let progressSent: Promise<void> = Promise.resolve();
    // A retry of an input_required round goes to the replica that asked, and only there.
    const target = { toolName: route.upstreamName, members: resumed ? [resumed.service] : route.members, ...(progressToken !== undefined || resumed ? { noHedge: true } : {}) };
    const result = await this.routed<CallToolResult>('tools/call', route.name, extra, target, (client, entry, signal, tie) => {
      const call = (declareTasks: boolean) =>
        callUpstreamTool(client, { ...base, ...this.upstreamMeta(meta, client, extra, declareTasks) } as Parameters<typeof client.callTool>[0], {
          ...tie,
          signal,
          timeout: core.callTimeoutMs,
          allowInputRequired: true,
          ...(progressToken !== undefined
            ? {
                resetTimeoutOnProgress: true,
                onprogress: (p) => {
                  progressSent = progressSent.then(() => extra.mcpReq.notify({ method: 'notifications/progress', params: { ...p, progressToken } })).catch(() => undefined);
                },
              }
            : {}),
        });
      // An upstream that serves this call only as a task (-32021 naming the Tasks extension), to a
      // 2025 client, which has no way to take one: the gateway asks again, taking the task, and
      // runs it for the client (task-driver.ts). The upstream refused before doing anything, so
      // asking again is safe. A 2026-07-28 client gets the -32021: it can declare the extension.
      let drives = false;
      return call(false)
        .catch((error: unknown) => {
          if (this.era !== 'legacy' || !needsTasksExtension(error)) throw error;
          drives = true;
          return call(true);
        })
        .then((answer) => this.sealed(answer, { service: entry.name, method: 'tools/call', name: route.name }) as CallToolResult)
        // An upstream's task (the Tasks extension) goes to the client under a handle naming its owner.
        .then((answer) => {
          const task = carriedTask(answer);
          // A task for a client that takes none is run for it: asked for (above), or sent anyway
          // by an upstream that breaks the extension's rule (a client that did not declare it
          // must never get a task).
          const runs = task !== undefined && (drives || this.era === 'legacy' || !this.takesTasks());
          if (runs) driven = { service: entry.name, taskId: String(task.taskId) };
          return task && !runs ? ({ ...this.core.taskHandles.wrap(task, entry.name, this.identity.key), resultType: 'task' } as unknown as CallToolResult) : answer;
        });
    }, params.arguments);
    await progressSent;
    if (driven) return this.drive(driven, route.name, extra);
    return result;
  }

  /**
   * A 2025 session's tools/call as the SDK Server runs its handler, for the session's own call lane
   * (legacy-call-lane.ts): through the Server's input-required seam, so an upstream's input_required
   * answer is fulfilled by the SDK's legacy shim (requests to the client over this session, tied to
   * the call, then the call again with the answers), as for a call the Server decoded. Undefined when
   * this SDK has no such seam: the lane then leaves calls that may need it to the Server.
   */
  get callToolAsServer(): SeamCall | undefined {
    if (this.asServer === undefined) this.asServer = this.seamCall();
    return this.asServer ?? undefined;
  }
  /** Made on first use; null when the SDK has no seam. */
  private asServer: SeamCall | null | undefined;

  private seamCall(): SeamCall | null {
    const server = this.server as unknown as Partial<InputRequiredSeam>;
    if (typeof server._invokeInputRequiredCapableHandler !== 'function') return null;
    const seam = server as InputRequiredSeam;
    const handler = (request: { params: CallToolParams }, extra: Extra): Promise<CallToolResult> => this.callTool(request.params, extra);
    // The SDK's shim copies mcpReq by spreading it, which drops a getter on a prototype (the lane's
    // LaneRequest): the signal goes in as an own property. Only this path pays for it: a call that
    // may need input_required, behind a 2026-07-28 upstream.
    return (params, extra) =>
      seam._invokeInputRequiredCapableHandler('tools/call', handler, { method: 'tools/call', params }, { ...extra, mcpReq: { ...extra.mcpReq, signal: extra.mcpReq.signal } }) as Promise<CallToolResult>;
  }

  private registerHandlers(s: Server): void {
    const core = this.core;
    s.setRequestHandler('tools/list', (r) => this.listed('tools', (c) => exposedTools(c.tools), (t) => t.name, r.params?.cursor, (tools) => ({ tools })));
    s.setRequestHandler('tools/call', (request, extra) => this.callTool(request.params, extra));

    s.setRequestHandler('resources/list', (r) =>
      this.listed('resources', (c) => [...c.resources.values()].map((x) => x.item), (x) => x.uri, r.params?.cursor, (resources) => ({ resources })),
    );
    s.setRequestHandler('resources/templates/list', (r) =>
      this.listed('templates', (c) => [...c.templates.values()].map((x) => x.item), (x) => x.uriTemplate, r.params?.cursor, (resourceTemplates) => ({ resourceTemplates })),
    );
    s.setRequestHandler('resources/read', async (request, extra) => {
      type ReadResult = Awaited<ReturnType<Client['readResource']>>;
      const uri = request.params.uri;
      const owners = resourceOwners(core.catalog(), uri);
      // -32602, as 2026-07-28 says. The SDK v2 sends -32602 for a missing resource on every revision
      // (2025-11-25 said -32002; it maps a thrown -32002 at its encode seam), so both eras get it.
      if (owners.length === 0) throw new ClientError(ProtocolErrorCode.InvalidParams, `Resource not found: ${uri}`, { uri });
      this.admit('resource', uri, 'resources/read', extra);
      const resumed = this.resumedFlow(extra, 'resources/read', uri, owners);
      if (resumed?.held !== undefined) return (await this.resumeHeld(resumed, extra, 'resources/read', uri)) as ReadResult;
      const params = { uri, ...roundParams(extra, resumed) };
      const metricName = resourceMetricName(core.catalog(), uri);
      if (this.era === 'modern' && !resumed && this.bridgesTo(owners)) {
        const meta = request.params._meta;
        const bridged = this.bridged('resources/read', uri, extra, { members: owners, ...this.observed('resources/read', uri, extra) }, (client, signal) =>
          client.readResource({ ...params, ...this.upstreamMeta(meta, client, extra) } as Parameters<typeof client.readResource>[0], { signal, timeout: core.callTimeoutMs }),
          { metricName },
        );
        if (bridged) return (await bridged) as ReadResult;
      }
      return this.routed('resources/read', uri, extra, { members: resumed ? [resumed.service] : owners, metricName, ...(resumed ? { noHedge: true } : {}) }, (client, entry, signal, tie) =>
        client
          .readResource({ ...params, ...this.upstreamMeta(request.params._meta, client, extra) } as Parameters<typeof client.readResource>[0], { ...tie, signal: signal.signal, timeout: core.callTimeoutMs, allowInputRequired: true })
          .then((answer) => this.sealed(answer, { service: entry.name, method: 'resources/read', name: uri }) as Awaited<ReturnType<typeof client.readResource>>),
      );
    });
    s.setRequestHandler('prompts/list', (r) => this.listed('prompts', (c) => exposedPrompts(c.prompts), (p) => p.name, r.params?.cursor, (prompts) => ({ prompts })));
    s.setRequestHandler('prompts/get', async (request, extra) => {
      const route = core.catalog().prompts.get(request.params.name);
      if (!route) throw new ClientError(ProtocolErrorCode.InvalidParams, `Unknown prompt: ${request.params.name}`);
      this.admit('prompt', route.name, 'prompts/get', extra, request.params.arguments);
      const resumed = this.resumedFlow(extra, 'prompts/get', route.name, route.members);
      if (resumed?.held !== undefined) return (await this.resumeHeld(resumed, extra, 'prompts/get', route.name)) as Awaited<ReturnType<Client['getPrompt']>>;
      const params = { name: route.upstreamName, ...(request.params.arguments ? { arguments: request.params.arguments } : {}), ...roundParams(extra, resumed) };
      if (this.era === 'modern' && !resumed && this.bridgesTo(route.members)) {
        const meta = request.params._meta;
        const bridged = this.bridged('prompts/get', route.name, extra, { members: route.members, ...this.observed('prompts/get', route.name, extra) }, (client, signal) =>
          client.getPrompt({ ...params, ...this.upstreamMeta(meta, client, extra) } as Parameters<typeof client.getPrompt>[0], { signal, timeout: core.callTimeoutMs }),
          { args: request.params.arguments },
        );
        if (bridged) return (await bridged) as Awaited<ReturnType<Client['getPrompt']>>;
      }
      return this.routed('prompts/get', route.name, extra, { members: resumed ? [resumed.service] : route.members, ...(resumed ? { noHedge: true } : {}) }, (client, entry, signal, tie) =>
        client
          .getPrompt({ ...params, ...this.upstreamMeta(request.params._meta, client, extra) } as Parameters<typeof client.getPrompt>[0], { ...tie, signal: signal.signal, timeout: core.callTimeoutMs, allowInputRequired: true })
          .then((answer) => this.sealed(answer, { service: entry.name, method: 'prompts/get', name: route.name }) as Awaited<ReturnType<typeof client.getPrompt>>),
        request.params.arguments,
      );
    });

    s.setRequestHandler('completion/complete', (request, extra) => {
      const ref = request.params.ref;
      const catalog = core.catalog();
      let members: readonly string[];
      let params = request.params;
      const allowed = ref.type === 'ref/prompt' ? core.access.allows(this.identity, 'prompt', ref.name) : core.access.allows(this.identity, 'resource', ref.uri);
      if (ref.type === 'ref/prompt') {
        const route = allowed ? catalog.prompts.get(ref.name) : undefined;
        members = route?.members ?? [];
        if (route) params = { ...params, ref: { ...ref, name: route.upstreamName } };
      } else {
        members = allowed ? (catalog.templates.get(ref.uri)?.members ?? resourceOwners(catalog, ref.uri)) : [];
      }
      if (members.length === 0) throw new ClientError(ProtocolErrorCode.InvalidParams, `Nothing to complete for ${ref.type === 'ref/prompt' ? `prompt ${ref.name}` : `resource ${ref.uri}`}`);
      return this.routed<CompleteResult>('completion/complete', ref.type === 'ref/prompt' ? ref.name : ref.uri, extra, { members }, (client, _e, signal, tie) =>
        client.getServerCapabilities()?.completions ? client.complete(params, { ...tie, signal: signal.signal, timeout: core.callTimeoutMs }) : Promise.resolve({ completion: { values: [] } }),
      );
    });

    // 2026-07-28 removed these: its clients subscribe on subscriptions/listen and name a log
    // level per request (the SDK answers the removed methods as the spec says).
    if (this.era === 'modern') {
      this.registerTaskHandlers(s);
      return;
    }
    s.setRequestHandler('resources/subscribe', async (request, extra) => {
      await this.subscribe(request.params.uri, extra);
      await this.onStateChange?.({ subscribe: request.params.uri });
      return {};
    });
    s.setRequestHandler('resources/unsubscribe', async (request) => {
      await this.unsubscribe(request.params.uri);
      await this.onStateChange?.({ unsubscribe: request.params.uri });
      return {};
    });

    s.setRequestHandler('logging/setLevel', async (request) => {
      await this.setLevel(request.params.level);
      await this.onStateChange?.({ level: request.params.level });
      return {};
    });

    s.setNotificationHandler('notifications/roots/list_changed', async () => {
      await Promise.all(this.upstream.connected().map(([, client]) => client.sendRootsListChanged().catch(() => undefined)));
    });
  }

  /**
   * tasks/get, tasks/update and tasks/cancel (the Tasks extension) on a task an upstream created:
   * the handle names the replica that owns it, which gets the request with its own taskId; the
   * answer names the task by its handle again.
   */
  private registerTaskHandlers(server: Server): void {
    const core = this.core;
    const forward = (method: 'tasks/get' | 'tasks/update' | 'tasks/cancel') =>
      async (params: { taskId: string }, extra: Extra): Promise<Record<string, unknown>> => {
        // The extension's gate (SEP-2663, by SEP-2575's rule for missing capabilities): a request
        // whose client did not declare it gets -32021 naming it, before the handle is looked at.
        if (!this.takesTasks()) {
          throw new MissingRequiredClientCapabilityError({ requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } }, `${method} needs the ${TASKS_EXTENSION} extension, which this request's client capabilities do not declare`);
        }
        const owned = core.taskHandles.open(params.taskId, this.identity.key);
        const inputResponses = method === 'tasks/update' ? extra.mcpReq.inputResponses : undefined;
        const fields = await this.taskRequest(method, owned, extra, inputResponses);
        return method === 'tasks/get' ? { ...fields, taskId: params.taskId } : fields;
      };
    server.setRequestHandler('tasks/get', { params: TASK_PARAMS }, forward('tasks/get'));
    server.setRequestHandler('tasks/update', { params: TASK_PARAMS }, forward('tasks/update'));
    server.setRequestHandler('tasks/cancel', { params: TASK_PARAMS }, forward('tasks/cancel'));
  }

  /** tasks/get, tasks/update or tasks/cancel at the replica that owns the task; its answer without `_meta`. */
  private async taskRequest(method: 'tasks/get' | 'tasks/update' | 'tasks/cancel', owned: OwnedTask, extra: Extra, inputResponses?: Record<string, unknown>, declare = false): Promise<Record<string, unknown>> {
    if (!this.core.router.registry.get(owned.service)) {
      throw new ClientError(ProtocolErrorCode.InvalidParams, `the server that owns this task (${owned.service}) is gone; start the request again`, { reason: 'task_owner_gone' });
    }
    const answer = await this.routed(method, owned.service, extra, { members: [owned.service], noHedge: true }, (client, _entry, signal, tie) =>
      client.request(
        { method, params: { taskId: owned.taskId, ...(inputResponses ? { inputResponses } : {}), ...this.upstreamMeta(undefined, client, extra, declare) } } as never,
        TASK_ANSWER,
        { ...tie, signal: signal.signal, timeout: this.core.callTimeoutMs },
      ),
    );
    const { _meta: _drop, ...fields } = answer as Record<string, unknown>;
    return fields;
  }

  /**
   * Run a task for this client (it takes no tasks itself; see task-driver.ts) until the client's
   * turn or the end. It stops when the client cancels the call, and when the session closes: then
   * the session waits for the task's cancel to be sent before it lets its upstreams go.
   */
  private drive(owned: OwnedTask, tool: string, extra: Extra, inputResponses?: Record<string, unknown>): Promise<CallToolResult> {
    const stop = new AbortController();
    const progressToken = extra.mcpReq._meta?.progressToken;
    // Progress must reach the client before the result: the client forgets the token on the result.
    let progressSent: Promise<void> = Promise.resolve();
    const client = extra.mcpReq.signal;
    const onClient = (): void => stop.abort(client.reason);
    if (client.aborted) onClient();
    else client.addEventListener('abort', onClient, { once: true });
    const driving: TaskDriving = {
      // A cancel is sent because the call was aborted: it must not carry that signal.
      request: (method, responses) => this.taskRequest(method, owned, method === 'tasks/cancel' ? detached(extra) : extra, responses, true),
      seal: () => this.core.requestStates.seal({ service: owned.service, method: 'tools/call', name: tool, principal: this.identity.key, task: owned.taskId }),
      signal: stop.signal,
      // A client that asked for progress hears how the task goes (and its request timeout restarts).
      // Counted per task, so the progress value still rises in the rounds after a question.
      ...(progressToken !== undefined
        ? {
            working: (message) => {
              const progress = (this.taskProgress.get(owned.taskId) ?? 0) + 1;
              this.taskProgress.set(owned.taskId, progress);
              progressSent = progressSent.then(() => extra.mcpReq.notify({ method: 'notifications/progress', params: { progressToken, progress, ...(message !== undefined ? { message } : {}) } })).catch(() => undefined);
            },
          }
        : {}),
    };
    const run = driveTask(driving, inputResponses)
      .then(async (answer) => {
        if (!isInputRequired(answer)) this.taskProgress.delete(owned.taskId);
        await progressSent;
        return answer;
      })
      .catch((error: unknown) => {
        this.taskProgress.delete(owned.taskId);
        throw error;
      })
      .finally(() => {
        client.removeEventListener('abort', onClient);
        this.driving.delete(stop);
      });
    this.driving.set(stop, run.catch(() => undefined));
    return run;
  }

  /** Whether this request's client declared the Tasks extension. */
  private takesTasks(): boolean {
    return this.clientCapabilities()?.extensions?.[TASKS_EXTENSION] !== undefined;
  }

  /** What the client changed after initialize, as other instances need it. */
  sharedState(): SharedSessionState {
    return { ...(this.level !== undefined ? { level: this.level } : {}), subscriptions: [...this.subscriptions.keys()] };
  }

  /**
   * Take on what the client changed through another instance: its log level, and its subscriptions
   * (made on this instance's upstreams too, so whichever instance holds the client's event stream
   * delivers the updates). Does not report back through onStateChange.
   */
  async applyState(state: SharedSessionState): Promise<void> {
    if (this.closed) return;
    if (state.level !== undefined && state.level !== this.level) await this.setLevel(state.level);
    const wanted = new Set(state.subscriptions);
    for (const uri of wanted) {
      if (this.subscriptions.has(uri)) continue;
      await this.subscribe(uri).catch((error: unknown) => this.core.logger.warn('could not re-make a subscription made on another instance', { uri, error }));
    }
    for (const uri of [...this.subscriptions.keys()]) if (!wanted.has(uri)) await this.unsubscribe(uri);
  }

  private async subscribe(uri: string, extra?: Extra): Promise<void> {
    const core = this.core;
    if (!this.subscriptions.has(uri) && this.subscriptions.size >= MAX_SUBSCRIPTIONS_PER_SESSION) {
      throw new ClientError(ProtocolErrorCode.InvalidParams, `this session already holds ${MAX_SUBSCRIPTIONS_PER_SESSION} resource subscriptions, the most one session may; unsubscribe from one first`, {
        uri,
        reason: 'too_many_subscriptions',
      });
    }
    const members = core.access.allows(this.identity, 'resource', uri) ? resourceOwners(core.catalog(), uri) : [];
    if (members.length === 0) throw new ClientError(ProtocolErrorCode.InvalidParams, `Resource not found: ${uri}`, { uri });
    let chosen = '';
    await this.routed('resources/subscribe', uri, extra, { members, metricName: resourceMetricName(core.catalog(), uri) }, async (client, entry, signal, tie) => {
      const result = await client.subscribeResource({ uri }, { ...tie, signal: signal.signal, timeout: core.callTimeoutMs });
      chosen = entry.name;
      return result;
    });
    const previous = this.subscriptions.get(uri);
    if (previous && previous !== chosen) core.releaseSharedSubscription(this, previous, uri);
    this.subscriptions.set(uri, chosen);
    if (!this.ownsSessionOn(chosen)) core.holdSharedSubscription(this, chosen, uri);
  }

  private async unsubscribe(uri: string): Promise<void> {
    const core = this.core;
    const service = this.subscriptions.get(uri);
    if (service === undefined) return;
    this.subscriptions.delete(uri);
    const entry = core.router.registry.get(service);
    if (!entry) return;
    // A shared upstream stays subscribed while another session still wants the updates.
    if (!this.upstream.ownsSession(entry) && core.releaseSharedSubscription(this, service, uri) > 0) return;
    const client = await this.upstream.clientFor(entry).catch(() => undefined);
    await client?.unsubscribeResource({ uri }, { timeout: core.callTimeoutMs }).catch((error: unknown) => core.logger.debug('unsubscribe failed', { service, error }));
  }

  private async setLevel(level: LoggingLevel): Promise<void> {
    this.level = level;
    // Sessions opened later get the level as they open; shared stdio upstreams are not told,
    // because their log level is every session's.
    await Promise.all(
      this.upstream.connected().map(([service, client]) =>
        client.getServerCapabilities()?.logging ? client.setLoggingLevel(level).catch((error: unknown) => this.core.logger.debug('setLevel failed', { service, error })) : undefined,
      ),
    );
  }

  /**
   * The round a retried input_required request resumes: the sealed requestState the gateway handed
   * out, opened by the server's verify hook (a state that does not open never reaches here: the
   * SDK answers it with -32602). It must belong to this request, and its replica must still serve it.
   */
  private resumedFlow(extra: Extra, method: string, name: string, members: readonly string[]): HeldRequestState | undefined {
    const held = extra.mcpReq.requestState?.() as HeldRequestState | string | undefined;
    if (held === undefined) return undefined;
    if (typeof held === 'string' || held.method !== method || held.name !== name) throw new ClientError(ProtocolErrorCode.InvalidParams, 'Invalid or expired requestState', { reason: 'invalid_request_state' });
    // Sealed for one identity: another one replaying it (a leaked state) learns nothing and resumes nothing.
    if (held.principal !== undefined && held.principal !== this.identity.key) throw new ClientError(ProtocolErrorCode.InvalidParams, 'Invalid or expired requestState', { reason: 'invalid_request_state' });
    if (!members.includes(held.service)) {
      throw new ClientError(ProtocolErrorCode.InvalidParams, `the server that asked for this input (${held.service}) no longer serves ${name}; start the request again`, { reason: 'input_required_server_gone' });
    }
    return held;
  }

  /** An upstream's input_required answer, with its requestState sealed to name the replica (see request-state.ts). */
  private sealed(answer: unknown, origin: Omit<HeldRequestState, 'upstream'>): unknown {
    if (!isInputRequired(answer)) return answer;
    const requestState = this.core.requestStates.seal({ ...origin, principal: this.identity.key, ...(answer.requestState !== undefined ? { upstream: answer.requestState } : {}) });
    return { resultType: 'input_required', ...(answer.inputRequests ? { inputRequests: answer.inputRequests } : {}), requestState };
  }

  /**
   * The `_meta` a call carries upstream: the client's own keys (progress token aside: the gateway
   * relays progress itself), without its protocol-version and client-info envelope, which are the
   * gateway's on the upstream link. To a 2026-07-28 upstream the client's capabilities go along, so
   * it asks (input_required) only for what the client can answer; a 2025 upstream sees no envelope.
   */
  private upstreamMeta(meta: RequestMeta | undefined, upstream: Client, extra: Extra | undefined, declareTasks = false): { _meta?: Record<string, unknown> } {
    const out: Record<string, unknown> = { ...withoutProgressToken(meta) };
    delete out[PROTOCOL_VERSION_META_KEY];
    delete out[CLIENT_INFO_META_KEY];
    if (upstream.getProtocolEra() === 'modern') {
      const capabilities = (out[CLIENT_CAPABILITIES_META_KEY] ?? this.clientCapabilities()) as ClientCapabilities | undefined;
      // `declareTasks`: the gateway takes the upstream's task itself (task-driver.ts).
      if (declareTasks) out[CLIENT_CAPABILITIES_META_KEY] = { ...capabilities, extensions: { ...capabilities?.extensions, [TASKS_EXTENSION]: {} } };
      else if (capabilities) out[CLIENT_CAPABILITIES_META_KEY] = capabilities;
      // A 2026-07-28 upstream logs only at a level the request names: a 2025 client named its
      // level once for the session (logging/setLevel), so each call says it; a 2026-07-28 client's
      // request named it in its envelope (which the SDK lifts out of `_meta`).
      const level = this.era === 'legacy' ? this.level : requestLogLevel(extra);
      if (level !== undefined && out[LOG_LEVEL_META_KEY] === undefined) out[LOG_LEVEL_META_KEY] = level;
    } else {
      delete out[CLIENT_CAPABILITIES_META_KEY];
    }
    // Trace context travels in _meta too (both eras), beside the HTTP header: the gateway's span is
    // the upstream's parent when tracing is on; otherwise the client's own context passes through.
    const outgoing = this.core.router.outgoingHeaders();
    for (const key of TRACE_KEYS) if (outgoing?.[key] !== undefined) out[key] = outgoing[key];
    return Object.keys(out).length > 0 ? { _meta: out } : {};
  }

  /**
   * One page of a list, from upstream lists re-read first where their ttl ran out. A 2026-07-28
   * answer carries the cache hint of the upstream lists behind it (the smallest remaining ttl,
   * private if any is); a 2025 answer has no such fields, as before.
   */
  private async listed<T, R>(
    kind: PagedKind,
    items: (catalog: CatalogSnapshot) => readonly T[],
    nameOf: (item: T) => string,
    cursor: string | undefined,
    wrap: (items: T[]) => R,
  ): Promise<R & { nextCursor?: string }> {
    const lists = UPSTREAM_LISTS[kind];
    const catalog = await this.core.freshCatalog(lists);
    const access = this.core.access;
    // Filtered before paging, so pages are full and a cursor never reveals what is hidden.
    const page = this.page(kind, access.filter(this.identity, ACCESS_KIND[kind], items(catalog), nameOf), cursor, wrap);
    if (this.era !== 'modern') return page;
    const freshness = this.core.listFreshness(lists);
    // A list that depends on who asks must not be served to anyone else from a shared cache.
    return { ...page, ...freshness, ...(access.identityScoped ? { cacheScope: 'private' as const } : {}) };
  }

  /** What a call is, for its audit line. */
  private callContext(method: string, extra: Extra | undefined, args?: unknown): CallContext {
    const client = this.clientVersion();
    const meta = extra?.mcpReq._meta as Record<string, unknown> | undefined;
    const envelopeVersion = meta?.[PROTOCOL_VERSION_META_KEY];
    const protocolVersion = typeof envelopeVersion === 'string' ? envelopeVersion : this.negotiatedVersion();
    return {
      method,
      era: this.era === 'modern' ? '2026' : '2025',
      ...(protocolVersion ? { protocolVersion } : {}),
      ...(client ? { client: { name: client.name, version: client.version } } : {}),
      ...(args !== undefined ? { arguments: args } : {}),
    };
  }

  /** Policy, then (unless the HTTP layer took them) rate limits: a refusal is audited and thrown. */
  private admit(kind: AccessKind, name: string, method: string, extra: Extra, args?: unknown): void {
    const access = this.core.access;
    if (!access.policy && !access.limits && !access.audit) return;
    const call = this.callContext(method, extra, args);
    access.admit(this.identity, kind, name, call);
    // A retried input_required round continues a call already admitted: it costs no token.
    // (requestState is the SDK's accessor of the verified state: call it to see whether there is one.)
    if (kind !== 'tool' || this.limitsChecked || extra.mcpReq.requestState?.() !== undefined) return;
    const decision = access.take(this.identity, name, call);
    if (!decision.ok) throw rateLimitError(decision, name);
  }

  private page<T, R>(kind: PagedKind, all: readonly T[], cursor: string | undefined, wrap: (items: T[]) => R): R & { nextCursor?: string } {
    const p = paginate(kind, all, cursor, this.core.pageSize);
    return { ...wrap(p.items), ...(p.nextCursor !== undefined ? { nextCursor: p.nextCursor } : {}) };
  }

  private ownsSessionOn(service: string): boolean {
    const entry = this.core.router.registry.get(service);
    return entry !== undefined && this.upstream.ownsSession(entry);
  }

  /** Route one request, keep it findable for upstream callbacks, record metrics, map errors. */
  private async routed<T>(
    method: string,
    name: string,
    extra: Extra | undefined,
    target: { toolName?: string; members: readonly string[]; noHedge?: boolean; metricName?: string },
    operation: Operation<T>,
    args?: unknown,
  ): Promise<T> {
    const started = performance.now();
    // (No await at all without token exchange configured: the hot path pays nothing for it.)
    const exchange = extra ? this.core.upstreamCredentials : undefined;
    const credentials = exchange ? await exchange.forCall(this.identity, target.members) : undefined;
    // Work this instance does on its own (re-making another instance's subscription) has no client
    // request to answer on, so nothing the upstream sends meanwhile can be attributed to one.
    const slot = ++this.routedCalls;
    if (extra) this.inflight.set(slot, extra);
    // Mark the upstream busy while the operation runs: an own process is not reaped mid-call, and a
    // shared connection knows which sessions may be the target of what the server sends meanwhile.
    const tracked: Operation<T> = async (client, entry, signal) => {
      const own = this.upstream.ownsSession(entry);
      const lease = own ? undefined : this.core.shared.begin(client, entry.name, this.tenant, this.callTarget(extra));
      const done = lease ? lease.end : this.upstream.use(entry);
      try {
        // On the session's own upstream, run as this call: the requests it sends upstream are
        // remembered as its own, so what the upstream sends back while serving them comes to this
        // call (see CallAttribution). A shared connection ties them through the request options
        // instead (SharedUpstreams): running it here would switch on Node's async hooks for every
        // promise of the process.
        const attempt = (): Promise<T> => (own ? this.attribution.run(extra, () => operation(client, entry, signal)) : operation(client, entry, signal, lease!.tie));
        return await (credentials ? this.core.upstreamCredentials!.run(credentials, entry, attempt) : attempt());
      } finally {
        done();
      }
    };
    let outcome: DispatchOutcome<T>;
    try {
      const seen = this.observed(method, name, extra);
      outcome = await this.core.members.route(
        {
          toolName: target.toolName,
          members: target.members,
          noHedge: target.noHedge,
          signal: extra ? (extra.mcpReq.cancel ?? extra.mcpReq.signal) : undefined,
          client: this.upstream.clientFor,
          renew: this.upstream.renew,
          method: seen.method,
          target: seen.target,
          trace: seen.trace,
          protocolVersion: seen.protocolVersion,
          jsonrpcRequestId: seen.jsonrpcRequestId,
        },
        tracked,
      );
    } finally {
      if (extra) this.inflight.delete(slot);
    }
    this.settled(method, name, extra, args, outcome, started, target.metricName);
    return answerOf(outcome);
  }

  /** Count a routed request in the metrics and write its audit line (every path that routes one ends here). */
  private settled(method: string, name: string, extra: Extra | undefined, args: unknown, outcome: DispatchOutcome<unknown>, started: number, metricName?: string): void {
    const service = outcome.service ?? outcome.attempts.at(-1)?.service ?? '';
    const latencyMs = performance.now() - started;
    this.core.metrics.record({ method, service, tool: metricName ?? name, latencyMs, ok: !outcome.error, failovers: outcome.failoverAttempts, era: this.era === 'modern' ? '2026' : '2025' });
    if (this.core.access.audit && extra) this.audited(method, name, extra, args, outcome, latencyMs);
  }

  private audited(method: string, name: string, extra: Extra, args: unknown, outcome: DispatchOutcome<unknown>, latencyMs: number): void {
    const service = outcome.service ?? outcome.attempts.at(-1)?.service;
    const group = service === undefined ? undefined : this.core.router.registry.get(service)?.descriptor.replicaGroup;
    const asks = !outcome.error && isInputRequired(outcome.value);
    this.core.access.record({
      identity: this.identity,
      ...this.callContext(method, extra, args),
      name,
      ...(service !== undefined ? { service, upstream: group ?? service } : {}),
      outcome: outcome.error ? 'error' : asks ? 'input_required' : 'ok',
      ...(outcome.error ? { reason: outcome.error.code } : {}),
      latencyMs,
      ...(outcome.error ? {} : { result: outcome.value }),
    });
  }

  /** What observers (tracing) are told about a call: its method and target, and the client's trace context, revision and request id. */
  private observed(method: string, name: string, extra: Extra | undefined): Pick<RouteTarget, 'method' | 'target' | 'trace' | 'protocolVersion' | 'jsonrpcRequestId'> {
    const meta = extra?.mcpReq._meta as Record<string, unknown> | undefined;
    const trace = traceOf(meta, extra?.http?.req?.headers);
    const envelopeVersion = meta?.[PROTOCOL_VERSION_META_KEY];
    const protocolVersion = typeof envelopeVersion === 'string' ? envelopeVersion : this.negotiatedVersion();
    // (The router reads an absent field and an undefined one alike: no spread on the hot path.)
    return { method, target: name, trace, protocolVersion: protocolVersion || undefined, jsonrpcRequestId: extra?.mcpReq.id };
  }

  /**
   * Whether a 2026-07-28 client's call to these services is bridged (see held-calls.ts): it declared
   * something a 2025 upstream may ask for (sampling, elicitation, roots), and every member is a
   * 2025 upstream whose transport gives a call an upstream session of its own.
   */
  private bridgesTo(members: readonly string[]): boolean {
    const caps = this.clientCapabilities();
    if (!caps?.sampling && !caps?.elicitation && !caps?.roots) return false;
    return members.every((name) => {
      const entry = this.core.router.registry.get(name);
      const transport = entry ? this.core.transports?.get(entry.descriptor.transport) : undefined;
      // A network upstream gives the call a session of its own; a stdio one, a process lent to it alone.
      const own = transport?.multiplexesSessions === true || entry?.descriptor.transport === 'stdio';
      return own && entry?.descriptor.protocol !== 'modern' && this.core.router.pool.state(name)?.era !== '2026';
    });
  }

  /**
   * Run a call held for a 2026-07-28 client: on an upstream session of its own, whose requests to
   * the client become input_required rounds. Undefined when the instance holds as many as it may
   * (the call then runs as any other, and a question from the upstream is refused).
   */
  private bridged<T>(
    method: string,
    name: string,
    extra: Extra,
    target: Omit<RouteTarget, 'client' | 'renew'>,
    call: (client: Client, signal: AbortSignal, held: HeldCall) => Promise<T>,
    observed: { readonly args?: unknown; readonly metricName?: string } = {},
  ): Promise<unknown> | undefined {
    const core = this.core;
    const started = performance.now();
    const capabilities = this.clientCapabilities() ?? {};
    let upstream: UpstreamSessions | undefined;
    const lent = new Map<string, CallProcess>();
    let held: HeldCall | undefined;
    held = core.heldCalls.open(async () => {
      // A process whose call is still running (the client never came back) is ended, never lent again.
      for (const process of lent.values()) core.callProcesses.release(process, held?.settled === true);
      await upstream?.close();
    });
    if (!held) return undefined;
    const own = new UpstreamSessions(
      core.router,
      core.transports,
      heldCallBridge(capabilities, (request, signal) => held.ask(request, signal)),
      core.logger,
      core.connectTimeoutMs,
      { ...core.upstreamPolicy, scope: 'per-session' },
    );
    upstream = own;
    // stdio: a process lent to this call alone (see call-processes.ts); network: a session of its own.
    const lessee: CallLessee = { capabilities, forwardRequest: (request, signal) => held.ask(request, signal) };
    const sharedTenant: SharedTenant = { idle: { log: () => undefined, forwardRequest: (request, signal) => this.forwardRequestFor(capabilities, held, request, signal) } };
    // undefined: no process could be lent (the service is at its cap), so the shared one serves it.
    const sessionsFor = (entry: ServiceEntry): UpstreamSessions | undefined => {
      if (entry.descriptor.transport !== 'stdio') return own;
      let process = lent.get(entry.name);
      if (!process) {
        process = core.callProcesses.lease(entry, lessee);
        if (process) lent.set(entry.name, process);
      }
      return process?.sessions;
    };
    const clientFor = (entry: ServiceEntry): Promise<Client> => sessionsFor(entry)?.clientFor(entry) ?? core.router.pool.client(entry.descriptor);
    const renew = (entry: ServiceEntry, why: 'forgotten' | 'lost'): void => {
      const sessions = sessionsFor(entry);
      if (sessions) sessions.renew(entry, why);
      else if (why === 'forgotten') core.router.pool.renew(entry.name);
      else core.router.pool.invalidate(entry.name, 'upstream session lost');
    };
    held.start(async () => {
      const credentials = core.upstreamCredentials ? await core.upstreamCredentials.forCall(this.identity, target.members) : undefined;
      const outcome = await core.members.route({ ...target, noHedge: true, client: clientFor, renew }, async (client, entry, signal) => {
        held.service = entry.name;
        // On the shared process (none could be lent) the call is a tenant like any session's call,
        // so the connection's attribution stays exact or refuses (see shared-upstreams.ts).
        const onShared = entry.descriptor.transport === 'stdio' && !lent.has(entry.name);
        const done = onShared ? core.shared.begin(client, entry.name, sharedTenant, sharedTenant.idle).end : undefined;
        try {
          return await (credentials ? core.upstreamCredentials!.run(credentials, entry, () => call(client, signal.signal, held)) : call(client, signal.signal, held));
        } finally {
          done?.();
        }
      });
      // Counted and audited once, when the upstream's call ends, however many rounds the client took.
      this.settled(method, name, extra, observed.args, outcome, started, observed.metricName);
      return outcome;
    });
    return this.heldStep(held, method, name, extra);
  }

  /** An upstream's question for a held call, unless its client did not declare what it needs. */
  private forwardRequestFor(capabilities: ClientCapabilities, held: HeldCall, request: Request, signal: AbortSignal): Promise<Result> {
    const refused = undeclaredCapability(request, capabilities);
    return refused ? Promise.reject(refused) : held.ask(request, signal);
  }

  /** A retry of a held call's round: answer the upstream's questions, and wait for its next step. */
  private async resumeHeld(resumed: HeldRequestState, extra: Extra, method: string, name: string): Promise<unknown> {
    const core = this.core;
    if (resumed.instance !== core.router.instanceId) {
      throw new ClientError(ProtocolErrorCode.InvalidParams, `this call is held by another gateway instance (${resumed.instance ?? 'unknown'}); send the retry to it, or start the request again`, {
        reason: 'held_on_another_instance',
        instance: resumed.instance,
      });
    }
    const held = core.heldCalls.get(resumed.held!);
    if (!held) {
      throw new ClientError(ProtocolErrorCode.InvalidParams, 'the call that asked for this input has ended (the answer came too late, or its gateway restarted); start the request again', { reason: 'held_call_gone' });
    }
    held.answer(extra.mcpReq.inputResponses ?? {});
    return this.heldStep(held, method, name, extra);
  }

  /** Wait for the held call's next step, relaying its progress to this round if the client asked for it. */
  private async heldStep(held: HeldCall, method: string, name: string, extra: Extra): Promise<unknown> {
    const core = this.core;
    const token = extra.mcpReq._meta?.progressToken;
    // Progress must reach the client before this round's answer: the client forgets the token on it.
    let sent: Promise<void> = Promise.resolve();
    held.onProgress =
      token === undefined ? undefined : (p) => (sent = sent.then(() => extra.mcpReq.notify({ method: 'notifications/progress', params: { ...p, progressToken: token } })).catch(() => undefined));
    let step: HeldStep;
    try {
      step = await held.next();
    } finally {
      held.onProgress = undefined;
      await sent;
    }
    if (step.kind === 'input') {
      const requestState = core.requestStates.seal({ service: held.service, method, name, held: held.id, instance: core.router.instanceId, principal: this.identity.key });
      return { resultType: 'input_required', inputRequests: step.inputRequests, requestState };
    }
    await core.heldCalls.finish(held);
    if (step.outcome.status === 'rejected') throw step.outcome.reason;
    return answerOf(step.outcome.value as DispatchOutcome<unknown>);
  }

  /**
   * The call an upstream message belongs to: the one it was tied to structurally, else the only
   * call in flight; with several and no tie, none (the session's, never a guess at the newest).
   */
  private callOf(): Extra | undefined {
    const tied = this.attribution.active;
    if (tied !== undefined) return tied;
    return this.inflight.size === 1 ? this.inflight.values()[0] : undefined;
  }

  /**
   * A server-to-client request on behalf of one of this session's calls (`extra`; by default the
   * call it is tied to, see callOf). Never sent for a capability the client did
   * not declare: it would not know the method, and a shared upstream must not learn that by trying.
   */
  forwardRequest(request: Request, signal: AbortSignal, extra: Extra | undefined = this.callOf()): Promise<Result> {
    if (this.closed) return Promise.reject(new ClientError(CONNECTION_CLOSED, 'the client session has ended'));
    const refused = undeclaredCapability(request, this.clientCapabilities());
    if (refused) return Promise.reject(refused);
    const req = request as ServerRequest;
    return (extra ? extra.mcpReq.send(req, { signal }) : this.server.request(req, { signal })) as Promise<Result>;
  }

  /** A log message for one of this session's calls (`extra`), filtered by the session's level: a shared upstream does not know it. */
  log(service: string, params: LoggingMessageNotification['params'], extra: Extra | undefined = this.callOf()): void {
    if (this.closed) return;
    // A 2026-07-28 request names its own level; a 2025 session set one with logging/setLevel.
    const level = this.era === 'modern' ? requestLogLevel(extra) : this.level;
    if (level !== undefined && LEVELS.indexOf(params.level) < LEVELS.indexOf(level)) return;
    const notification: ServerNotification = { method: 'notifications/message', params: { ...params, logger: params.logger ?? service } };
    if (!extra) {
      // Without a call, only a session's own connection carries it (a lane-served request has none).
      void this.built?.notification(notification).catch(() => undefined);
      return;
    }
    void extra.mcpReq.notify(notification).catch(() => undefined);
  }

  /** This session as the tenant of a shared upstream connection: between calls, session-wide delivery. */
  private readonly tenant: SharedTenant = {
    idle: {
      log: (service, params) => this.log(service, params, undefined),
      forwardRequest: (request, signal) => this.forwardRequest(request, signal, undefined),
    },
  };

  /** Delivery bound to one call, so what a shared upstream sends while serving it goes on that call's stream. */
  private callTarget(extra: Extra | undefined): SharedCall {
    return {
      log: (service, params) => this.log(service, params, extra),
      forwardRequest: (request, signal) => this.forwardRequest(request, signal, extra),
    };
  }

  private resourceUpdated(service: string, params: ResourceUpdatedNotification['params']): void {
    if (this.closed || this.subscriptions.get(params.uri) !== service) return;
    void this.built?.sendResourceUpdated(params).catch(() => undefined);
  }
}

/** The log level a 2026-07-28 request names in its envelope. */
function requestLogLevel(extra: Extra | undefined): LoggingLevel | undefined {
  const level = extra?.mcpReq.envelope?.[LOG_LEVEL_META_KEY] ?? (extra?.mcpReq._meta as Record<string, unknown> | undefined)?.[LOG_LEVEL_META_KEY];
  return typeof level === 'string' && (LEVELS as readonly string[]).includes(level) ? (level as LoggingLevel) : undefined;
}

function withoutProgressToken(meta: RequestMeta | undefined): Record<string, unknown> | undefined {
  if (!meta) return undefined;
  const { progressToken: _drop, ...rest } = meta;
  return Object.keys(rest).length > 0 ? rest : undefined;
}

/** An SDK v1 upstream prefixes "MCP error <code>: " at every hop; say the message once. */
function stripPrefix(message: string): string {
  return rpcErrorText(message);
}

