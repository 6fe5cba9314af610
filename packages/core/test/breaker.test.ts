import { describe, expect, it } from 'vitest';
import { createServicePolicy } from '../src/breaker.js';
import { parseConfig } from '../src/config/validate.js';
import { toDescriptor, serverEntrySchema } from '../src/descriptor.js';
import { ServiceRegistry } from '../src/registry.js';

function setup(consecutiveFailures = 3) {
  const registry = new ServiceRegistry();
  registry.apply({ type: 'added', service: toDescriptor(serverEntrySchema.parse({ name: 's', url: 'http://127.0.0.1:1/mcp' }), 'test#0') });
  const entry = registry.get('s')!;
  const failover = parseConfig({ failover: { breaker: { consecutiveFailures } } }).failover;
  const made = createServicePolicy(entry, registry, failover, () => performance.now());
  return { entry, policy: made.policy, dispose: () => made.dispose() };
}

const fail = () => Promise.reject(new Error('down'));
const ok = () => Promise.resolve('ok');

describe('createServicePolicy', () => {
  it('opens after the configured consecutive failures, counting the first one (which makes the breaker)', async () => {
    const { entry, policy, dispose } = setup(3);
    for (let i = 0; i < 2; i++) await expect(policy.execute(fail)).rejects.toThrow('down');
    expect(entry.breaker).toBe('closed');
    await expect(policy.execute(fail)).rejects.toThrow('down');
    expect(entry.breaker).toBe('open');
    expect(entry.ejections).toBe(1);
    dispose();
  });

  it('a success resets the count, also one of a call that began before the first failure made the breaker', async () => {
    const { entry, policy, dispose } = setup(3);
    let finish!: (v: string) => void;
    const slow = policy.execute(() => new Promise<string>((resolve) => (finish = resolve)));
    await expect(policy.execute(fail)).rejects.toThrow();
    await expect(policy.execute(fail)).rejects.toThrow();
    finish('late');
    await expect(slow).resolves.toBe('late');
    // Two failures, then a success: a third failure does not open it.
    await expect(policy.execute(fail)).rejects.toThrow();
    expect(entry.breaker).toBe('closed');
    await expect(policy.execute(ok)).resolves.toBe('ok');
    dispose();
  });

  it('does not count a caller error (bad params) against the service', async () => {
    const { entry, policy, dispose } = setup(1);
    const { ProtocolError } = await import('../src/sdk/mcp.js');
    await expect(policy.execute(() => Promise.reject(new ProtocolError(-32602, 'bad params')))).rejects.toThrow('bad params');
    expect(entry.breaker).toBe('closed');
    dispose();
  });
});
