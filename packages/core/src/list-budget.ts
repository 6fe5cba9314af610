// A bound on what one walk of an upstream's paginated list may hold. Each page is bounded by
// maxMessageBytes as it is read, but the SDK aggregates up to 64 pages (its listMaxPages) of a list
// in memory before the catalog sees it, and reads the lists at the same time: an upstream answering
// pages of 16 MiB could make one catalog read hold gigabytes, enough to take the process down.
// Here the pages of a walk (from the request without a cursor to the last) may add up to
// LIST_WALK_MESSAGES × maxMessageBytes; the page past that fails the walk, as a message too large.
import { linkError } from './link-faults.js';
import type { JsonRpcId, JsonRpcMessage, MessageExtra, MessageTransport, SendOptions } from './jsonrpc.js';
import { failedAnswer } from './pending-requests.js';
import { transportView } from './transport-view.js';

/** How many messages' worth of bytes (maxMessageBytes each) the pages of one list may total. */
export const LIST_WALK_MESSAGES = 4;

const LIST_METHODS = new Set(['tools/list', 'resources/list', 'resources/templates/list', 'prompts/list']);

type Handler = (message: JsonRpcMessage, extra?: MessageExtra) => void;

/** `link` with the pages of each list walk it carries bounded to `maxBytes` in all. */
export function boundedListWalks(link: MessageTransport, maxBytes: number, service: string): MessageTransport {
  /** List requests sent and not answered yet: id → method. */
  const pending = new Map<JsonRpcId, string>();
  /** Bytes of the current walk of each list. */
  const walked = new Map<string, number>();
  let handler: Handler | undefined;
  // The link's own send, taken now: a layer above that replaces `send` on this view (the gateway
  // wraps it) gets its replacement read back from here, and calls down to ours.
  const linkSend = link.send.bind(link);
  let sendReplaced: unknown;

  const onmessage: Handler = (message, extra) => {
    if (pending.size > 0 && !('method' in message) && message.id !== undefined) {
      const method = pending.get(message.id);
      if (method !== undefined) {
        pending.delete(message.id);
        if ('result' in message) {
          // Measured as JSON again: the transport's own byte count is not passed along, and lists are
          // read rarely (at connect, and when the server says one changed).
          const total = (walked.get(method) ?? 0) + JSON.stringify(message.result).length;
          walked.set(method, total);
          if (total > maxBytes) {
            const error = linkError('too-large', 'maybe', `${service} sent ${method} pages adding up to more than ${maxBytes} bytes (${LIST_WALK_MESSAGES} × its maxMessageBytes); the list was refused`, {
              service,
              details: { limit: maxBytes, size: total },
            });
            message = failedAnswer(message.id, error) as JsonRpcMessage;
          }
        }
      }
    }
    handler?.(message, extra);
  };

  const send = (message: JsonRpcMessage, options?: SendOptions): Promise<void> => {
    if ('method' in message) {
      if ('id' in message && LIST_METHODS.has(message.method)) {
        pending.set(message.id, message.method);
        // A request without a cursor starts a walk.
        if (message.params?.cursor === undefined) walked.set(message.method, 0);
      } else if (message.method === 'notifications/cancelled') {
        const id = (message.params as { requestId?: JsonRpcId } | undefined)?.requestId;
        if (id !== undefined) pending.delete(id);
      }
    }
    return linkSend(message, options);
  };

  return transportView(link, {
    get: (property) => (property === 'send' ? { value: sendReplaced ?? send } : property === 'onmessage' ? { value: handler } : undefined),
    set: (property, value) => {
      if (property === 'send') {
        sendReplaced = value;
        return true;
      }
      if (property !== 'onmessage') return false;
      handler = value as Handler | undefined;
      link.onmessage = handler ? onmessage : undefined;
      return true;
    },
  });
}
