// A 2025-era `tools/call` sent through the SDK Client's own bookkeeping, without its generic request
// funnel. Why: at capacity on the 2025 HTTP → stdio path the funnel (`request()` →
// `_requestWithSchemaViaCodec`) was a tenth of the gateway's busy CPU per proxied call: a promise
// with a `finally`, spreads of the request and options, an AbortSignal listener pair, and an async
// result validation that resolves a second promise. This module does the same steps, in the same
// order, with the Client's own pieces:
//
// - the same output-validator lookup (`_cache.outputValidator`) before anything is sent, and the
//   same typed InvalidParams for a tool whose outputSchema does not compile;
// - the id from the Client's counter, so ids never collide with the SDK's own requests; the handler
//   in the UpstreamClient's `laneCalls` (a CallTable, not the SDK's `_responseHandlers` Map: see
//   call-table.ts) and a timer of its own (not the SDK's `_timeoutInfo` Map), so that its
//   `_onresponse` override answers the call and its `_onclose` override rejects it with
//   ConnectionClosed, as the SDK's own bookkeeping would;
// - the same envelope (`_envelopeOutbound`), the same result decoding and era validation (the
//   codec's `decodeResult` and `validateResult`, synchronously), the same error types and texts;
// - on cancel or timeout, the same `notifications/cancelled` and the same rejection;
// - the same structured-content check against the tool's output schema.
//
// What it takes that the SDK cannot: a CancelSignal (core's CallCancellation), so a call whose
// caller never cancels makes no AbortSignal at all.
//
// Used only where the SDK's `callTool` would take exactly this path: a negotiated 2025-era
// connection (no header mirroring, no input_required rounds, no per-request streams), no progress,
// no resumption, no caller-supplied tool definition or headers, no strict capability checks, and an
// SDK that still has every member used here (checked once per client). Anything else is the SDK's.
import {
  type CallToolRequestOptions,
  type CallToolResult,
  type Client,
  type Transport,
  DEFAULT_REQUEST_TIMEOUT_MSEC,
  ProtocolError,
  ProtocolErrorCode,
  SdkError,
  SdkErrorCode,
} from '@modelcontextprotocol/client';
import type { CancelSignal } from '../cancel-signal.js';
import type { CallTable } from '../call-table.js';

/** `callTool`'s options, with the caller's cancellation as any CancelSignal (an AbortSignal is one). */
export type ToolCallOptions = Omit<CallToolRequestOptions, 'signal'> & { signal?: CancelSignal };

/** What `callTool` takes as its first argument. */
export type CallToolParams = Parameters<Client['callTool']>[0];
type Compiled = { ok: true; validator: (value: unknown) => { valid: boolean; errorMessage?: string } } | { ok: false; compileError: unknown };
type Decoded = { kind: 'complete'; result: unknown } | { kind: 'invalid'; error: Error } | { kind: string };
/** What answers a lane call: the upstream's result response, or the error it is failed with. */
export type LaneAnswer = { result: unknown } | Error;

/** Lane calls in flight on one client, by request id. */
export type LaneCalls = CallTable<number, (answer: LaneAnswer) => void>;

/** The SDK Client's members this module uses (not in its public types). */
interface ClientInternals {
  _transport: Transport | undefined;
  _requestMessageId: number;
  _options?: { enforceStrictCapabilities?: boolean };
  _negotiatedProtocolVersion: string | undefined;
  _cache: { outputValidator(name: string, compile: (tool: unknown) => Compiled | undefined): Promise<Compiled | undefined> };
  _compileOutputValidator(tool: unknown): Compiled | undefined;
  _reportStoreError(error: unknown): void;
  _envelopeOutbound<M extends object>(message: M): M;
  _onerror(error: Error): void;
  _wireCodec(): { era: string; decodeResult(method: string, raw: unknown): Decoded; validateResult(method: string, raw: unknown): { ok: true; value: unknown } | { ok: false; reason: string; message?: string } };
  getProtocolEra(): 'modern' | 'legacy' | undefined;
}

const METHODS = ['_requestMessageId', '_cache', '_compileOutputValidator', '_reportStoreError', '_envelopeOutbound', '_onerror', '_wireCodec', 'getProtocolEra', '_onresponse', '_onclose'] as const;

/** Whether this SDK build still has every member the lane uses: an SDK that changed keeps its own path. */
export function laneSupported(client: Client): boolean {
  const internals = client as unknown as Record<string, unknown>;
  return (
    METHODS.every((name) => internals[name] !== undefined) &&
    typeof internals._requestMessageId === 'number' &&
    typeof (internals._cache as { outputValidator?: unknown }).outputValidator === 'function'
  );
}

/** Whether this call is one the lane takes exactly as the SDK would (see the file comment). */
export function laneFits(client: Client, options: ToolCallOptions | undefined): boolean {
  const c = client as unknown as ClientInternals;
  if (c.getProtocolEra() !== 'legacy' || c._transport === undefined || c._options?.enforceStrictCapabilities === true) return false;
  if (!options) return true;
  return (
    options.onprogress === undefined &&
    options.toolDefinition === undefined &&
    options.headers === undefined &&
    options.resumptionToken === undefined &&
    options.onresumptiontoken === undefined
  );
}

/** Why the era codec refused a result, in the words the SDK's result validation reports. */
export const refusal = (outcome: { reason: string; message?: string }, method: string): string =>
  outcome.reason === 'invalid' ? (outcome.message ?? 'invalid result') : `not-in-era: ${method}`;

const cancelled = (reason: unknown): Error => (reason instanceof SdkError ? reason : new SdkError(SdkErrorCode.RequestTimeout, String(reason)));

/** The SDK's callTool for a call `laneFits` accepted. */
export async function legacyToolCall(client: Client, calls: LaneCalls, params: CallToolParams, options: ToolCallOptions | undefined): Promise<CallToolResult> {
  const c = client as unknown as ClientInternals;
  const compiled = await c._cache.outputValidator(params.name, (tool) => c._compileOutputValidator(tool)).catch((error: unknown) => void c._reportStoreError(error));
  if (compiled !== undefined && !compiled.ok) {
    const err = compiled.compileError;
    const message = (err instanceof Error ? err.message : String(err)).slice(0, 200);
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Tool '${params.name}' has an invalid outputSchema: ${message}`);
  }
  const result = (await send(c, calls, params, options)) as CallToolResult;
  if (compiled === undefined) return result;
  if (result.structuredContent === undefined && !result.isError) {
    throw new ProtocolError(ProtocolErrorCode.InvalidRequest, `Tool ${params.name} has an output schema but did not return structured content`);
  }
  if (result.structuredContent !== undefined && !result.isError) {
    let outcome: { valid: boolean; errorMessage?: string };
    try {
      outcome = compiled.validator(result.structuredContent);
    } catch (error) {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Failed to validate structured content: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!outcome.valid) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Structured content does not match the tool's output schema: ${outcome.errorMessage}`);
  }
  return result;
}

/** The request itself: sent, answered, cancelled or timed out as the SDK's funnel does it. */
function send(c: ClientInternals, calls: LaneCalls, params: CallToolParams, options: ToolCallOptions | undefined): Promise<unknown> {
  const transport = c._transport;
  if (!transport) return Promise.reject(new Error('Not connected'));
  const signal = options?.signal;
  if (signal?.aborted) return Promise.reject(cancelled(signal.reason));
  const codec = c._wireCodec();
  const id = c._requestMessageId++;
  const sendOptions = options?.relatedRequestId === undefined ? undefined : { relatedRequestId: options.relatedRequestId };
  return new Promise<unknown>((resolve, reject) => {
    let answered = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (): void => {
      signal?.removeEventListener('abort', onAbort);
      calls.delete(id);
      clearTimeout(timer);
    };
    const cancel = (reason: unknown): void => {
      if (answered) return;
      answered = true;
      settle();
      transport
        .send(c._envelopeOutbound({ jsonrpc: '2.0' as const, method: 'notifications/cancelled', params: { requestId: id, reason: String(reason) } }), sendOptions)
        .catch((error: unknown) => c._onerror(new Error(`Failed to send cancellation: ${String(error)}`)));
      reject(cancelled(reason));
    };
    const onAbort = (): void => cancel(signal?.reason);
    calls.set(id, (response) => {
      if (answered) return;
      answered = true;
      settle();
      if (response instanceof Error) return reject(response);
      let decoded: Decoded;
      try {
        decoded = codec.decodeResult('tools/call', response.result);
      } catch (error) {
        return reject(error instanceof Error ? error : new Error(String(error)));
      }
      if (decoded.kind === 'invalid') return reject((decoded as { error: Error }).error);
      // A 2025-era codec decodes every result as complete; anything else is the SDK's to resolve.
      if (decoded.kind !== 'complete') return reject(new SdkError(SdkErrorCode.UnsupportedResultType, `Unsupported result type '${decoded.kind}' for tools/call`));
      const outcome = codec.validateResult('tools/call', (decoded as { result: unknown }).result);
      if (outcome.ok) return resolve(outcome.value);
      reject(new SdkError(SdkErrorCode.InvalidResult, `Invalid result for tools/call: ${refusal(outcome, 'tools/call')}`));
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    // As the SDK's own timeout without progress (laneFits refuses a call with onprogress, so
    // maxTotalTimeout, which only bounds resets on progress, never applies).
    const timeout = options?.timeout ?? DEFAULT_REQUEST_TIMEOUT_MSEC;
    timer = setTimeout(() => cancel(new SdkError(SdkErrorCode.RequestTimeout, 'Request timed out', { timeout })), timeout);
    const message = c._envelopeOutbound({ method: 'tools/call', params, jsonrpc: '2.0' as const, id });
    transport.send(message, sendOptions).catch((error: unknown) => {
      if (answered) return;
      answered = true;
      settle();
      reject(error);
    });
  });
}
