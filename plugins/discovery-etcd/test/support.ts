// Test helpers: a sink that records what a discoverer reports and applies it like the registry
// would, and polling with a deadline (tests never assert on timing, only on outcomes).
import type { DiscoverySink, ServiceDescriptor, ServiceEvent } from '@switchboard/core';

export class RecordingSink implements DiscoverySink {
  readonly events: ServiceEvent[] = [];
  readonly warnings: { message: string; fields?: Record<string, unknown> }[] = [];
  readonly services = new Map<string, ServiceDescriptor>();

  emit(event: ServiceEvent): void {
    this.events.push(event);
    if (event.type === 'removed') this.services.delete(event.name);
    else this.services.set(event.service.name, event.service);
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.warnings.push(fields ? { message, fields } : { message });
  }

  removals(name: string): number {
    return this.events.filter((e) => e.type === 'removed' && e.name === name).length;
  }
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

let counter = 0;
/** A prefix no other test uses, so tests sharing one etcd do not see each other's keys. */
export function uniquePrefix(label: string): string {
  counter += 1;
  return `/switchboard-test/${label}-${process.pid}-${counter}/`;
}
