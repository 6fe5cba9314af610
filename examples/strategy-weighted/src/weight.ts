// Where a candidate's weight comes from: the server entry's `weight`, or a metadata field when the
// operator configured one (for example weights a registry or an etcd writer puts in metadata).
import type { ServiceDescriptor } from '@switchboard/core';

/**
 * The weight to use for `descriptor`, or NaN when it must be excluded. With `metadataKey` set, a
 * finite number or numeric string under that key wins; a missing key falls back to
 * `descriptor.weight` (so services that do not publish one still take part, at the entry default of 1).
 */
export function weightOf(descriptor: ServiceDescriptor, metadataKey?: string): number {
  if (metadataKey !== undefined) {
    const raw = descriptor.metadata[metadataKey];
    if (typeof raw === 'number') return usable(raw);
    if (typeof raw === 'string' && raw.trim() !== '') return usable(Number(raw));
    if (raw !== undefined && raw !== null) return Number.NaN; // present but not a number: a config mistake, not "default"
  }
  return usable(descriptor.weight);
}

/** Zero, negative, NaN and infinite weights exclude a service (Infinity would poison the sums). */
function usable(weight: number): number {
  return Number.isFinite(weight) && weight > 0 ? weight : Number.NaN;
}
