// The SDK client every upstream connection uses: the SDK's own Client, with the result validator of a
// spec request built once per protocol era and method instead of once per request.
//
// Why: the SDK's `request()` without an explicit schema builds its validator per call, and building
// it probes the era codec with `validateResult(method, undefined)` to learn whether the method has a
// result in this era. For any real method that probe is a failing zod parse whose error is turned
// into a string: a profile of the stdio path put it at 5% of the gateway's CPU per proxied call, ten
// times the validation of the real result. The probe's answer depends only on the codec and the
// method, so it is asked once. Validation itself is unchanged: every result is still checked by the
// same codec the SDK would use, and a method the era does not define still throws the SDK's TypeError.
//
// And the x-mcp-header scan of a tool's input schema (SEP-2243), once per schema instead of per call.
// Why: the SDK's modern-era `callTool()` walks the tool's whole `inputSchema` on every call to find the
// properties it mirrors into headers, so a tool with a large schema pays for its size on each call.
// The scan's answer depends only on the schema object, which the SDK's tool index keeps until the
// cached `tools/list` changes (a new list brings new objects, so a new scan); the result is the SDK's own.
//
// And a 2025-era `tools/call` without the SDK's generic request funnel (legacy-tool-call.ts), through
// `callUpstreamTool`, which also takes a CancelSignal where the SDK wants an AbortSignal.
import { Client, ProtocolError, SdkError, SdkErrorCode, type CallToolResult, type JSONRPCErrorResponse, type JSONRPCResponse, type StandardSchemaV1 } from '@modelcontextprotocol/client';
import { CallMap } from '../call-map.js';
import { CallTable } from '../call-table.js';
import { toAbortSignal } from '../cancel-signal.js';
import { laneFits, laneSupported, legacyToolCall, refusal, type CallToolParams, type LaneCalls, type ToolCallOptions } from './legacy-tool-call.js';

/** What this module needs of the SDK's era codec (its `WireCodec`, which the SDK does not export). */
interface ResultCodec {
  validateResult(method: string, raw: unknown): { ok: true; value: unknown } | { ok: false; reason: string; message?: string };
}

/** Per codec (one per era, module singletons in the SDK) and method: the validator, or null when the method has no result in that era. */
const validators = new WeakMap<object, Map<string, StandardSchemaV1 | null>>();

function resultValidator(codec: ResultCodec, method: string): StandardSchemaV1 | null {
  let byMethod = validators.get(codec);
  if (!byMethod) validators.set(codec, (byMethod = new Map()));
  let validator = byMethod.get(method);
  if (validator !== undefined) return validator;
  // The SDK's probe, asked once.
  const probe = codec.validateResult(method, undefined);
  validator =
    !probe.ok && probe.reason === 'not-in-era'
      ? null
      : {
          '~standard': {
            version: 1,
            vendor: 'mcp-wire-codec',
            validate(value: unknown) {
              const outcome = codec.validateResult(method, value);
              if (outcome.ok) return { value: outcome.value };
              return { issues: [{ message: refusal(outcome, method) }] };
            },
          },
        };
  byMethod.set(method, validator);
  return validator;
}

/** The SDK's scan result (not exported by it), per input-schema object. */
const headerScans = new WeakMap<object, unknown>();

/** What this module needs of the SDK Client's private members for the header scan. */
interface HeaderScanInternals {
  _resolveXMcpHeaderScan(name: string, override?: { inputSchema?: unknown }): Promise<unknown>;
  _cache: { toolDefinition(name: string): Promise<{ inputSchema?: unknown } | undefined> };
}

const isStandardSchema = (value: unknown): value is StandardSchemaV1 =>
  value !== null && (typeof value === 'object' || typeof value === 'function') && '~standard' in value;

type RequestArgs = [request: { method: string; params?: Record<string, unknown> }, schemaOrOptions?: unknown, options?: unknown];

/**
 * `client.callTool(params, options)`, with the caller's cancellation as any CancelSignal. On an
 * UpstreamClient a call the 2025-era lane fits takes it; any other goes to the SDK's callTool, with
 * an AbortSignal made from the CancelSignal only then.
 */
export function callUpstreamTool(client: Client, params: CallToolParams, options?: ToolCallOptions): Promise<CallToolResult> {
  if (client instanceof UpstreamClient && client.lane && laneFits(client, options)) return legacyToolCall(client, client.laneCalls, params, options);
  const signal = options?.signal;
  return client.callTool(params, signal === undefined ? (options as Parameters<Client['callTool']>[1]) : { ...options, signal: toAbortSignal(signal) }) as Promise<CallToolResult>;
}

/**
 * The SDK Protocol's maps that every request it sends adds to and deletes from, as CallMaps: V8's
 * Map keeps what it deleted alive past scavenges once it is long-lived (see call-table.ts), and a
 * response handler or a timeout entry holds its whole request. Only maps that are there, are Maps
 * and are empty (as the Protocol's constructor leaves them) are replaced; an SDK without them keeps its own.
 */
const PER_REQUEST_MAPS = ['_responseHandlers', '_timeoutInfo', '_progressHandlers'] as const;

function usePerRequestCallMaps(client: Client): void {
  const fields = client as unknown as Record<(typeof PER_REQUEST_MAPS)[number], unknown>;
  for (const name of PER_REQUEST_MAPS) {
    const current = fields[name];
    if (current instanceof Map && current.size === 0) fields[name] = new CallMap();
  }
}

export class UpstreamClient extends Client {
  /** Whether this SDK build has what the 2025-era tools/call lane uses (checked once). */
  readonly lane: boolean;
  /** The lane's calls waiting for their answer, by request id (the SDK's own wait in its `_responseHandlers`). */
  readonly laneCalls: LaneCalls = new CallTable();

  constructor(...args: ConstructorParameters<typeof Client>) {
    super(...args);
    this.lane = laneSupported(this);
    usePerRequestCallMaps(this);
    // An own property, so the SDK's callTool/listTools/... (which call this.request) use it too.
    const request = (Client.prototype.request as (...a: RequestArgs) => Promise<unknown>).bind(this);
    const memoized = (...[req, schemaOrOptions, options]: RequestArgs): Promise<unknown> => {
      // Before a version is negotiated the SDK pins bootstrap methods to their own era: leave those to it.
      if (this._negotiatedProtocolVersion !== undefined && !isStandardSchema(schemaOrOptions)) {
        const validator = resultValidator(this._wireCodec() as ResultCodec, req.method);
        if (validator) return request(req, validator, schemaOrOptions);
      }
      return request(req, schemaOrOptions, options);
    };
    this.request = memoized as Client['request'];
    const internals = this as unknown as HeaderScanInternals;
    // A private method: an SDK that no longer has it keeps its own behaviour rather than failing here.
    if (typeof internals._resolveXMcpHeaderScan !== 'function') return;
    const scan = internals._resolveXMcpHeaderScan.bind(this);
    // An own property over the SDK's private method, which its callTool calls through `this`.
    internals._resolveXMcpHeaderScan = async (name, override) => {
      const tool = override ?? (await internals._cache.toolDefinition(name));
      if (tool === undefined) return undefined; // as the SDK's: no definition, nothing to mirror
      const schema = tool.inputSchema;
      if (schema === null || typeof schema !== 'object') return scan(name, tool);
      let found = headerScans.get(schema);
      if (found === undefined) headerScans.set(schema, (found = await scan(name, tool)));
      return found;
    };
  }

  /** An answer to a lane call is the lane's; any other goes to the SDK, as its subclass contract asks. */
  protected override _onresponse(response: JSONRPCResponse | JSONRPCErrorResponse): void {
    // The SDK's own lookup: the id as a number.
    const id = Number(response.id);
    const handler = this.laneCalls.get(id);
    if (handler === undefined) return super._onresponse(response);
    this.laneCalls.delete(id);
    if ('result' in response) handler(response);
    else handler(ProtocolError.fromError(response.error.code, response.error.message, response.error.data));
  }

  /** The link closed: lane calls fail as the SDK fails its own, after its teardown. */
  protected override _onclose(): void {
    const waiting = this.laneCalls.values();
    this.laneCalls.clear();
    try {
      super._onclose();
    } finally {
      // The SDK starts the next connection on fresh plain Maps: CallMaps again, should this client reconnect.
      usePerRequestCallMaps(this);
      const error = new SdkError(SdkErrorCode.ConnectionClosed, 'Connection closed');
      for (const handler of waiting) handler(error);
    }
  }
}
