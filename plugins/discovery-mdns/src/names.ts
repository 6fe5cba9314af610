// Domain-name helpers. DNS names compare case-insensitively and may arrive with or without a
// trailing dot, so every map key goes through nameKey().

export function nameKey(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}

/** `My Server._mcp._tcp.local` → `My Server`; undefined when the name is not under serviceType. */
export function instanceLabel(instanceName: string, serviceType: string): string | undefined {
  const name = instanceName.replace(/\.$/, '');
  const suffix = '.' + nameKey(serviceType);
  if (!name.toLowerCase().endsWith(suffix)) return undefined;
  const label = name.slice(0, name.length - suffix.length);
  return label.length > 0 ? label : undefined;
}

export function instanceFqdn(label: string, serviceType: string): string {
  return `${label}.${serviceType.replace(/\.$/, '')}`;
}

/**
 * Why a label cannot be advertised, or undefined when it can. dns-packet splits names on '.' and
 * has no escaping, so a dot would silently become a label boundary; 63 bytes is the DNS limit.
 */
export function labelProblem(label: string): string | undefined {
  if (label.length === 0) return 'it is empty';
  if (label.includes('.')) return "it contains '.', which mDNS names cannot carry here";
  if (Buffer.byteLength(label) > 63) return 'it is longer than 63 bytes';
  return undefined;
}

/** `box.example.com` → `box.local`, keeping only characters valid in a host label. */
export function localHostName(hostname: string): string {
  const first = hostname.split('.')[0] ?? '';
  const clean = first.replace(/[^A-Za-z0-9-]/g, '-').replace(/^-+|-+$/g, '');
  return `${clean || 'switchboard'}.local`;
}
