// Small pieces the router's parts share: request ids, timeouts, sleeping, and the words of the
// "no service" error.
import { SwitchboardError } from '../errors.js';
import type { ServiceRegistry } from '../registry.js';
import type { DispatchTarget } from './dispatch-types.js';
import type { CancelSignal } from '../cancel-signal.js';

let requestCounter = 0;
/** Unique within the process (and across routers in it), short, and sortable by creation. */
export function nextRequestId(): string {
  return `${process.pid.toString(36)}-${(++requestCounter).toString(36)}`;
}

export function noServiceMessage(target: DispatchTarget, required: readonly string[], registry: ServiceRegistry, now: number): string {
  const what = required.length > 0 ? `capabilities [${required.join(', ')}]` : 'this request';
  const known = registry.size;
  const offering = registry.all().filter((e) => required.every((c) => e.has(c)));
  if (offering.length > 0) {
    const why = offering.map((e) => `${e.name}: ${e.breaker === 'open' && now < e.breakerReopenAt ? `ejected for ${Math.ceil(e.breakerReopenAt - now)} ms more` : e.health.status}`);
    return `every service offering ${what} is unavailable right now (${why.join('; ')})`;
  }
  return known === 0
    ? `no services are registered yet; check the discovery config (needed: ${what})`
    : `no service offers ${what}${target.requestType ? ` (request type ${target.requestType})` : ''} among ${known} registered; check capabilities or the tool name`;
}

export function sleep(ms: number, signal?: CancelSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SwitchboardError('TIMEOUT', `timed out after ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
