// DNS-SD TXT records (RFC 6763 §6): a list of `key=value` strings. Keys are case-insensitive, the
// first occurrence of a key wins, and a key without '=' is a boolean attribute.

export type TxtValue = string | true;

export function decodeTxt(strings: readonly (string | Uint8Array)[]): Map<string, TxtValue> {
  const out = new Map<string, TxtValue>();
  for (const raw of strings) {
    const text = typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8');
    if (text.length === 0) continue;
    const eq = text.indexOf('=');
    // A string starting with '=' has no key and MUST be ignored (RFC 6763 §6.4).
    if (eq === 0) continue;
    const key = (eq < 0 ? text : text.slice(0, eq)).toLowerCase();
    if (out.has(key)) continue;
    out.set(key, eq < 0 ? true : text.slice(eq + 1));
  }
  return out;
}

export function encodeTxt(entries: readonly (readonly [string, string])[]): Buffer[] {
  return entries.map(([key, value]) => Buffer.from(`${key}=${value}`, 'utf8'));
}
