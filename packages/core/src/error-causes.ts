// What a failure says about the upstream, read from the error and its chain of causes (the SDK and
// undici wrap the socket error: "fetch failed" ← "connect ECONNREFUSED"). One walker, three readings.
interface ErrorLike {
  message?: unknown;
  code?: unknown;
  name?: unknown;
  cause?: unknown;
}

function anyCause(error: unknown, test: (e: ErrorLike) => boolean): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 6; e = (e as ErrorLike).cause, depth++) {
    if (test(e as ErrorLike)) return true;
  }
  return false;
}

function matches(e: ErrorLike, pattern: RegExp): boolean {
  return (typeof e.code === 'string' && pattern.test(e.code)) || (typeof e.message === 'string' && pattern.test(e.message));
}

// A connect timeout (undici's code, also used by transport-http) means no connection was made.
const REFUSED = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|UND_ERR_CONNECT_TIMEOUT/;
const CONNECTION_LOST = /ECONNREFUSED|ECONNRESET|EPIPE|ENOTFOUND|EHOSTUNREACH|UND_ERR_CONNECT_TIMEOUT|fetch failed|socket hang up|Connection closed|other side closed/i;

/** The request was provably never delivered: no connection could be made, or the breaker refused it. */
export function provesNotDelivered(error: unknown): boolean {
  return anyCause(error, (e) => e.name === 'BrokenCircuitError' || matches(e, REFUSED)) || isSessionRejected(error);
}

/**
 * The upstream refused the request because it no longer knows our session (it restarted): nothing
 * ran, and a new session may send it again. A typed failure from the transport (SESSION_LOST).
 */
export function isSessionRejected(error: unknown): boolean {
  return anyCause(error, (e) => e.name === 'SwitchboardError' && e.code === 'SESSION_LOST');
}

/** The connection to the upstream failed or dropped (refused, reset, closed). */
export function isConnectionFailure(error: unknown): boolean {
  return anyCause(error, (e) => matches(e, CONNECTION_LOST));
}

/**
 * The upstream connection or session is gone (refused, reset, closed, or the server no longer
 * knows the session id: HTTP 404): a client holding it should be dropped and a fresh one opened.
 */
export function isUpstreamSessionLost(error: unknown): boolean {
  return isConnectionFailure(error) || isSessionRejected(error) || anyCause(error, (e) => e.code === 404);
}
