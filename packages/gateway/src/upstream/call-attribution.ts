// Ties what an upstream sends while serving a call (log messages, sampling, elicitation and roots
// requests) to the client call that caused it, structurally: each request the call sends upstream
// is remembered by its id, and an incoming message that its transport says is related to one of
// those ids (Streamable HTTP: it came back on that request's POST stream) is handled in that
// call's context. Nothing is attributed by "the newest call": what cannot be tied is the session's
// (or, with one call in flight, that call's).
import { AsyncLocalStorage } from 'node:async_hooks';
import { transportView, type JsonRpcId, type JsonRpcMessage, type MessageExtra, type MessageTransport } from '@switchboard/core';

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

/** Remember `key` in a per-connection map of requests, forgetting the oldest past MAX_TRACKED. */
export function rememberBounded<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.set(key, value);
  if (map.size > MAX_TRACKED) map.delete(map.keys().next().value as K);
}

export class CallAttribution<C> {
  private readonly current = new AsyncLocalStorage<C>();

  /** Run `fn` as `call`: what it sends upstream is remembered as the call's. */
  run<T>(call: C | undefined, fn: () => T): T {
    return call === undefined ? fn() : this.current.run(call, fn);
  }

  /** The call the running code handles: set while an upstream message tied to it is handled. */
  get active(): C | undefined {
    return this.current.getStore();
  }

  /** The transport as the SDK client should see it, with attribution on both directions. */
  wrap<T extends MessageTransport>(transport: T): T {
    const calls = new Map<JsonRpcId, C>();
    const current = this.current;
    let handler: MessageTransport['onmessage'];
    const deliver = (message: JsonRpcMessage, extra?: MessageExtra): void => {
      const m = message as { id?: JsonRpcId; method?: string };
      if (m.method === undefined && m.id !== undefined) calls.delete(m.id); // an answer: the request is done
      const call = extra?.relatedRequestId === undefined ? undefined : calls.get(extra.relatedRequestId);
      if (call === undefined) handler?.call(transport, message, extra);
      else current.run(call, () => handler?.call(transport, message, extra));
    };
    transport.onmessage = deliver;
    const forward = transport.send.bind(transport);
    // Made once per connection, not per property access: the SDK reads `send` for every message.
    const send = (message: JsonRpcMessage, options?: Parameters<MessageTransport['send']>[1]): Promise<void> => {
      const m = message as { id?: JsonRpcId; method?: string };
      const call = current.getStore();
      if (call !== undefined && m.method !== undefined && m.id !== undefined) {
        rememberBounded(calls, m.id, call);
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
