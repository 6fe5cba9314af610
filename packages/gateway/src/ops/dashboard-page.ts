// The dashboard page: one static HTML document with its style and script inline, so it needs no
// build step and no external asset (gateways often run without internet). The script renders every
// value with textContent, never innerHTML, because service names, sources and errors come from the
// network; the Content-Security-Policy pins the inline style and script by hash as a second line.
import { createHash } from 'node:crypto';

const STYLE = `
:root{color-scheme:light dark;--bg:#f6f7f9;--fg:#1b1f24;--muted:#667085;--card:#fff;--line:#e3e6ea;
--ok:#12805c;--ok-bg:#dcf5ea;--bad:#c4320a;--bad-bg:#fde6df;--warn:#a15c00;--warn-bg:#fdf0d5;--unk:#5b6472;--unk-bg:#eceef1}
@media (prefers-color-scheme:dark){:root{--bg:#121417;--fg:#e6e8eb;--muted:#9aa3ae;--card:#1b1e23;--line:#2c3138;
--ok:#5fd3a4;--ok-bg:#17392c;--bad:#ff8d6b;--bad-bg:#43211a;--warn:#f5c46b;--warn-bg:#3d3019;--unk:#b5bcc6;--unk-bg:#2a2e35}}
*{box-sizing:border-box}
body{margin:0;padding:20px 24px;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header{display:flex;flex-wrap:wrap;align-items:baseline;gap:8px 20px;margin-bottom:16px}
h1{font-size:20px;margin:0}h2{font-size:15px;margin:0 0 8px}
.muted{color:var(--muted)}
.stats{display:flex;flex-wrap:wrap;gap:10px;margin-bottom:16px}
.stat{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:8px 14px;min-width:110px}
.stat b{display:block;font-size:20px;font-variant-numeric:tabular-nums}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px 16px;margin-bottom:16px;overflow-x:auto}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);white-space:nowrap}
th{font-size:12px;font-weight:600;color:var(--muted);text-transform:uppercase;letter-spacing:.03em}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.err{white-space:normal;max-width:320px;color:var(--bad);font-size:13px;overflow-wrap:anywhere}
tr:last-child td{border-bottom:0}
.pill{display:inline-block;padding:1px 9px;border-radius:999px;font-size:12px;font-weight:600;margin:1px 4px 1px 0}
.healthy,.closed{color:var(--ok);background:var(--ok-bg)}.unhealthy,.ejected,.open{color:var(--bad);background:var(--bad-bg)}
.half-open{color:var(--warn);background:var(--warn-bg)}.unknown{color:var(--unk);background:var(--unk-bg)}
#conn.live{color:var(--ok)}#conn.down{color:var(--bad)}
`;

const SCRIPT = `
'use strict';
const $ = (id) => document.getElementById(id);
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = String(text);
  return e;
}
function cell(row, text, cls, field) {
  const td = el('td', cls, text);
  if (field) td.dataset.field = field;
  row.appendChild(td);
  return td;
}
function pill(parent, text, state, field) {
  const p = el('span', 'pill ' + (['healthy', 'unhealthy', 'unknown', 'ejected', 'closed', 'open', 'half-open'].includes(state) ? state : 'unknown'), text);
  if (field) p.dataset.field = field;
  parent.appendChild(p);
  return p;
}
const ms = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)) + ' ms';
const pct = (v) => (v * 100).toFixed(v > 0 && v < 0.1 ? 1 : 0) + '%';
function render(s) {
  const byName = new Map(s.services.map((x) => [x.name, x]));
  const healthy = s.services.filter((x) => x.status === 'healthy').length;
  $('n-services').textContent = String(s.services.length);
  $('n-healthy').textContent = healthy + ' / ' + s.services.length;
  $('n-rate').textContent = s.services.reduce((a, x) => a + x.callsPerSecond, 0).toFixed(1);
  $('n-sessions').textContent = String(s.sessions);
  $('n-modern').textContent = String(s.modernRequestsInFlight);
  $('n-failovers').textContent = String(s.totalFailovers);
  $('updated').textContent = 'updated ' + new Date(s.at).toLocaleTimeString();
  const rows = s.services.map((x) => {
    const tr = el('tr');
    tr.dataset.service = x.name;
    cell(tr, x.name, '', 'name');
    cell(tr, x.source, 'muted', 'source');
    cell(tr, x.transport, 'muted', 'transport');
    pill(cell(tr, undefined, '', ''), x.status, x.status, 'status');
    pill(cell(tr, undefined, '', ''), x.breaker, x.breaker, 'breaker');
    cell(tr, x.inFlight, 'num', 'inflight');
    cell(tr, x.totalRequests, 'num', 'requests');
    cell(tr, x.callsPerSecond.toFixed(1), 'num', 'rate');
    cell(tr, x.totalRequests ? ms(x.p50Ms) : '–', 'num', 'p50');
    cell(tr, x.totalRequests ? ms(x.p99Ms) : '–', 'num', 'p99');
    cell(tr, x.totalRequests ? pct(x.errorRate) : '–', 'num', 'errors');
    cell(tr, x.lastError || '', 'err', 'lasterror');
    return tr;
  });
  if (rows.length === 0) rows.push(emptyRow(12, 'No services discovered yet.'));
  $('services').replaceChildren(...rows);
  const tools = s.tools.map((t) => {
    const tr = el('tr');
    tr.dataset.tool = t.name;
    cell(tr, t.name, '', 'name');
    cell(tr, t.members.length, 'num', 'count');
    const td = cell(tr, undefined, '', 'members');
    for (const m of t.members) {
      const svc = byName.get(m);
      const state = !svc ? 'unknown' : svc.breaker === 'open' ? 'open' : svc.status;
      pill(td, m, state, 'member');
    }
    return tr;
  });
  if (tools.length === 0) tools.push(emptyRow(3, 'No tools yet.'));
  $('tools').replaceChildren(...tools);
  const changes = (s.definitionChanges || []).map((c) => {
    const tr = el('tr');
    tr.dataset.change = c.key;
    cell(tr, c.key, '', 'key');
    pill(cell(tr, undefined, '', ''), c.action === 'block' ? 'blocked' : c.action, c.action === 'block' ? 'open' : 'half-open', 'action');
    cell(tr, new Date(c.seenAt).toLocaleString(), 'muted', 'seen');
    return tr;
  });
  if (changes.length === 0) changes.push(emptyRow(3, 'No tool definition changes awaiting approval.'));
  $('changes').replaceChildren(...changes);
}
function emptyRow(span, text) {
  const tr = el('tr');
  const td = cell(tr, text, 'muted');
  td.colSpan = span;
  return tr;
}
// The stream sits next to the page: /dashboard → /dashboard/events, also behind a path prefix.
const source = new EventSource(location.pathname.replace(/\\/?$/, '/events'));
source.onopen = () => { $('conn').textContent = 'live'; $('conn').className = 'live'; };
source.onerror = () => { $('conn').textContent = 'disconnected, retrying…'; $('conn').className = 'down'; };
source.onmessage = (ev) => render(JSON.parse(ev.data));
`;

const BODY = `<header><h1>Switchboard gateway</h1><span id="conn" class="muted">connecting…</span><span id="updated" class="muted"></span></header>
<div class="stats">
<div class="stat"><span class="muted">services</span><b id="n-services">–</b></div>
<div class="stat"><span class="muted">healthy</span><b id="n-healthy">–</b></div>
<div class="stat"><span class="muted">calls/s</span><b id="n-rate">–</b></div>
<div class="stat"><span class="muted">sessions (2025)</span><b id="n-sessions">–</b></div>
<div class="stat"><span class="muted">2026-07-28 requests</span><b id="n-modern">–</b></div>
<div class="stat"><span class="muted">failovers</span><b id="n-failovers">–</b></div>
</div>
<section><h2>Services</h2><table><thead><tr><th>service</th><th>source</th><th>transport</th><th>health</th><th>breaker</th>
<th class="num">in-flight</th><th class="num">requests</th><th class="num">calls/s</th><th class="num">p50</th><th class="num">p99</th>
<th class="num">errors</th><th>last error</th></tr></thead><tbody id="services"></tbody></table></section>
<section><h2>Tools and replica sets</h2><table><thead><tr><th>tool</th><th class="num">replicas</th><th>served by</th></tr></thead>
<tbody id="tools"></tbody></table></section>
<section><h2>Tool definition changes awaiting approval</h2><table><thead><tr><th>upstream/tool</th><th>meanwhile</th><th>first seen</th></tr></thead>
<tbody id="changes"></tbody></table></section>`;

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Switchboard gateway</title><style>${STYLE}</style></head>
<body>${BODY}<script>${SCRIPT}</script></body></html>
`;

const hash = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Headers for the page: nothing but this style, this script and same-origin EventSource may run. */
export const DASHBOARD_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy': [
    "default-src 'none'",
    `style-src ${hash(STYLE)}`,
    `script-src ${hash(SCRIPT)}`,
    "connect-src 'self'",
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
};
