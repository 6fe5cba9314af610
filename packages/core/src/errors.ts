// The one error type Switchboard throws: a string code, a message that says what to do, and the
// plugin or service it came from. `from()` normalises anything thrown by a plugin or the SDK.

export type SwitchboardErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_READ_FAILED'
  | 'PLUGIN_NOT_FOUND'
  | 'PLUGIN_DUPLICATE'
  | 'PLUGIN_CORE_MISMATCH'
  | 'PLUGIN_INVALID'
  | 'PLUGIN_ERROR'
  | 'TRANSPORT_MISSING'
  | 'TRANSPORT_ERROR'
  | 'MESSAGE_TOO_LARGE'
  | 'SESSION_LOST'
  | 'NO_SERVICE'
  | 'ALL_FAILED'
  | 'TIMEOUT'
  | 'CANCELLED'
  | 'BREAKER_OPEN'
  | 'UPSTREAM_ERROR'
  | 'INVALID_REQUEST'
  | 'NOT_INITIALIZED'
  | 'CLOSED'
  | 'DISCOVERY_ERROR'
  | 'INTERNAL';

/**
 * What went wrong on the link to an upstream, as a transport reports it: the kind of failure, and
 * whether the message can have reached the server. Retry safety and session renewal read this,
 * never an error's text.
 */
export interface LinkFault {
  readonly kind: LinkFaultKind;
  /** 'no': the server cannot have received the message (no connection, refused before running). */
  readonly delivered: 'no' | 'maybe';
  /** The HTTP status, for `http-status` and `session-lost` over HTTP. */
  readonly status?: number;
}

export type LinkFaultKind =
  /** No connection could be made (refused, unreachable, connect timeout, spawn failed). */
  | 'connect'
  /** The connection or process ended while the message was out. */
  | 'closed'
  /** No answer in time. */
  | 'timeout'
  /** The server answered with an HTTP error status. */
  | 'http-status'
  /** The server no longer knows the session the message was sent in (it restarted). */
  | 'session-lost'
  /** The answer was over the size limit and was dropped. */
  | 'too-large'
  /** What came back was not MCP (bad JSON, wrong content type). */
  | 'protocol';

export interface SwitchboardErrorOptions {
  cause?: unknown;
  plugin?: string;
  service?: string;
  /** Structured detail (for example every config issue with its path). */
  details?: unknown;
  /** Set by transports on failures of the link to an upstream. */
  link?: LinkFault;
}

const BRAND = Symbol.for('@switchboard/core/SwitchboardError');

export class SwitchboardError extends Error {
  readonly code: SwitchboardErrorCode | (string & {});
  readonly plugin?: string;
  readonly service?: string;
  readonly details?: unknown;
  readonly link?: LinkFault;

  constructor(code: SwitchboardErrorCode | (string & {}), message: string, options: SwitchboardErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SwitchboardError';
    this.code = code;
    if (options.plugin !== undefined) this.plugin = options.plugin;
    if (options.service !== undefined) this.service = options.service;
    if (options.details !== undefined) this.details = options.details;
    if (options.link !== undefined) this.link = options.link;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** Brand check rather than instanceof: two copies of core (a plugin's and the app's) must agree. */
  static is(value: unknown): value is SwitchboardError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** Normalise anything thrown into a SwitchboardError, keeping the original as `cause`. */
  static from(
    value: unknown,
    fallback: { code?: SwitchboardErrorCode; plugin?: string; service?: string; prefix?: string } = {},
  ): SwitchboardError {
    if (SwitchboardError.is(value)) {
      if ((fallback.plugin && !value.plugin) || (fallback.service && !value.service)) {
        return new SwitchboardError(value.code, value.message, {
          cause: value.cause,
          plugin: value.plugin ?? fallback.plugin,
          service: value.service ?? fallback.service,
          details: value.details,
          ...(value.link ? { link: value.link } : {}),
        });
      }
      return value;
    }
    const message = value instanceof Error ? value.message : typeof value === 'string' ? value : safeString(value);
    return new SwitchboardError(fallback.code ?? 'INTERNAL', fallback.prefix ? `${fallback.prefix}: ${message}` : message, {
      cause: value,
      plugin: fallback.plugin,
      service: fallback.service,
    });
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, plugin: this.plugin, service: this.service, details: this.details };
  }
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
