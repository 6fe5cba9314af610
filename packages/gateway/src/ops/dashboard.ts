// The read-only dashboard: GET /dashboard serves a static page, GET /dashboard/events streams a JSON
// snapshot as Server-Sent Events every second and soon after any registry change. One timer and one
// registry listener serve every open stream, and exist only while a stream is open, so an unwatched
// dashboard costs nothing. serve-http.ts applies the Host/Origin and auth guards before this runs.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DASHBOARD_HTML, DASHBOARD_PAGE_HEADERS } from './dashboard-page.js';
import { buildDashboardSnapshot, RateTracker } from './dashboard-snapshot.js';
import type { Gateway } from '../gateway.js';

export type { DashboardService, DashboardSnapshot, DashboardTool } from './dashboard-snapshot.js';

export interface DashboardOptions {
  /** Snapshot period in ms (default 1000). */
  intervalMs?: number;
  /** Most open event streams (default 64); more get 503, so a reload loop cannot exhaust the server. */
  maxStreams?: number;
}

export interface Dashboard {
  /** Serve a request whose path isDashboardPath accepted. */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): void;
  /** Event streams open now. */
  readonly streamCount: number;
  /** Bytes written to open streams and not yet taken by the OS (for tests of the bound). */
  readonly backlogBytes: number;
  /** End every stream and stop the timer; later requests get 503. */
  close(): void;
}

export const DASHBOARD_PATH = '/dashboard';
export const DASHBOARD_EVENTS_PATH = '/dashboard/events';

export function isDashboardPath(pathname: string): boolean {
  return pathname === DASHBOARD_PATH || pathname === `${DASHBOARD_PATH}/` || pathname === DASHBOARD_EVENTS_PATH;
}

/** A burst of registry events (a discoverer adding ten services) becomes one pushed snapshot. */
const CHANGE_DEBOUNCE_MS = 50;

export function createDashboard(gateway: Gateway, options: DashboardOptions = {}): Dashboard {
  const intervalMs = options.intervalMs ?? 1000;
  const maxStreams = options.maxStreams ?? 64;
  const streams = new Set<ServerResponse>();
  let rates = new RateTracker(Math.min(500, intervalMs / 2));
  const registry = gateway.router.registry;
  let timer: NodeJS.Timeout | undefined;
  let pendingChange: NodeJS.Timeout | undefined;
  let closed = false;

  const frame = (): string => `data: ${JSON.stringify(buildDashboardSnapshot(gateway, rates, performance.now()))}\n\n`;
  const broadcast = (): void => {
    if (streams.size === 0) return;
    const data = frame();
    // Each snapshot is the whole state: a viewer still holding the last one unsent (a stalled tab,
    // a client that stopped reading) skips this one rather than queueing it, so it costs one frame
    // of memory however long it stalls, and gets the current state when it reads again.
    for (const res of streams) if (res.writableLength === 0) res.write(data);
  };
  const onChange = (): void => {
    // The gateway rebuilds its catalogue in a microtask after registry events: wait past it.
    pendingChange ??= setTimeout(() => {
      pendingChange = undefined;
      broadcast();
    }, CHANGE_DEBOUNCE_MS);
  };
  const start = (): void => {
    // A fresh baseline: rates over the time nobody watched would mean nothing.
    rates = new RateTracker(Math.min(500, intervalMs / 2));
    timer = setInterval(broadcast, intervalMs);
    registry.on('changed', onChange);
  };
  const stop = (): void => {
    clearInterval(timer);
    clearTimeout(pendingChange);
    timer = pendingChange = undefined;
    registry.off('changed', onChange);
  };
  const drop = (res: ServerResponse): void => {
    if (!streams.delete(res)) return;
    if (streams.size === 0) stop();
  };

  const openStream = (req: IncomingMessage, res: ServerResponse): void => {
    if (streams.size >= maxStreams) return void res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '5' }).end('too many dashboard streams\n');
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      // Reverse proxies (nginx) buffer responses by default, which would hold events back.
      'x-accel-buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    if (streams.size === 0) start();
    streams.add(res);
    res.on('close', () => drop(res));
    req.on('error', () => drop(res));
    res.write(`retry: 2000\n${frame()}`);
  };

  return {
    handle(req, res, pathname) {
      if (closed) return void res.writeHead(503, { 'content-type': 'text/plain' }).end('shutting down\n');
      if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { allow: 'GET, HEAD' }).end();
      if (pathname === DASHBOARD_EVENTS_PATH) {
        if (req.method === 'HEAD') return void res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' }).end();
        return openStream(req, res);
      }
      res.writeHead(200, DASHBOARD_PAGE_HEADERS);
      res.end(req.method === 'HEAD' ? undefined : DASHBOARD_HTML);
    },
    get streamCount() {
      return streams.size;
    },
    get backlogBytes() {
      let bytes = 0;
      for (const res of streams) bytes += res.writableLength;
      return bytes;
    },
    close() {
      if (closed) return;
      closed = true;
      for (const res of [...streams]) res.end();
      streams.clear();
      stop();
    },
  };
}
