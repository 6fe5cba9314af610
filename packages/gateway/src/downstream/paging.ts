// Pagination of the aggregate lists toward clients. The cursor is opaque to clients: base64url of
// the list kind and the offset of the next page. Offsets over a snapshot that changed between pages
// can skip or repeat an item; the client is told of the change by list_changed and lists afresh.
import { ProtocolErrorCode } from '../sdk/mcp.js';
import { ClientError } from './client-error.js';

export type PagedKind = 'tools' | 'resources' | 'templates' | 'prompts';

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export function paginate<T>(kind: PagedKind, all: readonly T[], cursor: string | undefined, pageSize: number): Page<T> {
  const start = cursor === undefined ? 0 : decode(kind, cursor);
  const end = start + pageSize;
  const items = all.slice(start, end);
  return end < all.length ? { items, nextCursor: encode(kind, end) } : { items };
}

function encode(kind: PagedKind, offset: number): string {
  return Buffer.from(`${kind}:${offset}`, 'utf8').toString('base64url');
}

function decode(kind: PagedKind, cursor: string): number {
  const [k, n] = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  const offset = Number(n);
  if (k !== kind || !Number.isSafeInteger(offset) || offset < 0) throw new ClientError(ProtocolErrorCode.InvalidParams, `Invalid cursor for ${kind}`);
  return offset;
}
