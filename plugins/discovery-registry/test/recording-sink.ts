// A DiscoverySink that records every event and warning and keeps the catalogue they describe.
import type { DiscoverySink, ServiceDescriptor, ServiceEvent } from '@switchboard/core';

export class RecordingSink implements DiscoverySink {
  readonly events: ServiceEvent[] = [];
  readonly warnings: Array<{ message: string; fields?: Record<string, unknown> }> = [];
  readonly services = new Map<string, ServiceDescriptor>();

  emit(event: ServiceEvent): void {
    this.events.push(event);
    if (event.type === 'removed') this.services.delete(event.name);
    else this.services.set(event.service.name, event.service);
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.warnings.push({ message, ...(fields && { fields }) });
  }

  names(): string[] {
    return [...this.services.keys()].sort();
  }

  /** Events since the last call, for tests that check what one refresh changed. */
  private seen = 0;
  takeEvents(): ServiceEvent[] {
    const fresh = this.events.slice(this.seen);
    this.seen = this.events.length;
    return fresh;
  }
}
