import { ProtocolError, ProtocolErrorCode, SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
import { BrokenCircuitError, TaskCancelledError } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { classifyFailure, SwitchboardError } from '../src/index.js';

describe('failure classification', () => {
  it('fails over on transport failures, timeouts and open breakers', () => {
    expect(classifyFailure(new Error('fetch failed'), 's', 100)).toMatchObject({ failover: true, error: { code: 'TRANSPORT_ERROR', service: 's' } });
    expect(classifyFailure(new TaskCancelledError(), 's', 100).error.code).toBe('TIMEOUT');
    expect(classifyFailure(new SdkError(SdkErrorCode.RequestTimeout, 'x'), 's', 100).error.message).toContain('100 ms');
    expect(classifyFailure(new SdkError(SdkErrorCode.ConnectionClosed, 'closed'), 's', 1).failover).toBe(true);
    expect(classifyFailure(new ProtocolError(ProtocolErrorCode.InternalError, 'boom'), 's', 1).failover).toBe(true);
    expect(classifyFailure(new BrokenCircuitError(), 's', 1).error.code).toBe('BREAKER_OPEN');
  });

  it('does not fail over when the server rejected the request itself', () => {
    const c = classifyFailure(new ProtocolError(ProtocolErrorCode.InvalidParams, 'bad args'), 's', 1);
    expect(c.failover).toBe(false);
    expect(c.error.code).toBe('UPSTREAM_ERROR');
    expect(SwitchboardError.is(c.error)).toBe(true);
  });

  it('treats a missing resource (-32002) and an undeclared client capability (-32021) as answers about the request', () => {
    // Every replica would answer the same: failing over would repeat the call, and counting them
    // would let one client's request eject a fleet.
    for (const code of [-32002, -32021]) {
      const c = classifyFailure(new ProtocolError(code, 'about the request', { requiredCapabilities: { sampling: {} } }), 's', 1);
      expect(c).toMatchObject({ failover: false, error: { code: 'UPSTREAM_ERROR' } });
    }
  });
});
