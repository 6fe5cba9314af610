// Turns one etcd key/value into a ServiceDescriptor, or a reason it cannot be one. The value is a
// server entry in the static-config shape; a missing `name` defaults to the key's suffix.
import { serverEntrySchema, toDescriptor, type ServiceDescriptor } from '@switchboard/core';

export type ParsedEntry =
  | { readonly ok: true; readonly descriptor: ServiceDescriptor }
  | { readonly ok: false; readonly reason: string };

/** The key for a server name under a prefix: `/switchboard/services/` + `search`. */
export function serviceKey(prefix: string, name: string): string {
  return prefix + name;
}

export function parseEntry(key: string, prefix: string, value: string, source: string): ParsedEntry {
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch (error) {
    return { ok: false, reason: `value is not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, reason: 'value is not a JSON object' };
  }
  const suffix = key.startsWith(prefix) ? key.slice(prefix.length) : key;
  const withName = 'name' in raw ? raw : { ...raw, name: suffix };
  const parsed = serverEntrySchema.safeParse(withName);
  if (!parsed.success) {
    const reason = parsed.error.issues
      .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
      .join('; ');
    return { ok: false, reason: `invalid server entry (${reason})` };
  }
  return { ok: true, descriptor: toDescriptor(parsed.data, source) };
}
