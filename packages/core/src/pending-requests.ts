// The requests a transport has sent and not yet seen answered, so that when its link fails it can
// answer each of them with a typed failure (a LinkFault) instead of leaving the SDK to reject them
// with a bare "Connection closed".
import type { SwitchboardError } from './errors.js';
import { CallTable } from './call-table.js';
import { isJsonObject } from './jsonrpc.js';

type Id = string | number;

/** The JSON-RPC error answer that fails one call with a transport's typed error. */
export function failedAnswer(id: Id, error: SwitchboardError): { jsonrpc: '2.0'; id: Id; error: { code: number; message: string; data: SwitchboardError } } {
  // -32603 (internal error) for an answer refused here, -32000 (server error) for a lost link; the
  // data, a live SwitchboardError, is what core reads.
  return { jsonrpc: '2.0', id, error: { code: error.link?.kind === 'too-large' ? -32603 : -32000, message: error.message, data: error } };
}

export class PendingRequests {
  /** A CallTable, not a Set: its entries come and go at call rate (see call-table.ts). */
  private readonly ids = new CallTable<Id, true>();

  /**
   * Note an outgoing message: a request (method and id) is pending until answered, or until we
   * cancel it (the SDK sends notifications/cancelled when a request times out or its caller gives
   * up): a peer that never answers must not make this set grow for the life of the link.
   */
  sent(message: object): void {
    const m = message as { id?: unknown; method?: unknown; params?: { requestId?: unknown } };
    if (typeof m.method !== 'string') return;
    if (typeof m.id === 'string' || typeof m.id === 'number') this.ids.set(m.id, true);
    else if (m.method === 'notifications/cancelled') {
      const id = m.params?.requestId;
      if (typeof id === 'string' || typeof id === 'number') this.ids.delete(id);
    }
  }

  /**
   * Note an incoming message: a response or error answers its id. Only one the client can take: a
   * transport hands on any JSON object (see isMessageShaped), and the SDK drops an answer whose
   * result or error is malformed, so its request still waits and must still fail with the link.
   */
  received(message: object): void {
    const m = message as { id?: unknown; method?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown } | null };
    if (m.method !== undefined || (typeof m.id !== 'string' && typeof m.id !== 'number')) return;
    const answers = isJsonObject(m.result) || (isJsonObject(m.error) && typeof m.error.code === 'number' && typeof m.error.message === 'string');
    if (answers) this.ids.delete(m.id);
  }

  get size(): number {
    return this.ids.size;
  }

  /** The failed answers for every pending request, which are then forgotten. */
  failAll(error: SwitchboardError): ReturnType<typeof failedAnswer>[] {
    const answers = this.ids.keyList().map((id) => failedAnswer(id, error));
    this.ids.clear();
    return answers;
  }
}
