// A local MCP Registry on 127.0.0.1 serving test/fixtures/registry-servers.json the way the
// official one serves its database: GET /v0.1/servers with limit/cursor pages, version=latest,
// search, updated_since (which, as in the real API, also returns deleted entries).
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RegistryItem {
  server: { name: string; version: string; description?: string; [key: string]: unknown };
  _meta: { 'io.modelcontextprotocol.registry/official': { status: string; isLatest: boolean; publishedAt: string; updatedAt: string; [key: string]: unknown } };
}

export interface RecordedRequest {
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
}

export interface FakeRegistry {
  /** Base URL, as the plugin's `url` option takes it. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  readonly items: RegistryItem[];
  /** Answer every request with this instead (status, body text) until set back to undefined. */
  override: { status: number; body: string } | undefined;
  /** Behave like a sub-registry that lists deleted entries even when not asked to. */
  returnsDeleted: boolean;
  /** Replace or add a server's latest version, stamped as updated now. */
  publish(server: RegistryItem['server']): void;
  /** Change a server's status, stamped as updated now. */
  setStatus(name: string, status: 'active' | 'deprecated' | 'deleted'): void;
  close(): Promise<void>;
}

const FIXTURE = new URL('./fixtures/registry-servers.json', import.meta.url);
const DEFAULT_LIMIT = 30;

export function fixtureItems(): RegistryItem[] {
  return (JSON.parse(readFileSync(FIXTURE, 'utf8')) as { servers: RegistryItem[] }).servers;
}

export async function startFakeRegistry(options: { port?: number } = {}): Promise<FakeRegistry> {
  const items = fixtureItems();
  const requests: RecordedRequest[] = [];
  const official = (item: RegistryItem) => item._meta['io.modelcontextprotocol.registry/official'];

  const registry: FakeRegistry = {
    url: '',
    requests,
    items,
    override: undefined,
    returnsDeleted: false,
    publish(server) {
      const now = new Date().toISOString();
      for (const item of items) if (item.server.name === server.name) official(item).isLatest = false;
      items.push({ server, _meta: { 'io.modelcontextprotocol.registry/official': { status: 'active', isLatest: true, publishedAt: now, updatedAt: now } } });
    },
    setStatus(name, status) {
      const item = items.find((i) => i.server.name === name && official(i).isLatest);
      if (!item) throw new Error(`no server ${name}`);
      const meta = official(item);
      meta.status = status;
      meta.updatedAt = meta.statusChangedAt = new Date().toISOString();
    },
    close: async () => {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };

  const http = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://registry.test');
    requests.push({ url, headers: req.headers });
    const send = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    };
    if (registry.override) return send(registry.override.status, registry.override.body);
    if (req.method !== 'GET' || url.pathname !== '/v0.1/servers') return send(404, JSON.stringify({ error: 'Not found' }));

    const q = url.searchParams;
    const since = q.get('updated_since');
    const includeDeleted = registry.returnsDeleted || q.get('include_deleted') === 'true' || since !== null;
    const search = q.get('search')?.toLowerCase();
    const limit = Number(q.get('limit') ?? DEFAULT_LIMIT);
    const key = (item: RegistryItem) => `${item.server.name}:${item.server.version}`;
    const matching = items
      .filter((item) => q.get('version') !== 'latest' || official(item).isLatest)
      .filter((item) => includeDeleted || official(item).status !== 'deleted')
      .filter((item) => since === null || Date.parse(official(item).updatedAt) >= Date.parse(since))
      .filter((item) => !search || item.server.name.toLowerCase().includes(search) || (item.server.description ?? '').toLowerCase().includes(search))
      .sort((a, b) => key(a).localeCompare(key(b)));
    const cursor = q.get('cursor');
    const start = cursor === null ? 0 : matching.findIndex((item) => key(item) === cursor) + 1;
    const page = matching.slice(start, start + limit);
    const last = page.at(-1);
    const more = start + limit < matching.length;
    send(200, JSON.stringify({ servers: page, metadata: { count: page.length, ...(more && last && { nextCursor: key(last) }) } }));
  });

  await new Promise<void>((resolve) => http.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return Object.assign(registry, { url: `http://127.0.0.1:${port}` });
}
