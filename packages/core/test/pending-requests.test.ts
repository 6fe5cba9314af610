import { describe, expect, it } from 'vitest';
import { linkError, PendingRequests } from '../src/index.js';

describe('pending requests', () => {
  it('tracks requests until answered or cancelled, so a peer that never answers cannot grow it', () => {
    const pending = new PendingRequests();
    for (let id = 1; id <= 1_000; id++) {
      pending.sent({ jsonrpc: '2.0', id, method: 'tools/call' });
      // The caller gave up (a timeout): the SDK sends a cancellation for the id.
      pending.sent({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'timeout' } });
    }
    expect(pending.size).toBe(0);
    pending.sent({ jsonrpc: '2.0', id: 'a', method: 'ping' });
    pending.sent({ jsonrpc: '2.0', id: 'b', method: 'ping' });
    pending.received({ jsonrpc: '2.0', id: 'a', result: {} });
    // Notifications and the peer's own requests are not ours to answer.
    pending.sent({ jsonrpc: '2.0', method: 'notifications/initialized' });
    pending.received({ jsonrpc: '2.0', id: 'b', method: 'sampling/createMessage' });
    expect(pending.size).toBe(1);
    const answers = pending.failAll(linkError('closed', 'maybe', 'gone'));
    expect(answers).toEqual([expect.objectContaining({ id: 'b', error: expect.objectContaining({ code: -32000, message: 'gone' }) })]);
    expect(pending.size).toBe(0);
  });

  it('keeps a request pending past an answer no client can take, so the link still fails it', () => {
    const pending = new PendingRequests();
    pending.sent({ jsonrpc: '2.0', id: 7, method: 'tools/call' });
    for (const junk of [{ jsonrpc: '2.0', id: 7, result: 'not an object' }, { jsonrpc: '2.0', id: 7, result: [1] }, { jsonrpc: '2.0', id: 7, error: { code: 'x', message: 'm' } }, { jsonrpc: '2.0', id: 7 }]) pending.received(junk);
    expect(pending.size).toBe(1);
    pending.received({ jsonrpc: '2.0', id: 7, error: { code: -32603, message: 'failed' } });
    expect(pending.size).toBe(0);
  });
});
