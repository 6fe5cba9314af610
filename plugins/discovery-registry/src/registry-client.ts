// Reads every page of `GET {url}/v0.1/servers`, following `metadata.nextCursor`. A read either
// returns every item or throws one DISCOVERY_ERROR naming the page URL: a half-read catalogue is
// never applied, because its absences would look like removals.
import { deadline, SwitchboardError } from '@switchboard/core';
import { serverListSchema } from './api-schema.js';
import type { RegistryOptions } from './options.js';
import { PLUGIN_NAME } from './plugin-name.js';

/** A cursor loop (a registry handing back the same cursor) must end somewhere. */
const MAX_PAGES = 10_000;
const USER_AGENT = 'switchboard-discovery-registry/0.1.0';

export interface ReadQuery {
  /** RFC 3339; only servers changed since then (deleted ones included, per the API). */
  readonly updatedSince?: string;
}

export type RegistryClientOptions = Pick<RegistryOptions, 'url' | 'search' | 'pageSize' | 'headers' | 'timeoutMs' | 'maxPageBytes'>;

export class RegistryClient {
  readonly endpoint: URL;

  constructor(private readonly options: RegistryClientOptions) {
    // A base URL with a path (a sub-registry behind a prefix) keeps its path.
    this.endpoint = new URL('v0.1/servers', options.url.endsWith('/') ? options.url : `${options.url}/`);
  }

  /** Every list item of every page, unparsed (the caller checks items one by one). */
  async readAll(query: ReadQuery, signal: AbortSignal): Promise<unknown[]> {
    const items: unknown[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const url = this.pageUrl(query, cursor);
      const list = await this.readPage(url, signal);
      items.push(...list.servers);
      const next = list.metadata?.nextCursor ?? undefined;
      if (!next) return items;
      if (seen.has(next)) throw this.failure(url, `the registry returned cursor ${JSON.stringify(next)} twice; stopping to avoid a loop`);
      seen.add(next);
      cursor = next;
    }
    throw this.failure(this.endpoint, `more than ${MAX_PAGES} pages; set search or pageSize to narrow the read`);
  }

  pageUrl(query: ReadQuery, cursor: string | undefined): URL {
    const url = new URL(this.endpoint);
    url.searchParams.set('version', 'latest');
    if (this.options.pageSize !== undefined) url.searchParams.set('limit', String(this.options.pageSize));
    if (this.options.search !== undefined) url.searchParams.set('search', this.options.search);
    if (query.updatedSince !== undefined) url.searchParams.set('updated_since', query.updatedSince);
    if (cursor !== undefined) url.searchParams.set('cursor', cursor);
    return url;
  }

  private async readPage(url: URL, stop: AbortSignal) {
    const limit = deadline(stop, this.options.timeoutMs);
    try {
      return await this.readPageWithin(url, limit.signal);
    } finally {
      limit.dispose();
    }
  }

  private async readPageWithin(url: URL, signal: AbortSignal) {
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { accept: 'application/json', 'user-agent': USER_AGENT, ...this.options.headers },
        signal,
      });
    } catch (error) {
      throw this.failure(url, describeFetchError(error, this.options.timeoutMs), error);
    }
    if (response.status !== 200) {
      // Drain the body so the keep-alive socket is reusable (undici holds it otherwise).
      await response.body?.cancel().catch(() => undefined);
      throw this.failure(url, `the registry answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
    }
    const text = await this.bodyText(url, response);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw this.failure(url, `the registry returned malformed JSON (${(error as Error).message})`, error);
    }
    const parsed = serverListSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
      throw this.failure(url, `the registry returned an unexpected shape: ${issue?.message ?? 'not a server list'}${where} (expected { servers: [...], metadata: { nextCursor } })`);
    }
    return parsed.data;
  }

  /**
   * The page's body, read up to maxPageBytes. A registry is a remote peer: one that answers with an
   * endless or enormous body is cut off there instead of filling memory.
   */
  private async bodyText(url: URL, response: Response): Promise<string> {
    const limit = this.options.maxPageBytes;
    const tooLarge = () => this.failure(url, `the registry answered a page larger than ${limit} bytes (maxPageBytes); set pageSize to ask for smaller pages`);
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (declared > limit) {
      await response.body?.cancel().catch(() => undefined);
      throw tooLarge();
    }
    const reader = response.body?.getReader();
    if (!reader) return '';
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > limit) {
          await reader.cancel().catch(() => undefined);
          throw tooLarge();
        }
        chunks.push(value);
      }
    } catch (error) {
      if (error instanceof SwitchboardError) throw error;
      throw this.failure(url, describeFetchError(error, this.options.timeoutMs), error);
    }
    return Buffer.concat(chunks, size).toString('utf8');
  }

  private failure(url: URL, reason: string, cause?: unknown): SwitchboardError {
    return new SwitchboardError('DISCOVERY_ERROR', `cannot read the MCP registry at ${url.href}: ${reason}`, { plugin: PLUGIN_NAME, cause });
  }
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  if (error instanceof Error && error.name === 'AbortError') return 'the read was cancelled';
  // undici reports network failures as TypeError('fetch failed') with the socket error as cause.
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  switch (cause?.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'the connection was reset';
    default:
      break;
  }
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}
