// A DiscoverySink that keeps everything a discoverer reports, in order, and the view those events
// build (what core's registry would hold for this one source).
import type { DiscoverySink, ServiceDescriptor, ServiceEvent } from '@switchboard/core';

export interface RecordedWarning {
  readonly message: string;
  readonly fields?: Record<string, unknown>;
}

export class RecordingSink implements DiscoverySink {
  readonly events: ServiceEvent[] = [];
  readonly warnings: RecordedWarning[] = [];
  readonly services = new Map<string, ServiceDescriptor>();

  emit(event: ServiceEvent): void {
    this.events.push(event);
    if (event.type === 'removed') this.services.delete(event.name);
    else this.services.set(event.service.name, event.service);
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.warnings.push(fields === undefined ? { message } : { message, fields });
  }

  /** Events about one service name, in order. */
  about(name: string): ServiceEvent[] {
    return this.events.filter((e) => (e.type === 'removed' ? e.name : e.service.name) === name);
  }
}
