// What each upstream offers besides tools (resources, resource templates, prompts), read over the
// router's shared pool connection. Core keeps tools current; this keeps the rest current, re-reading
// after each (re)connect and on the upstream's list_changed notifications.
import { type Client, type Prompt, type Resource, type ResourceTemplate, type ResourceUpdatedNotification } from '../sdk/mcp.js';
import type { Logger, Router, ServiceEntry } from '@switchboard/core';

export interface ServiceLists {
  resources: Resource[];
  templates: ResourceTemplate[];
  prompts: Prompt[];
}

const EMPTY: ServiceLists = { resources: [], templates: [], prompts: [] };

/** We read when the upstream said its list changed: an earlier cache hint (ttlMs) must not answer. */
const FRESH = { cacheMode: 'refresh' } as const;

export class UpstreamLists {
  private readonly lists = new Map<string, ServiceLists>();
  private readonly watched = new WeakSet<Client>();
  // A newer read for a service supersedes an older one still in flight.
  private readonly generation = new Map<string, number>();
  private closed = false;

  constructor(
    private readonly router: Router,
    private readonly logger: Logger,
    private readonly onChange: () => void,
    /** Resource updates arriving on the shared connection, for sessions subscribed through it. */
    private readonly onResourceUpdated: (service: string, params: ResourceUpdatedNotification['params']) => void,
  ) {}

  get(service: string): ServiceLists {
    return this.lists.get(service) ?? EMPTY;
  }

  forget(service: string): void {
    this.generation.set(service, (this.generation.get(service) ?? 0) + 1);
    if (this.lists.delete(service)) this.onChange();
  }

  /** Re-read a service's lists. Never throws: one bad upstream must not break the aggregate. */
  async refresh(entry: ServiceEntry): Promise<void> {
    const gen = (this.generation.get(entry.name) ?? 0) + 1;
    this.generation.set(entry.name, gen);
    let client: Client;
    try {
      client = await this.router.pool.client(entry.descriptor);
    } catch (error) {
      this.logger.debug('cannot list resources and prompts', { service: entry.name, error });
      return;
    }
    this.watch(entry, client);
    const caps = client.getServerCapabilities() ?? {};
    const [resources, templates, prompts] = await Promise.all([
      caps.resources ? this.readAll(entry.name, 'resources', (cursor) => client.listResources(cursor ? { cursor } : undefined, FRESH).then((p) => [p.resources, p.nextCursor] as const)) : [],
      caps.resources ? this.readAll(entry.name, 'resource templates', (cursor) => client.listResourceTemplates(cursor ? { cursor } : undefined, FRESH).then((p) => [p.resourceTemplates, p.nextCursor] as const)) : [],
      caps.prompts ? this.readAll(entry.name, 'prompts', (cursor) => client.listPrompts(cursor ? { cursor } : undefined, FRESH).then((p) => [p.prompts, p.nextCursor] as const)) : [],
    ]);
    if (this.closed || this.generation.get(entry.name) !== gen || this.router.registry.get(entry.name) !== entry) return;
    this.lists.set(entry.name, { resources, templates, prompts });
    this.onChange();
  }

  close(): void {
    this.closed = true;
  }

  private watch(entry: ServiceEntry, client: Client): void {
    if (this.watched.has(client)) return;
    this.watched.add(client);
    const again = (): void => {
      const current = this.router.registry.get(entry.name);
      if (current && !this.closed) void this.refresh(current);
    };
    client.setNotificationHandler('notifications/resources/list_changed', again);
    client.setNotificationHandler('notifications/prompts/list_changed', again);
    client.setNotificationHandler('notifications/resources/updated', (n) => this.onResourceUpdated(entry.name, n.params));
  }

  private async readAll<T>(service: string, what: string, page: (cursor: string | undefined) => Promise<readonly [T[], string | undefined]>): Promise<T[]> {
    const out: T[] = [];
    try {
      let cursor: string | undefined;
      do {
        const [items, next] = await page(cursor);
        out.push(...items);
        cursor = next;
      } while (cursor && out.length < 100_000);
    } catch (error) {
      this.logger.warn(`listing ${what} failed`, { service, error });
    }
    return out;
  }
}
