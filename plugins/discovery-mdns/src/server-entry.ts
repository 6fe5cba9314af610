// Turns a resolved DNS-SD instance (SRV + TXT + addresses) into a raw Switchboard server entry, or
// names the field that makes it unusable so the discoverer can warn and skip it.
import type { TxtValue } from './txt.js';

/** TXT `proto` values and the transport kind / URL scheme each maps to. */
const PROTOCOLS: Readonly<Record<string, { transport: string; scheme: string }>> = {
  http: { transport: 'http', scheme: 'http' },
  sse: { transport: 'sse', scheme: 'http' },
  ws: { transport: 'websocket', scheme: 'ws' },
};

export const DEFAULT_PATH = '/mcp';

export interface ResolvedInstance {
  /** Full instance name, e.g. `weather._mcp._tcp.local`. */
  readonly fqdn: string;
  /** The instance label, e.g. `weather`. */
  readonly label: string;
  readonly host: string;
  readonly port: number;
  readonly txt: ReadonlyMap<string, TxtValue>;
  /** Addresses of `host`, in the order they were learned. */
  readonly addresses: readonly string[];
}

export type EntryResult =
  | { readonly ok: true; readonly raw: Record<string, unknown> }
  | { readonly ok: false; readonly field: string; readonly reason: string };

export function toRawServerEntry(instance: ResolvedInstance): EntryResult {
  const { txt } = instance;
  const txtvers = txt.get('txtvers');
  if (txtvers === undefined) return bad('txtvers', 'TXT has no txtvers');
  if (txtvers !== '1') return bad('txtvers', `unsupported txtvers '${String(txtvers)}' (expected 1)`);

  // Streamable HTTP is MCP's standard remote transport, so a record that omits proto means http.
  const protoValue = txt.get('proto') ?? 'http';
  const proto = typeof protoValue === 'string' ? PROTOCOLS[protoValue.toLowerCase()] : undefined;
  if (!proto) return bad('proto', `unknown proto '${String(protoValue)}' (expected http, sse or ws)`);

  if (!Number.isInteger(instance.port) || instance.port < 1 || instance.port > 65535) {
    return bad('port', `bad SRV port ${instance.port}`);
  }

  const pathValue = txt.get('path') ?? DEFAULT_PATH;
  if (typeof pathValue !== 'string' || !pathValue.startsWith('/')) return bad('path', `path must start with '/' (got '${String(pathValue)}')`);

  const capsValue = txt.get('caps');
  if (capsValue === true) return bad('caps', 'caps has no value');
  const capabilities = (capsValue ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c.length > 0);

  const nameValue = txt.get('name');
  if (nameValue === true || nameValue === '') return bad('name', 'name has no value');
  const name = nameValue ?? instance.label;
  // Instances that announce one TXT group= are replicas of one another (their replicaGroup).
  const groupValue = txt.get('group');
  if (groupValue === true || groupValue === '') return bad('group', 'group has no value');
  const replicaGroup = groupValue;

  const host = urlHost(instance);
  return {
    ok: true,
    raw: {
      name,
      transport: proto.transport,
      url: `${proto.scheme}://${host}:${instance.port}${pathValue}`,
      capabilities,
      ...(replicaGroup !== undefined ? { replicaGroup } : {}),
      metadata: { mdnsInstance: instance.fqdn, host: instance.host, addresses: [...instance.addresses] },
    },
  };
}

/**
 * Prefer an IPv4 address, then a routable IPv6 one: `.local` names only resolve where the OS has
 * an mDNS resolver, and a link-local IPv6 address is useless without its zone. The host name is
 * the last resort.
 */
function urlHost(instance: ResolvedInstance): string {
  const v4 = instance.addresses.find((a) => !a.includes(':'));
  if (v4) return v4;
  const v6 = instance.addresses.find((a) => a.includes(':') && !/^fe80:/i.test(a));
  if (v6) return `[${v6}]`;
  return instance.host.replace(/\.$/, '');
}

function bad(field: string, reason: string): EntryResult {
  return { ok: false, field, reason };
}
