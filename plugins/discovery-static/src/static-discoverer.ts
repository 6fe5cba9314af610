// Reports the servers listed in config (and, optionally, an MCP client config file, re-read on
// refresh so edits are picked up without a restart).
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fromMcpServers, serverEntrySchema, toDescriptors, type DiscoverySink, type Discoverer, type Logger, type ServerEntry, type ServiceDescriptor } from '@switchboard/core';
import { formatPath } from '@switchboard/core';

export interface StaticDiscovererOptions {
  servers: readonly ServerEntry[];
  /** Path to a JSON file with an `mcpServers` object (Claude Desktop, Cursor) or `servers` (VS Code). */
  file?: string;
  /** What a relative `file` is relative to: the config file's folder (default: the working directory). */
  baseDir?: string;
}

/** `~` is the home folder (as in the init template and the README); a relative path is relative to `baseDir`. */
export function resolveServersFile(file: string, baseDir: string | undefined): string {
  if (file === '~' || file.startsWith('~/')) return join(homedir(), file.slice(1));
  return isAbsolute(file) ? file : resolve(baseDir ?? process.cwd(), file);
}

export type ServersFileRead = { entries: ServerEntry[]; problems: string[] } | { error: string };

/**
 * Read an MCP client config file: its valid server entries, and one problem per entry (or per
 * missing object) that cannot be used. `error` when the file cannot be read or parsed at all.
 */
export async function readServersFile(path: string): Promise<ServersFileRead> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    return { error: `cannot read servers file ${path}: ${(error as Error).message}` };
  }
  // Claude Desktop and Cursor call it mcpServers; VS Code's mcp.json calls it servers.
  const servers = (parsed as { mcpServers?: unknown }).mcpServers ?? (parsed as { servers?: unknown }).servers;
  if (typeof servers !== 'object' || servers === null) return { entries: [], problems: [`servers file ${path} has no "mcpServers" (or VS Code "servers") object`] };
  const entries: ServerEntry[] = [];
  const problems: string[] = [];
  for (const raw of fromMcpServers(servers as Record<string, Record<string, unknown>>)) {
    const result = serverEntrySchema.safeParse(raw);
    if (result.success) entries.push(result.data);
    else problems.push(`skipping server '${raw.name}' in ${path}: ${result.error.issues.map((i) => `${formatPath(i.path, `mcpServers.${raw.name}`)}: ${i.message}`).join('; ')}`);
  }
  return { entries, problems };
}

export class StaticDiscoverer implements Discoverer {
  private sink: DiscoverySink | undefined;
  private current = new Map<string, ServiceDescriptor>();

  constructor(
    readonly id: string,
    private options: StaticDiscovererOptions,
    private readonly logger: Logger,
  ) {}

  async start(sink: DiscoverySink): Promise<void> {
    this.sink = sink;
    await this.refresh();
  }

  async refresh(): Promise<void> {
    const sink = this.sink;
    if (!sink) return;
    const next = new Map<string, ServiceDescriptor>();
    for (const entry of this.options.servers) for (const d of toDescriptors(entry, this.id)) next.set(d.name, d);
    if (this.options.file) {
      const fromFile = await this.readFile(resolveServersFile(this.options.file, this.options.baseDir), sink);
      // An unreadable file keeps what it listed before, rather than removing every server in it.
      const descriptors = fromFile ? fromFile.flatMap((e) => toDescriptors(e, this.id)) : [...this.current.values()].filter((d) => !next.has(d.name));
      for (const descriptor of descriptors) {
        if (next.has(descriptor.name)) sink.warn(`server '${descriptor.name}' in ${this.options.file} is also listed in config; the config entry wins`);
        else next.set(descriptor.name, descriptor);
      }
    }
    for (const [name, descriptor] of next) {
      const before = this.current.get(name);
      if (!before) sink.emit({ type: 'added', service: descriptor });
      else if (JSON.stringify(before) !== JSON.stringify(descriptor)) sink.emit({ type: 'updated', service: descriptor });
    }
    for (const name of this.current.keys()) if (!next.has(name)) sink.emit({ type: 'removed', name, source: this.id });
    this.current = next;
  }

  private async readFile(path: string, sink: DiscoverySink): Promise<ServerEntry[] | undefined> {
    const read = await readServersFile(path);
    if ('error' in read) {
      sink.warn(`${read.error}; keeping the previous list`);
      return undefined;
    }
    for (const problem of read.problems) sink.warn(problem);
    this.logger.debug('read servers file', { path, count: read.entries.length });
    return read.entries;
  }

  /** New server list (a config reload): the difference is reported as added/updated/removed. */
  async reconfigure(options: unknown): Promise<void> {
    // A reload's options are the plugin's own; the config file's folder stays what it was.
    this.options = { ...(options as StaticDiscovererOptions), ...(this.options.baseDir !== undefined ? { baseDir: this.options.baseDir } : {}) };
    await this.refresh();
  }

  async stop(): Promise<void> {
    this.sink = undefined;
  }
}
