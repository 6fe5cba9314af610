// The live dashboard in a real browser (Debian's chromium through playwright-core): services shown
// with their health and replica sets, counts rising as calls flow, an upstream shown unhealthy
// after it dies without a reload, and hostile service names rendered as text. Without a browser it
// also checks the guards (auth, Host), that it is off by default, and that event streams and their
// timer end when the client goes away or the dashboard closes.
import { existsSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createRouter, type Router } from '@switchboard/core';
import { createGateway, serveHttp, type Gateway, type HttpGateway } from '@switchboard/gateway';
import { startHttpFixture, type HttpFixture } from '@switchboard/testing/fixtures';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboard, type Dashboard } from '../packages/gateway/src/ops/dashboard.js';
import { buildDashboardSnapshot, RateTracker } from '../packages/gateway/src/ops/dashboard-snapshot.js';
// The dashboard module is not part of the package's public API; for tsc, a gateway built from the
// same source files as the dashboard (vitest runs source either way).
import { createGateway as createSourceGateway, type Gateway as SourceGateway } from '../packages/gateway/src/gateway.js';
import { HOSTILE_UPSTREAM } from './helpers/hostile.js';
import { corePlugins } from './helpers/plugins.js';
import { waitFor } from './helpers/wait.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** A name an attacker could advertise: rendered as markup, it would run script. */
const HOSTILE = '<img src=x onerror="window.__xss=1">';
const TOKEN = 'dashboard-test-token-0123456789';

let alpha: HttpFixture;
let beta: HttpFixture;
let router: Router;
let gateway: Gateway;
let http: HttpGateway;
let authed: HttpGateway;
let plain: HttpGateway;
let profile: string;
let browser: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  // A missing browser is a broken machine, not a reason to skip: fail with the fix.
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: this test drives a real browser; install what the tests need with  sudo bash scripts/test-deps.sh  (or: sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium)`);
  alpha = await startHttpFixture({ name: 'alpha' });
  beta = await startHttpFixture({ name: 'beta' });
  router = createRouter(
    {
      discovery: [
        {
          type: 'static',
          servers: [
            { name: 'alpha', url: alpha.url, replicaGroup: 'greek' },
            { name: 'beta', url: beta.url, replicaGroup: 'greek' },
            { name: HOSTILE, url: beta.url, replicaGroup: 'greek' },
          ],
        },
      ],
      strategy: { type: 'round-robin' },
      health: { type: 'ping', intervalMs: 200, timeoutMs: 1000, unhealthyThreshold: 2 },
      logLevel: 'silent',
    },
    { plugins: corePlugins() },
  );
  await router.initialize();
  gateway = createGateway({ router });
  await gateway.ready();
  http = await serveHttp(gateway, { port: 0, dashboard: true });
  authed = await serveHttp(gateway, { port: 0, dashboard: true, auth: { bearerTokens: [TOKEN] } });
  plain = await serveHttp(gateway, { port: 0 });
  profile = await mkdtemp(join(tmpdir(), 'switchboard-dashboard-'));
  browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  page = await browser.newPage();
  // A CSP hash that no longer matches the inline script shows up here as a console error.
  page.on('console', (m) => void (m.type() === 'error' && pageErrors.push(m.text())));
  page.on('pageerror', (e) => void pageErrors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
  await Promise.all([http, authed, plain].map((h) => h?.close()));
  await gateway?.close();
  await router?.close();
  await Promise.all([alpha, beta].map((f) => f?.close()));
});

const base = (h: HttpGateway): string => new URL('/', h.url).href.replace(/\/$/, '');
const row = (service: string) => page.locator(`tr[data-service="${service.replace(/["\\]/g, '\\$&')}"]`);
const statusOf = (service: string) => row(service).locator('[data-field=status]').textContent();
const membersOf = (tool: string) => page.locator(`tr[data-tool="${tool}"] [data-field=member]`).allTextContents();
async function totalRequests(): Promise<number> {
  const cells = await page.locator('tr[data-service] [data-field=requests]').allTextContents();
  return cells.reduce((sum, text) => sum + Number(text), 0);
}

describe('dashboard in a browser', () => {
  it('shows every service healthy and each tool’s replica set, rendering hostile names as text', async () => {
    await page.goto(`${base(http)}/dashboard`);
    await waitFor(async () => (await statusOf('alpha')) === 'healthy' && (await statusOf('beta')) === 'healthy', { what: 'both services healthy on the page' });
    expect(await row('alpha').locator('[data-field=source]').textContent()).toMatch(/^static/);
    expect(await row('alpha').locator('[data-field=transport]').textContent()).toBe('http');
    const members = await waitFor(async () => {
      const m = await membersOf('echo');
      return m.includes('alpha') && m.includes('beta') ? m : undefined;
    }, { what: 'echo replica set listing alpha and beta' });
    expect(members).toContain(HOSTILE);
    expect(await row(HOSTILE).locator('[data-field=name]').textContent()).toBe(HOSTILE);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate('typeof window.__xss')).toBe('undefined');
    expect(await page.locator('#conn').textContent()).toBe('live');
    expect(pageErrors).toEqual([]);
  });

  it('counts calls live: the request total and calls/s rise without a reload', async () => {
    await page.evaluate('window.__sameDocument = true');
    const before = await totalRequests();
    const client = new Client({ name: 'dashboard-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(http.url)));
    try {
      for (let i = 0; i < 6; i++) await client.callTool({ name: 'echo', arguments: { text: `hi ${i}` } });
      await waitFor(async () => (await totalRequests()) >= before + 6, { what: 'the request total to rise by 6' });
      await waitFor(async () => Number(await page.locator('#n-rate').textContent()) > 0, { what: 'a non-zero calls/s' });
    } finally {
      await client.close();
    }
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
  });

  it('shows an upstream unhealthy once it dies, without a reload', async () => {
    await page.evaluate('window.__sameDocument = "kill"');
    await alpha.close();
    await waitFor(async () => (await statusOf('alpha')) === 'unhealthy', { what: 'alpha shown unhealthy' });
    expect(await statusOf('beta')).toBe('healthy');
    expect(await page.locator('tr[data-tool="echo"] [data-field=member]', { hasText: /^alpha$/ }).getAttribute('class')).toContain('unhealthy');
    expect(await row('alpha').locator('[data-field=lasterror]').textContent()).not.toBe('');
    expect(await page.evaluate('window.__sameDocument')).toBe('kill');
    expect(pageErrors).toEqual([]);
  });
});

/** Status and headers of a GET with the given headers (node:http, so Host can be forged). */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? '') });
      res.destroy();
    });
    req.on('error', reject);
    req.end();
  });
}

describe('dashboard endpoints', () => {
  it('is off unless enabled, and follows the auth and Host/Origin rules of the other endpoints', async () => {
    expect((await get(`${base(plain)}/dashboard`)).status).toBe(404);
    expect((await get(`${base(plain)}/dashboard/events`)).status).toBe(404);
    expect((await get(`${base(authed)}/dashboard`)).status).toBe(401);
    expect((await get(`${base(authed)}/dashboard/events`)).status).toBe(401);
    expect((await get(`${base(authed)}/dashboard`, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await get(`${base(authed)}/dashboard?token=${TOKEN}`)).status).toBe(401);
    expect(await get(`${base(authed)}/dashboard`, { authorization: `Bearer ${TOKEN}` })).toEqual({ status: 200, type: 'text/html; charset=utf-8' });
    expect(await get(`${base(authed)}/dashboard/events`, { authorization: `Bearer ${TOKEN}` })).toEqual({ status: 200, type: 'text/event-stream; charset=utf-8' });
    expect((await get(`${base(http)}/dashboard`, { host: 'evil.example' })).status).toBe(403);
    expect((await get(`${base(http)}/dashboard/events`, { origin: 'http://evil.example' })).status).toBe(403);
    const res = await fetch(`${base(http)}/dashboard`, { method: 'POST' });
    expect(res.status).toBe(405);
    await res.body?.cancel();
  });

  it('pins the inline script and style with a Content-Security-Policy', async () => {
    const res = await fetch(`${base(http)}/dashboard`);
    const csp = res.headers.get('content-security-policy') ?? '';
    await res.text();
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain('unsafe-inline');
  });
});

describe('dashboard event streams', () => {
  let server: Server;
  let sourceGateway: SourceGateway;
  let dashboard: Dashboard;
  let url: string;

  beforeAll(async () => {
    sourceGateway = createSourceGateway({ router });
    dashboard = createDashboard(sourceGateway, { intervalMs: 100 });
    server = createServer((req, res) => dashboard.handle(req, res, new URL(req.url ?? '/', 'http://x').pathname));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dashboard/events`;
  });

  afterAll(async () => {
    dashboard?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()) ?? resolve());
    await sourceGateway?.close();
  });

  /** Reads SSE frames until `count` data lines arrived; returns them parsed. */
  async function frames(reader: ReadableStreamDefaultReader<Uint8Array>, count: number): Promise<Array<{ services: Array<{ name: string }> }>> {
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const lines = text.split('\n').filter((l) => l.startsWith('data: '));
      if (lines.length >= count) return lines.slice(0, count).map((l) => JSON.parse(l.slice(6)) as { services: Array<{ name: string }> });
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended early');
      text += decoder.decode(value, { stream: true });
    }
  }

  it('sends a snapshot at once and then periodically; the stream and its timer end when the client leaves', async () => {
    const abort = new AbortController();
    const res = await fetch(url, { signal: abort.signal });
    const reader = res.body!.getReader();
    const got = await frames(reader, 3);
    expect(got[0]!.services.map((s) => s.name)).toEqual(['alpha', 'beta', HOSTILE]);
    expect(dashboard.streamCount).toBe(1);
    abort.abort();
    await reader.cancel().catch(() => undefined);
    await waitFor(() => dashboard.streamCount === 0, { what: 'the stream to be dropped' });
  });

  it('holds at most one unsent snapshot for a viewer that stopped reading', async () => {
    // Big snapshots (an upstream with 3,000 tools), one a millisecond: far more than the loopback
    // buffers hold within a second, so without the skip the backlog grows with every frame.
    const tools = Array.from({ length: 3000 }, (_, i) => `tool_number_${i}`);
    const bigRouter = createRouter(
      { discovery: [{ type: 'static', servers: [{ name: 'big', transport: 'stdio', command: process.execPath, args: [HOSTILE_UPSTREAM, 'stdio', '--extra-tools', JSON.stringify(tools)] }] }], strategy: { type: 'round-robin' }, health: false, logLevel: 'silent' },
      { plugins: corePlugins() },
    );
    await bigRouter.initialize();
    const bigGateway = createSourceGateway({ router: bigRouter });
    await bigGateway.ready();
    const fast = createDashboard(bigGateway, { intervalMs: 1 });
    const fastServer = createServer((req, res) => fast.handle(req, res, new URL(req.url ?? '/', 'http://x').pathname));
    await new Promise<void>((resolve) => fastServer.listen(0, '127.0.0.1', resolve));
    const stalled = connect((fastServer.address() as AddressInfo).port, '127.0.0.1');
    try {
      await new Promise<void>((resolve, reject) => stalled.once('connect', resolve).once('error', reject));
      stalled.write('GET /dashboard/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      stalled.pause(); // never reads: the kernel's buffers fill, then the server's
      await waitFor(() => fast.streamCount === 1, { what: 'the stream to open' });
      const frameBytes = Buffer.byteLength(JSON.stringify(buildDashboardSnapshot(bigGateway, new RateTracker(1), performance.now()))) + 64;
      let most = 0;
      for (let i = 0; i < 20; i++) {
        await new Promise((r) => setTimeout(r, 100));
        most = Math.max(most, fast.backlogBytes);
      }
      expect(most).toBeGreaterThan(0); // the buffers did fill: the viewer really stalled
      expect(most).toBeLessThanOrEqual(2 * frameBytes);
    } finally {
      stalled.destroy();
      fast.close();
      fastServer.closeAllConnections();
      await new Promise<void>((resolve) => fastServer.close(() => resolve()));
      await bigGateway.close();
      await bigRouter.close();
    }
  });

  it('ends every open stream when it closes', async () => {
    const res = await fetch(url);
    const reader = res.body!.getReader();
    await frames(reader, 1);
    dashboard.close();
    expect(dashboard.streamCount).toBe(0);
    const end = await waitFor(async () => {
      const r = await reader.read();
      return r.done ? 'ended' : undefined;
    }, { what: 'the stream to end' });
    expect(end).toBe('ended');
    expect((await get(url)).status).toBe(503);
  });
});

describe('RateTracker', () => {
  it('derives calls/s from deltas and ignores windows too short to mean anything', () => {
    const t = new RateTracker(500);
    expect(t.sample(new Map([['a', 10]]), 0).get('a')).toBeUndefined();
    expect(t.sample(new Map([['a', 20]]), 100).get('a')).toBeUndefined();
    expect(t.sample(new Map([['a', 30], ['b', 5]]), 1000)).toEqual(new Map([['a', 20], ['b', 0]]));
    expect(t.sample(new Map([['a', 2]]), 2000).get('a')).toBe(0);
  });
});
