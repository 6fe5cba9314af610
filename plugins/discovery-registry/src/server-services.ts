// One registry list item → the services it stands for: one per remote of type streamable-http
// (transport 'http') or sse. Pure: problems come back as notes for the discoverer to log.
import { serverEntrySchema, toDescriptor, type ServiceDescriptor } from '@switchboard/core';
import {
  OFFICIAL_META_KEY,
  remoteSchema,
  serverResponseSchema,
  type RegistryInput,
  type RegistryRemote,
  type RegistryServerResponse,
} from './api-schema.js';
import type { NameFilter } from './name-filter.js';
import type { ServerInputs } from './options.js';
import { fillTemplate } from './template.js';

const REMOTE_TRANSPORTS: Readonly<Record<string, string>> = { 'streamable-http': 'http', sse: 'sse' };

export interface Note {
  readonly level: 'debug' | 'warn';
  /** Identifies the problem so the same one is warned about once, not on every refresh. */
  readonly key: string;
  readonly message: string;
  readonly fields?: Record<string, unknown>;
}

export interface MappingContext {
  /** The discoverer's instance id: the descriptors' source. */
  readonly source: string;
  /** The registry base URL, recorded in metadata. */
  readonly registryUrl: string;
  readonly includeDeprecated: boolean;
  readonly nameFilter: NameFilter;
  readonly inputs: Readonly<Record<string, ServerInputs>>;
}

export type ServerVerdict =
  /** What this registry server now contributes (empty: none of it is routable, or it is gone). */
  | { readonly kind: 'server'; readonly serverName: string; readonly services: readonly ServiceDescriptor[]; readonly notes: readonly Note[] }
  /** An item that says nothing about the current catalogue (malformed, or not the latest version). */
  | { readonly kind: 'ignore'; readonly notes: readonly Note[] };

export function servicesOf(raw: unknown, ctx: MappingContext): ServerVerdict {
  const parsed = serverResponseSchema.safeParse(raw);
  if (!parsed.success) {
    const rawName = (raw as { server?: { name?: unknown } } | null)?.server?.name;
    const label = typeof rawName === 'string' ? rawName : 'an entry';
    const issue = parsed.error.issues[0];
    return ignore({
      level: 'warn',
      key: `shape:${label}:${issue?.path.join('.')}`,
      message: `skipped ${label} from the MCP registry: ${issue?.message ?? 'unexpected shape'}${issue?.path.length ? ` at ${issue.path.join('.')}` : ''}`,
    });
  }
  const item = parsed.data;
  const server = item.server;
  const meta = item._meta?.[OFFICIAL_META_KEY];
  const done = (services: readonly ServiceDescriptor[], notes: readonly Note[] = []): ServerVerdict => ({
    kind: 'server',
    serverName: server.name,
    services,
    notes,
  });

  // version=latest should already exclude these; a registry that ignores it must not make an old
  // version replace (or, by being deprecated, remove) the current one.
  if (meta?.isLatest === false) return ignore({ level: 'debug', key: `old:${server.name}`, message: `ignored ${server.name} ${server.version ?? ''}: not its latest version` });

  const status = meta?.status ?? 'active';
  if (status === 'deleted') return done([]);
  if (status === 'deprecated' && !ctx.includeDeprecated) {
    return done([], [{ level: 'debug', key: `deprecated:${server.name}`, message: `skipped ${server.name}: deprecated (set includeDeprecated to route to it)` }]);
  }
  if (!ctx.nameFilter(server.name)) return done([]);

  const remotes = (server.remotes ?? []).map((remote) => remoteSchema.safeParse(remote));
  if (remotes.length === 0) {
    const why = server.packages?.length ? 'it has only packages (run locally), no remotes' : 'it lists no remotes';
    return done([], [{ level: 'debug', key: `packages:${server.name}`, message: `skipped ${server.name}: ${why}` }]);
  }

  const notes: Note[] = [];
  const usable: RegistryRemote[] = [];
  remotes.forEach((result, index) => {
    if (!result.success) {
      notes.push({ level: 'warn', key: `remote:${server.name}:${index}`, message: `skipped remote ${index} of ${server.name}: ${result.error.issues[0]?.message ?? 'unexpected shape'}` });
    } else if (!(result.data.type in REMOTE_TRANSPORTS)) {
      notes.push({ level: 'debug', key: `type:${server.name}:${index}`, message: `skipped remote ${index} of ${server.name}: transport type '${result.data.type}' is not routable` });
    } else {
      usable.push(result.data);
    }
  });

  const names = serviceNames(server.name, usable);
  const inputs = ctx.inputs[server.name] ?? { variables: {}, headers: {} };
  const services: ServiceDescriptor[] = [];
  usable.forEach((remote, index) => {
    const name = names[index] ?? server.name;
    const resolved = resolveRemote(server.name, remote, inputs);
    if ('problem' in resolved) {
      notes.push({ level: 'warn', key: `resolve:${name}:${resolved.problem}`, message: `skipped ${name}: ${resolved.problem}` });
      return;
    }
    const entry = serverEntrySchema.safeParse({
      name,
      transport: REMOTE_TRANSPORTS[remote.type],
      url: resolved.url,
      headers: resolved.headers,
      metadata: metadataOf(item, remote, ctx.registryUrl),
    });
    if (!entry.success) {
      notes.push({ level: 'warn', key: `entry:${name}`, message: `skipped ${name}: ${entry.error.issues.map((i) => i.message).join('; ')}` });
      return;
    }
    services.push(toDescriptor(entry.data, ctx.source));
  });
  return done(services, notes);
}

function ignore(note: Note): ServerVerdict {
  return { kind: 'ignore', notes: [note] };
}

/**
 * One remote keeps the server's name. Several get a suffix, by transport (`#http`, `#sse`), numbered
 * only when two share one (`#http-1`, `#http-2`). Computed over all usable remotes, so a remote that
 * is skipped for a missing input does not rename its siblings.
 */
function serviceNames(serverName: string, remotes: readonly RegistryRemote[]): string[] {
  if (remotes.length <= 1) return remotes.map(() => serverName);
  const transports = remotes.map((r) => REMOTE_TRANSPORTS[r.type] ?? r.type);
  const seen = new Map<string, number>();
  return transports.map((transport) => {
    const shared = transports.filter((t) => t === transport).length > 1;
    const n = (seen.get(transport) ?? 0) + 1;
    seen.set(transport, n);
    return `${serverName}#${shared ? `${transport}-${n}` : transport}`;
  });
}

type Resolved = { url: string; headers: Record<string, string> } | { problem: string };

function resolveRemote(serverName: string, remote: RegistryRemote, inputs: ServerInputs): Resolved {
  const fromInputs = (name: string): string | undefined => inputs.variables[name];
  const url = fillTemplate(remote.url, (name) => fromInputs(name) ?? valueOf(remote.variables?.[name]));
  if (!url.ok) {
    return { problem: `its URL ${remote.url} needs ${url.missing.map((m) => `{${m}}`).join(', ')}; set inputs["${serverName}"].variables.${url.missing[0]}` };
  }

  const headers: Record<string, string> = {};
  const given = new Map(Object.entries(inputs.headers).map(([name, value]) => [name.toLowerCase(), { name, value }]));
  for (const header of remote.headers ?? []) {
    const override = given.get(header.name.toLowerCase());
    if (override) continue; // added below, under the operator's spelling
    const template = header.value ?? header.default;
    const filled = template === undefined ? undefined : fillTemplate(template, (name) => fromInputs(name) ?? valueOf(header.variables?.[name]));
    if (filled?.ok) {
      headers[header.name] = filled.value;
    } else if (header.isRequired) {
      return { problem: `it requires the header ${header.name}${header.description ? ` (${header.description})` : ''}; set inputs["${serverName}"].headers["${header.name}"]` };
    }
  }
  for (const { name, value } of given.values()) headers[name] = value;
  return { url: url.value, headers };
}

function valueOf(input: RegistryInput | undefined): string | undefined {
  return input?.value ?? input?.default;
}

function metadataOf(item: RegistryServerResponse, remote: RegistryRemote, registryUrl: string): Record<string, unknown> {
  const { server } = item;
  const meta = item._meta?.[OFFICIAL_META_KEY];
  const metadata: Record<string, unknown> = {
    registry: registryUrl,
    registryName: server.name,
    version: server.version,
    description: server.description,
    title: server.title,
    websiteUrl: server.websiteUrl,
    repository: server.repository?.url,
    status: meta?.status ?? 'active',
    statusMessage: meta?.statusMessage,
    publishedAt: meta?.publishedAt,
    updatedAt: meta?.updatedAt,
    remoteType: remote.type,
  };
  for (const key of Object.keys(metadata)) if (metadata[key] === undefined) delete metadata[key];
  return metadata;
}
