// Which protocol era an upstream speaks, found the way the 2026-07-28 specification tells a dual-era
// client to (basic/versioning, "Backward Compatibility"): send `server/discover` before anything
// else. A DiscoverResult, or a recognised modern error, means modern; any other error means legacy,
// and so does silence on a process link (stdio). On HTTP a 4xx without a modern error body means
// legacy, while silence, a 5xx or an auth refusal is an outage and fails the connect.
//
// We probe over our own transport rather than through the SDK's `versionNegotiation: 'auto'`: the
// SDK classifies an HTTP refusal only from its own transport's error class and treats silence as
// legacy only on its own stdio class, so it cannot classify a plugin's link.
import { CLIENT_CAPABILITIES_META_KEY, CLIENT_INFO_META_KEY, PROTOCOL_VERSION_META_KEY, type ClientCapabilities, type DiscoverResult, type Implementation } from './sdk/mcp.js';
import type { JsonRpcMessage, MessageTransport } from './jsonrpc.js';
import { linkFaultOf, transportErrorOf } from './link-faults.js';
import { SwitchboardError } from './errors.js';

/** The modern revision this router speaks upstream. */
export const MODERN_PROTOCOL_VERSION = '2026-07-28';

/**
 * The 2026-07-28-or-later revision a message's `_meta` envelope names, if it names one: what makes
 * a request modern, on the gateway's side (serving) and the HTTP transport's (its standard headers).
 */
export function modernEnvelopeVersion(message: unknown): string | undefined {
  const version = (message as { params?: { _meta?: Record<string, unknown> } } | null)?.params?._meta?.[PROTOCOL_VERSION_META_KEY];
  return typeof version === 'string' && version >= MODERN_PROTOCOL_VERSION ? version : undefined;
}

/** JSON-RPC errors only a modern server sends (2026-07-28 schema): they prove the era. */
const MODERN_ERROR_CODES = new Set([-32020, -32021, -32022]);
const UNSUPPORTED_PROTOCOL_VERSION = -32022;

export type EraVerdict =
  | { readonly era: 'modern'; readonly discover: DiscoverResult }
  | { readonly era: 'legacy'; readonly reason: string };

export interface ProbeOptions {
  readonly timeoutMs: number;
  readonly clientInfo: Implementation;
  readonly capabilities: ClientCapabilities;
  /** Silence means a legacy server (a process link); otherwise it is an outage. */
  readonly silenceIsLegacy: boolean;
  readonly service: string;
}

/** What the probe learned, and whether the link is still usable for the session that follows. */
export interface ProbeOutcome {
  readonly verdict: EraVerdict;
  /** The link closed during the probe (some legacy stdio servers exit on an unknown request). */
  readonly linkClosed: boolean;
}

let probes = 0;

/**
 * Probe a started link with `server/discover`. The link's handlers are borrowed for the probe and
 * released after it; a late answer to the probe is dropped by whoever handles messages next.
 */
export function probeEra(link: MessageTransport, options: ProbeOptions): Promise<ProbeOutcome> {
  const id = `switchboard-era-probe-${++probes}`;
  const request: JsonRpcMessage = {
    jsonrpc: '2.0',
    id,
    method: 'server/discover',
    params: {
      _meta: {
        [PROTOCOL_VERSION_META_KEY]: MODERN_PROTOCOL_VERSION,
        [CLIENT_INFO_META_KEY]: options.clientInfo,
        [CLIENT_CAPABILITIES_META_KEY]: options.capabilities,
      },
    },
  } as JsonRpcMessage;
  const saved = { onmessage: link.onmessage, onclose: link.onclose, onerror: link.onerror };
  return new Promise<ProbeOutcome>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: ProbeOutcome | Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      link.onmessage = saved.onmessage;
      link.onclose = saved.onclose;
      link.onerror = saved.onerror;
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const legacy = (reason: string, linkClosed = false): void => finish({ verdict: { era: 'legacy', reason }, linkClosed });
    const timer = setTimeout(() => {
      if (options.silenceIsLegacy) legacy(`no answer to server/discover within ${options.timeoutMs} ms`);
      else finish(new SwitchboardError('TRANSPORT_ERROR', `${options.service} did not answer server/discover within ${options.timeoutMs} ms`, { service: options.service }));
    }, options.timeoutMs);
    timer.unref?.();
    link.onmessage = (message) => {
      const m = message as { id?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown; data?: unknown } };
      if (m.id !== id) return; // nothing else is expected before the session starts
      if (m.result !== undefined) {
        const result = m.result as DiscoverResult;
        const versions = Array.isArray(result.supportedVersions) ? result.supportedVersions : [];
        if (versions.includes(MODERN_PROTOCOL_VERSION)) return finish({ verdict: { era: 'modern', discover: result }, linkClosed: false });
        // A result that is not a DiscoverResult we can use: an old server that answers anything.
        if (versions.length === 0) return legacy('its answer to server/discover is not a DiscoverResult');
        return finish(unsupported(options.service, versions));
      }
      // The transport answered the probe itself: the link failed while it was out.
      const fault = linkFaultOf(m.error);
      if (fault) {
        if (fault.kind === 'closed' && options.silenceIsLegacy) return legacy('it closed the link on server/discover', true);
        return finish(transportErrorOf(m.error) ?? new SwitchboardError('TRANSPORT_ERROR', String(m.error?.message ?? 'the link failed during server/discover'), { service: options.service }));
      }
      const code = typeof m.error?.code === 'number' ? m.error.code : undefined;
      if (code !== undefined && MODERN_ERROR_CODES.has(code)) {
        const supported = code === UNSUPPORTED_PROTOCOL_VERSION ? supportedOf(m.error?.data) : [];
        return finish(unsupported(options.service, supported, String(m.error?.message ?? '')));
      }
      legacy(`server/discover answered with error ${code ?? '?'}${m.error?.message ? ` (${String(m.error.message).slice(0, 200)})` : ''}`);
    };
    link.onclose = () => legacy('it closed the link on server/discover', true);
    link.onerror = () => undefined;
    link.send(request).catch((error: unknown) => {
      const fault = linkFaultOf(error);
      const status = fault?.kind === 'http-status' || fault?.kind === 'session-lost' ? fault.status : undefined;
      // HTTP: a 4xx without a modern error body (that would have been delivered as a message) is a
      // legacy server refusing a session-less request. Auth walls and server errors are outages.
      if (status !== undefined && status >= 400 && status < 500 && status !== 401 && status !== 403 && status !== 407 && status !== 429) {
        return legacy(`server/discover was refused with HTTP ${status}`);
      }
      if (fault?.kind === 'closed' && options.silenceIsLegacy) return legacy('it closed the link on server/discover', true);
      finish(error instanceof Error ? error : new Error(String(error)));
    });
  });
}

function supportedOf(data: unknown): string[] {
  const list = (data as { supported?: unknown } | undefined)?.supported;
  return Array.isArray(list) ? list.filter((v): v is string => typeof v === 'string') : [];
}

function unsupported(service: string, versions: readonly string[], detail = ''): SwitchboardError {
  return new SwitchboardError(
    'PROTOCOL_UNSUPPORTED',
    `${service} is a modern MCP server that does not speak ${MODERN_PROTOCOL_VERSION}${versions.length ? ` (it supports ${versions.join(', ')})` : ''}${detail ? `: ${detail}` : ''}`,
    { service },
  );
}
