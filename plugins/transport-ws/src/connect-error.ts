// Turns what `ws` and the socket layer report when an upgrade fails (errno codes, "Unexpected server
// response: 401", handshake timeouts) into one SwitchboardError whose message says what happened.
import { linkError, type SwitchboardError } from '@switchboard/core';
import { PLUGIN_NAME } from './plugin-name.js';

/** The URL as it may appear in a log: no credentials, no query string (either may hold a token). */
export function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

export function connectError(service: string, url: URL, cause: unknown): SwitchboardError {
  // No socket was opened, so no message can have been delivered.
  return linkError('connect', 'no', `cannot connect to websocket server ${service} at ${displayUrl(url)}: ${describe(cause)}`, {
    plugin: PLUGIN_NAME,
    service,
    cause,
  });
}

function describe(cause: unknown): string {
  switch (errorCode(cause)) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case 'ECONNRESET':
      return 'connection reset by the server';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      break;
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  const status = /Unexpected server response: (\d+)/.exec(message)?.[1];
  if (status === '401' || status === '403') return `the server refused the upgrade with HTTP ${status} (check the service's headers or credentials)`;
  if (status) return `the server answered HTTP ${status} instead of upgrading to a websocket (check the url and path)`;
  if (/Server sent no subprotocol|invalid subprotocol/i.test(message)) return `the server did not accept the 'mcp' websocket subprotocol`;
  if (/handshake has timed out/i.test(message)) return 'the websocket handshake timed out';
  return message;
}

// Node 20 reports a failed dual-stack connect (localhost → ::1 and 127.0.0.1) as an AggregateError
// whose own code may be missing; the first inner error then carries it.
function errorCode(cause: unknown): string | undefined {
  if (typeof cause !== 'object' || cause === null) return undefined;
  const code = (cause as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  if (cause instanceof AggregateError) return errorCode(cause.errors[0]);
  return undefined;
}
