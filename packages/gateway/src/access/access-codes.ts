// JSON-RPC codes of the gateway's own access answers (server-defined range, apart from the
// 2026-07-28 protocol's -32020..-32022 and the gateway's -32005 process cap).

/** A policy rule denied the call: `data.rule` names it. */
export const ACCESS_DENIED_CODE = -32003;
/** A rate limit ran out: `data.retryAfterMs` says when a token is back. */
export const RATE_LIMITED_CODE = -32004;
