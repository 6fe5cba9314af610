// What a discovered MCP server is: the server-entry shape that config, etcd values and discoverers
// all share, and its normalised form, the ServiceDescriptor the registry and transports read.
import { z } from 'zod';
import { strictObject } from './config/strict-object.js';

/** Transport kinds the first-party plugins provide. A third-party transport may add its own. */
export const BUILTIN_TRANSPORT_KINDS = ['stdio', 'http', 'sse', 'websocket'] as const;

const TRANSPORT_ALIASES: Record<string, string> = {
  ws: 'websocket',
  'streamable-http': 'http',
  streamable_http: 'http',
  streamableHttp: 'http',
  https: 'http',
};

const stringRecord = z.record(z.string(), z.string());

/**
 * Keys MCP clients write into their server entries (Cline, Roo, Claude Code) that mean nothing to a
 * router: accepted so a client's file can be read as it is, and ignored.
 */
export const CLIENT_ONLY_SERVER_KEYS = ['autoApprove', 'alwaysAllow', 'description', 'disabledTools'] as const;

const MAX_REPLICAS = 64;

export const serverEntrySchema = strictObject({
    name: z.string().min(1, 'a server needs a non-empty name'),
    transport: z.string().min(1).optional(),
    /** mcpServers-style alias of `transport` ("type": "http" | "sse" | "stdio"). */
    type: z.string().min(1).optional(),
    command: z.string().min(1).optional(),
    args: z.array(z.string()).default([]),
    env: stringRecord.default({}),
    cwd: z.string().optional(),
    url: z.string().url().optional(),
    headers: stringRecord.default({}),
    capabilities: z.array(z.string().min(1)).default([]),
    metadata: z.record(z.string(), z.unknown()).default({}),
    /** Lower is tried first by first-match; ties keep discovery order. */
    priority: z.number().int().default(0),
    /** Relative share for weighted strategies. */
    weight: z.number().positive().default(1),
    /** Per-call timeout for this server, overriding failover.timeoutMs. */
    timeoutMs: z.number().int().positive().optional(),
    /**
     * Largest single message accepted from this server (a JSON body, an SSE event, a stdio line, a
     * WebSocket frame), enforced while reading. Default DEFAULT_MAX_MESSAGE_BYTES.
     */
    maxMessageBytes: z.number().int().min(1024).optional(),
    /**
     * Servers with the same replicaGroup are replicas of one another: the gateway merges their
     * same-named, same-schema tools into one replica set. Without it a server is its own group, and
     * a same-named tool elsewhere is a different tool.
     */
    replicaGroup: z.string().min(1).optional(),
    /**
     * Several endpoints of this one server: each URL is a replica (named `<name>-1`, `<name>-2`, …,
     * in the replica group `<name>`). Instead of `url`.
     */
    urls: z.array(z.string().url()).min(1).optional(),
    /** Run this many processes of `command`, as replicas of one another (named like `urls`). */
    replicas: z.number().int().min(1).max(MAX_REPLICAS).optional(),
    /** As in MCP client configs: a disabled server is not used. */
    disabled: z.boolean().optional(),
    /**
     * The protocol era to speak to this server: `auto` (the default) probes with server/discover
     * and falls back to initialize as the specification says; `modern` requires 2026-07-28;
     * `legacy` skips the probe and opens with initialize.
     */
    protocol: z.enum(['auto', 'modern', 'legacy']).optional(),
    ...Object.fromEntries(CLIENT_ONLY_SERVER_KEYS.map((k) => [k, z.unknown().optional()])),
  })
  .transform((entry, ctx) => {
    if (entry.urls && entry.url) {
      ctx.addIssue({ code: 'custom', message: 'give `url` or `urls`, not both', path: ['urls'] });
      return z.NEVER;
    }
    if (entry.urls && entry.command) {
      ctx.addIssue({ code: 'custom', message: '`urls` are for http, sse and websocket servers; a command server takes `replicas`', path: ['urls'] });
      return z.NEVER;
    }
    if (entry.replicas !== undefined && !entry.command) {
      ctx.addIssue({ code: 'custom', message: '`replicas` runs several processes of `command`; for several endpoints of a remote server list them in `urls`', path: ['replicas'] });
      return z.NEVER;
    }
    const declared = entry.transport ?? entry.type;
    let transport = declared ? (TRANSPORT_ALIASES[declared] ?? declared) : undefined;
    const firstUrl = entry.url ?? entry.urls?.[0];
    if (!transport) {
      if (entry.command) transport = 'stdio';
      else if (firstUrl) transport = /^wss?:/i.test(firstUrl) ? 'websocket' : 'http';
    }
    if (!transport) {
      ctx.addIssue({ code: 'custom', message: 'a server needs `command` (stdio) or `url` (http, sse, websocket)', path: [] });
      return z.NEVER;
    }
    if (transport === 'stdio' && !entry.command) {
      ctx.addIssue({ code: 'custom', message: 'a stdio server needs `command`', path: ['command'] });
      return z.NEVER;
    }
    if (transport !== 'stdio' && !firstUrl) {
      ctx.addIssue({ code: 'custom', message: `a ${transport} server needs \`url\``, path: ['url'] });
      return z.NEVER;
    }
    const { type: _type, urls, replicas, disabled, ...rest } = entry;
    for (const k of CLIENT_ONLY_SERVER_KEYS) delete (rest as Record<string, unknown>)[k];
    return {
      ...(rest as Omit<typeof rest, (typeof CLIENT_ONLY_SERVER_KEYS)[number]>),
      transport,
      ...(urls ? { urls } : {}),
      ...(replicas !== undefined ? { replicas } : {}),
      ...(disabled ? { disabled } : {}),
    };
  });

export type ServerEntryInput = z.input<typeof serverEntrySchema>;
export type ServerEntry = z.output<typeof serverEntrySchema>;

export interface ServiceDescriptor {
  readonly name: string;
  readonly transport: string;
  readonly command?: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly url?: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly capabilities: readonly string[];
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly priority: number;
  readonly weight: number;
  readonly timeoutMs?: number;
  readonly maxMessageBytes?: number;
  readonly replicaGroup?: string;
  /** The protocol era to speak (see serverEntrySchema); undefined is `auto`. */
  readonly protocol?: 'auto' | 'modern' | 'legacy';
  /** Which discoverer reported it (its instance id, for example `static#0` or `mdns#1`). */
  readonly source: string;
}

/**
 * 16 MiB: room for a result carrying a few base64 images, while one hostile upstream can hold at
 * most this much of the gateway's memory per message it is sending.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** The size bound a transport enforces for messages from this service. */
export function maxMessageBytes(service: Pick<ServiceDescriptor, 'maxMessageBytes'>): number {
  return service.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
}

const NO_STRINGS: readonly string[] = Object.freeze([]);
const NO_ENTRIES: Readonly<Record<string, never>> = Object.freeze({});

/**
 * A descriptor as a compact frozen object: the same keys in the same order every time (one hidden
 * class for all), only the optional ones that are set, and one shared frozen empty array or object
 * for empty ones. A parsed entry had its client-only keys deleted, which leaves it a slow dictionary
 * object; copied as it was, a descriptor cost ~800 bytes, this way ~300.
 */
function compactDescriptor(d: ServiceDescriptor): ServiceDescriptor {
  // (A descriptor a test or plugin built by hand may lack the defaulted keys.)
  const args = d.args === undefined || d.args.length === 0 ? NO_STRINGS : d.args;
  const env = d.env === undefined || Object.keys(d.env).length === 0 ? NO_ENTRIES : d.env;
  const headers = d.headers === undefined || Object.keys(d.headers).length === 0 ? NO_ENTRIES : d.headers;
  const capabilities = d.capabilities === undefined || d.capabilities.length === 0 ? NO_STRINGS : d.capabilities;
  const metadata = d.metadata === undefined || Object.keys(d.metadata).length === 0 ? NO_ENTRIES : d.metadata;
  const { name, transport, priority, weight, source } = d;
  // A literal holds only as many properties in the object as it names: one key added later goes to
  // a separate property array (40 bytes). So the key nearly every service has, `url` or `command`,
  // is named in the literal, where the loop below would have put it (they come first in its order).
  const out: Record<string, unknown> =
    d.command !== undefined
      ? { name, transport, args, env, headers, capabilities, metadata, priority, weight, source, command: d.command }
      : d.url !== undefined
        ? { name, transport, args, env, headers, capabilities, metadata, priority, weight, source, url: d.url }
        : { name, transport, args, env, headers, capabilities, metadata, priority, weight, source };
  for (const key of ['cwd', 'url', 'timeoutMs', 'maxMessageBytes', 'replicaGroup', 'protocol'] as const) if (d[key] !== undefined && !(key in out)) out[key] = d[key];
  return Object.freeze(out) as unknown as ServiceDescriptor;
}

/** One entry's descriptor; for an entry with `urls` or `replicas`, use toDescriptors. */
export function toDescriptor(entry: ServerEntry, source: string): ServiceDescriptor {
  const { urls: _urls, replicas: _replicas, disabled: _disabled, ...rest } = entry;
  return compactDescriptor({ ...rest, ...(_urls && !rest.url ? { url: _urls[0] } : {}), source });
}

/**
 * Every service an entry stands for: none when disabled, one per URL of `urls` and per process of
 * `replicas` (named `<name>-<n>`, in the replica group `<name>` unless it names its own), else one.
 */
export function toDescriptors(entry: ServerEntry, source: string): ServiceDescriptor[] {
  if (entry.disabled) return [];
  const { urls, replicas, disabled: _disabled, ...rest } = entry;
  const count = urls?.length ?? replicas ?? 0;
  if (count === 0) return [toDescriptor(entry, source)];
  const replicaGroup = rest.replicaGroup ?? rest.name;
  return Array.from({ length: count }, (_, i) => compactDescriptor({ ...rest, name: `${rest.name}-${i + 1}`, replicaGroup, ...(urls ? { url: urls[i]! } : {}), source }));
}

/**
 * The `mcpServers` object MCP clients already use (Claude Desktop, Cursor, VS Code): keys are
 * names, values have command/args/env or url/headers (and optionally `type`).
 */
export const mcpServersSchema = z.record(z.string(), z.record(z.string(), z.unknown()));

export function fromMcpServers(servers: Record<string, Record<string, unknown>>): ServerEntryInput[] {
  return Object.entries(servers).map(([name, value]) => ({ ...(value as object), name }) as ServerEntryInput);
}

/** Two descriptors describe the same upstream the same way (used to ignore no-op updates). */
export function sameDescriptor(a: ServiceDescriptor, b: ServiceDescriptor): boolean {
  // Key order is not meaning: a compact descriptor and one a plugin built by hand may list them differently.
  return canonicalJson({ ...a, source: '' }) === canonicalJson({ ...b, source: '' });
}

function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
}
