// What a failure says about the upstream link, read from the typed LinkFault a transport attached
// (to the error itself, a cause, or a failed answer's `data`), never from message text. Retry
// safety ("was it delivered?"), session renewal and health all read it here.
import { SwitchboardError, type LinkFault, type LinkFaultKind } from './errors.js';

const MAX_DEPTH = 8;

/** The LinkFault on `error`, its causes, or an upstream answer that carries one in `data`. */
export function linkFaultOf(error: unknown): LinkFault | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < MAX_DEPTH; depth++) {
    if (SwitchboardError.is(e) && e.link) return e.link;
    // A transport that fails one call answers it with an error whose data is the SwitchboardError
    // (an object no peer can put on the wire, so no upstream can forge it).
    const data = (e as { data?: unknown }).data;
    if (SwitchboardError.is(data) && data.link) return data.link;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The transport's SwitchboardError behind an SDK error that carries it as `data`, if any. */
export function transportErrorOf(error: unknown): SwitchboardError | undefined {
  const data = (error as { data?: unknown } | null)?.data;
  return SwitchboardError.is(data) ? data : undefined;
}

export function linkFault(kind: LinkFaultKind, delivered: LinkFault['delivered'], status?: number): LinkFault {
  return status === undefined ? { kind, delivered } : { kind, delivered, status };
}

/** A failure of the link to an upstream, for transports to throw or to answer a call with. */
export function linkError(kind: LinkFaultKind, delivered: LinkFault['delivered'], message: string, options: { cause?: unknown; status?: number; plugin?: string; service?: string; code?: string; details?: unknown } = {}): SwitchboardError {
  const { status, code, ...rest } = options;
  return new SwitchboardError(code ?? (kind === 'too-large' ? 'MESSAGE_TOO_LARGE' : kind === 'session-lost' ? 'SESSION_LOST' : 'TRANSPORT_ERROR'), message, {
    ...rest,
    link: linkFault(kind, delivered, status),
  });
}

/** The request was provably never delivered: no connection, refused before running, breaker open. */
export function provesNotDelivered(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < MAX_DEPTH; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { name?: unknown }).name === 'BrokenCircuitError') return true;
  }
  return linkFaultOf(error)?.delivered === 'no';
}

/** The upstream refused the request because it no longer knows our session: a new one may send it again. */
export function isSessionRejected(error: unknown): boolean {
  return linkFaultOf(error)?.kind === 'session-lost';
}

/** The connection to the upstream could not be made or ended. */
export function isConnectionFailure(error: unknown): boolean {
  const kind = linkFaultOf(error)?.kind;
  return kind === 'connect' || kind === 'closed';
}

/**
 * The upstream connection or session is gone (refused, closed, or the server no longer knows the
 * session: HTTP 404): a client holding it should be dropped and a fresh one opened.
 */
export function isUpstreamSessionLost(error: unknown): boolean {
  const fault = linkFaultOf(error);
  return fault !== undefined && (fault.kind === 'connect' || fault.kind === 'closed' || fault.kind === 'session-lost' || (fault.kind === 'http-status' && fault.status === 404));
}
