// What a discovered MCP server is: the server-entry shape that config, etcd values and discoverers
// all share, and its normalised form, the ServiceDescriptor the registry and transports read.
import { z } from 'zod';

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

export const serverEntrySchema = z
  .object({
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
  })
  .transform((entry, ctx) => {
    const declared = entry.transport ?? entry.type;
    let transport = declared ? (TRANSPORT_ALIASES[declared] ?? declared) : undefined;
    if (!transport) {
      if (entry.command) transport = 'stdio';
      else if (entry.url) transport = /^wss?:/i.test(entry.url) ? 'websocket' : 'http';
    }
    if (!transport) {
      ctx.addIssue({ code: 'custom', message: 'a server needs `command` (stdio) or `url` (http, sse, websocket)', path: [] });
      return z.NEVER;
    }
    if (transport === 'stdio' && !entry.command) {
      ctx.addIssue({ code: 'custom', message: 'a stdio server needs `command`', path: ['command'] });
      return z.NEVER;
    }
    if (transport !== 'stdio' && !entry.url) {
      ctx.addIssue({ code: 'custom', message: `a ${transport} server needs \`url\``, path: ['url'] });
      return z.NEVER;
    }
    const { type: _type, ...rest } = entry;
    return { ...rest, transport };
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

export function toDescriptor(entry: ServerEntry, source: string): ServiceDescriptor {
  return Object.freeze({ ...entry, source });
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
  return JSON.stringify({ ...a, source: '' }) === JSON.stringify({ ...b, source: '' });
}
