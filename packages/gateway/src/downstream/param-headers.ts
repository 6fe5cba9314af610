// SEP-2243 custom headers on the gateway's 2026-07-28 endpoint. A tool may mark parameters of its
// inputSchema with `x-mcp-header: Name`; a client over Streamable HTTP then mirrors each value into
// an `Mcp-Param-Name` header, so intermediaries can route on it without reading the body. A server
// that reads the body must refuse a request whose headers disagree with it (HTTP 400, -32020): the
// spec's guard against a balancer routing on one value while the server acts on another. The
// gateway reads the body, so it checks, against the tool as it lists it; the SDK client then sends
// the upstream its own headers (plugins/transport-http passes them on).
//
// The router's SDK client already leaves out of the catalogue a tool whose declarations break the
// spec's constraints; here a declaration is only read where the spec allows one (a chain of
// `properties` keys to a string, integer or boolean), so an odd schema cannot make a check up.

export const HEADER_MISMATCH = -32020;
const PARAM_PREFIX = 'mcp-param-';
const BASE64_PREFIX = '=?base64?';
const BASE64_SUFFIX = '?=';
const BASE64_BODY = /^[A-Za-z0-9+/]*={0,2}$/;

interface Declaration {
  readonly path: readonly string[];
  /** The header's name, lowercased (`mcp-param-region`), and as declared (`Mcp-Param-Region`). */
  readonly header: string;
  readonly shown: string;
  readonly type: 'string' | 'integer' | 'boolean';
}

const scans = new WeakMap<object, readonly Declaration[]>();

/** The `x-mcp-header` declarations of an inputSchema (remembered per schema object). */
export function paramDeclarations(inputSchema: unknown): readonly Declaration[] {
  if (typeof inputSchema !== 'object' || inputSchema === null) return [];
  let found = scans.get(inputSchema);
  if (!found) {
    const out: Declaration[] = [];
    walk(inputSchema as Record<string, unknown>, [], out, 0);
    scans.set(inputSchema, (found = out));
  }
  return found;
}

function walk(schema: Record<string, unknown>, path: string[], out: Declaration[], depth: number): void {
  const properties = schema.properties;
  if (depth > 32 || typeof properties !== 'object' || properties === null) return;
  for (const [key, value] of Object.entries(properties as Record<string, unknown>)) {
    if (typeof value !== 'object' || value === null) continue;
    const property = value as Record<string, unknown>;
    const name = property['x-mcp-header'];
    const type = property.type;
    if (typeof name === 'string' && name.length > 0 && (type === 'string' || type === 'integer' || type === 'boolean')) {
      out.push({ path: [...path, key], header: PARAM_PREFIX + name.toLowerCase(), shown: `Mcp-Param-${name}`, type });
    }
    walk(property, [...path, key], out, depth + 1);
  }
}

/** Why the request's `Mcp-Param-*` headers disagree with its arguments, or undefined when they agree. */
export function paramHeaderMismatch(declarations: readonly Declaration[], args: unknown, headerOf: (name: string) => string | undefined): string | undefined {
  for (const d of declarations) {
    const value = valueAt(args, d.path);
    const raw = headerOf(d.header);
    const shown = d.shown;
    if (value === undefined || value === null) continue; // the client omits it; nothing to compare
    if (raw === undefined) return `the body carries ${d.path.join('.')} but the ${shown} header is absent`;
    const decoded = decode(raw);
    if (decoded === undefined) return `the ${shown} header is not a valid value (bad characters or Base64)`;
    if (!agrees(d.type, value, decoded)) return `the ${shown} header says ${JSON.stringify(decoded)} but the body carries ${d.path.join('.')}=${JSON.stringify(value)}`;
  }
  return undefined;
}

function valueAt(args: unknown, path: readonly string[]): unknown {
  let at = args;
  for (const key of path) {
    if (typeof at !== 'object' || at === null || Array.isArray(at) || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** A header value as the spec encodes it: `=?base64?…?=` (strict Base64 of UTF-8) or visible ASCII as it is. */
function decode(raw: string): string | undefined {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c !== 9 && (c < 32 || c > 126)) return undefined;
  }
  if (!(raw.startsWith(BASE64_PREFIX) && raw.endsWith(BASE64_SUFFIX) && raw.length >= BASE64_PREFIX.length + BASE64_SUFFIX.length)) return raw;
  const body = raw.slice(BASE64_PREFIX.length, raw.length - BASE64_SUFFIX.length);
  // Node's decoder skips what it does not know: check the alphabet and the padding first.
  if (body.length % 4 !== 0 || !BASE64_BODY.test(body)) return undefined;
  const bytes = Buffer.from(body, 'base64');
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : undefined;
}

function agrees(type: Declaration['type'], value: unknown, header: string): boolean {
  if (type === 'string') return typeof value === 'string' && value === header;
  if (type === 'boolean') return typeof value === 'boolean' && String(value) === header;
  // Integers compare as numbers (the spec: 42.0 and 42 agree).
  return typeof value === 'number' && header.trim() !== '' && Number(header) === value;
}
