// Ties what an upstream sends while serving a call (log messages, sampling, elicitation and roots
// requests) to the client call that caused it, structurally: each request the call sends upstream
// is remembered by its id, and an incoming message that its transport says is related to one of
// those ids (Streamable HTTP: it came back on that request's POST stream) is handled in that
// call's context. Nothing is attributed by "the newest call": what cannot be tied is the session's
// (or, with one call in flight, that call's).
import { AsyncLocalStorage } from 'node:async_hooks';
import { CallTable, transportView, type JsonRpcId, type JsonRpcMessage, type MessageExtra, type MessageTransport } from '@switchboard/core';

/**
 * What an operation adds to its SDK request options so that the transport's send knows whose
 * request it is: `relatedRequestId`, which the SDK hands to the transport and a client transport
 * has no other use for (see SharedUpstreams).
 */
export interface SendTie {
  readonly relatedRequestId: string;
}

/** Requests remembered per upstream connection at most; the oldest are forgotten beyond it. */
const MAX_TRACKED = 4_096;

/**
 * A per-connection table of requests, forgetting the oldest past MAX_TRACKED. A CallTable, not a
 * Map: its entries come and go at call rate (see core's call-table.ts).
 */
export const trackedRequests = <V>(): CallTable<JsonRpcId, V> => new CallTable<JsonRpcId, V>({ limit: MAX_TRACKED });

/** The call an attribution runs code as, and the frame it was entered from (another attribution's, or its own). */
interface Frame {
  readonly owner: object;
  readonly call: unknown;
  readonly outer: Frame | undefined;
}

/**
 * One AsyncLocalStorage for every attribution, not one each. Node (20, and 22 without the async
 * context frame) keeps each AsyncLocalStorage that ever ran in a global list until it is disabled,
 * and walks that list for every new promise, timer and socket; with one per client session, every
 * session that ever called an upstream made every later await of the process slower (3,000
 * sessions opened and closed: 26 → 223 ms per session). Each frame names its attribution, so one
 * attribution still sees only its own calls, nested inside another's or not.
 */
const frames = new AsyncLocalStorage<Frame>();

export class CallAttribution<C> {
  /** Run `fn` as `call`: what it sends upstream is remembered as the call's. */
  run<T>(call: C | undefined, fn: () => T): T {
    if (call === undefined) return fn();
    // A frame of this attribution that is entered from one of its own replaces it rather than
    // stacking on it: an upstream connection opened inside a call carries that call's frame into
    // every message it delivers later, and the chain must not grow with each of them.
    const current = frames.getStore();
    return frames.run({ owner: this, call, outer: current?.owner === this ? current.outer : current }, fn);
  }

  /** The call the running code handles: set while an upstream message tied to it is handled. */
  get active(): C | undefined {
    for (let frame = frames.getStore(); frame !== undefined; frame = frame.outer) if (frame.owner === this) return frame.call as C;
    return undefined;
  }

  /** The transport as the SDK client should see it, with attribution on both directions. */
  wrap<T extends MessageTransport>(transport: T): T {
    const calls = trackedRequests<C>();
    let handler: MessageTransport['onmessage'];
    const deliver = (message: JsonRpcMessage, extra?: MessageExtra): void => {
      const m = message as { id?: JsonRpcId; method?: string };
      if (m.method === undefined && m.id !== undefined) calls.delete(m.id); // an answer: the request is done
      const call = extra?.relatedRequestId === undefined ? undefined : calls.get(extra.relatedRequestId);
      if (call === undefined) handler?.call(transport, message, extra);
      else this.run(call, () => handler?.call(transport, message, extra));
    };
    transport.onmessage = deliver;
    const forward = transport.send.bind(transport);
    // Made once per connection, not per property access: the SDK reads `send` for every message.
    const send = (message: JsonRpcMessage, options?: Parameters<MessageTransport['send']>[1]): Promise<void> => {
      const m = message as { id?: JsonRpcId; method?: string };
      const call = this.active;
      if (call !== undefined && m.method !== undefined && m.id !== undefined) {
        calls.set(m.id, call);
      }
      return forward(message, options);
    };
    return transportView(transport, {
      get: (property) => (property === 'send' ? { value: send } : property === 'onmessage' ? { value: handler } : undefined),
      set: (property, value) => {
        if (property !== 'onmessage') return false;
        handler = value as MessageTransport['onmessage'];
        return true;
      },
    });
  }
}
