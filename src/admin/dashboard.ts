// The live dashboard: one self-contained HTML page (inline CSS and JS, no CDN, works
// offline). It polls ./api/status every second, keeps five minutes of history in the
// browser and draws it as SVG. Every value from the status is put on the page with
// textContent / setAttribute / createElementNS, never as HTML, so a container name or
// log message cannot inject markup.

/** Options for {@link dashboardHtml}. */
export interface DashboardOptions {
  /** Page title. @default 'Docker Symphony' */
  readonly title?: string;
  /** CSP nonce put on the inline <script> and <style> (the server's CSP requires it). */
  readonly nonce?: string;
}

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The dashboard page. */
export function dashboardHtml(options: DashboardOptions = {}): string {
  const title = escapeHtml(options.title ?? 'Docker Symphony');
  const nonce = options.nonce === undefined ? '' : ` nonce="${escapeHtml(options.nonce)}"`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="dark">
<title>${title}</title>
<style${nonce}>${CSS}</style>
</head>
<body>
<header class="top">
  <div class="brand">
    <div class="logo" aria-hidden="true">&#9835;</div>
    <div>
      <h1 id="svc-name">${title}</h1>
      <div class="meta">
        <span><b>image</b> <code id="svc-image">&#8230;</code></span>
        <span><b>listen</b> <code id="svc-listen">&#8230;</code></span>
        <span><b>admin</b> <code id="svc-admin">&#8230;</code></span>
        <span><b>up</b> <span id="svc-uptime">&#8230;</span></span>
      </div>
    </div>
  </div>
  <span id="conn" class="pill pill-wait">connecting&#8230;</span>
</header>
<main>
  <section class="cards">
    <div class="card"><div class="card-label">Window</div><div class="card-value"><span id="card-window-value">&#8211;</span><span class="unit" id="card-window-unit"></span></div><div class="card-sub" id="card-window-sub"></div></div>
    <div class="card"><div class="card-label">Desired replicas</div><div class="card-value"><span id="card-desired-value">&#8211;</span><span class="unit" id="card-desired-unit"></span></div><div class="card-sub" id="card-desired-sub"></div></div>
    <div class="card"><div class="card-label">Running</div><div class="card-value"><span id="card-running-value">&#8211;</span><span class="unit" id="card-running-unit"></span></div><div class="card-sub" id="card-running-sub"></div></div>
    <div class="card"><div class="card-label">Proxy</div><div class="card-value"><span id="card-proxy-value">&#8211;</span><span class="unit" id="card-proxy-unit"></span></div><div class="card-sub" id="card-proxy-sub"></div></div>
  </section>
  <section class="charts">
    <div class="panel">
      <div class="panel-head"><h2>Traffic and scale thresholds</h2><span class="hint">up to the last 5 minutes</span></div>
      <svg id="chart-traffic" class="chart" role="img" aria-label="Window count and request rate against scale thresholds" viewBox="0 0 640 250" preserveAspectRatio="xMidYMid meet"></svg>
      <div class="legend">
        <span><i class="sw sw-count"></i>requests in window (left axis)</span>
        <span><i class="sw sw-rate"></i>request rate, req/s (right axis)</span>
        <span><i class="sw sw-threshold"></i>scale thresholds (k &#215; base)</span>
      </div>
    </div>
    <div class="panel">
      <div class="panel-head"><h2>Desired vs running replicas</h2><span class="hint">up to the last 5 minutes</span></div>
      <svg id="chart-replicas" class="chart" role="img" aria-label="Desired and running replicas over time" viewBox="0 0 640 250" preserveAspectRatio="xMidYMid meet"></svg>
      <div class="legend">
        <span><i class="sw sw-desired"></i>desired</span>
        <span><i class="sw sw-running"></i>running (starting + ready)</span>
        <span><i class="sw sw-limit"></i>min / max</span>
      </div>
    </div>
  </section>
  <section class="panel">
    <div class="panel-head"><h2>Containers</h2><span class="hint" id="containers-hint"></span></div>
    <div class="table-wrap">
      <table id="containers">
        <thead><tr><th>ID</th><th>Name</th><th>Host port</th><th>State</th><th class="num">In flight</th><th class="num">Served</th><th>Last health check</th><th>Started</th></tr></thead>
        <tbody id="containers-body"><tr><td colspan="8" class="empty">waiting for status&#8230;</td></tr></tbody>
      </table>
    </div>
  </section>
  <section class="panel">
    <div class="panel-head"><h2>Events</h2><span class="hint">newest first</span></div>
    <div class="table-wrap">
      <table id="events">
        <thead><tr><th>Time</th><th>Level</th><th>Event</th><th>Container</th><th>Message</th></tr></thead>
        <tbody id="events-body"><tr><td colspan="5" class="empty">no events yet</td></tr></tbody>
      </table>
    </div>
  </section>
</main>
<footer>Docker Symphony &#183; refreshes every second &#183; <a href="api/status">status JSON</a> &#183; <a href="metrics">metrics</a></footer>
<script${nonce}>${SCRIPT}</script>
</body>
</html>
`;
}

const CSS = String.raw`
:root {
  --bg: #0b0f14; --panel: #121821; --panel2: #18202b; --border: #243040; --text: #e6edf3;
  --muted: #8b98a8; --accent: #58a6ff; --green: #3fb950; --yellow: #d29922; --red: #f85149;
  --purple: #bc8cff; --orange: #f0883e; --teal: #39c5cf;
  --mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace;
}
* { box-sizing: border-box; }
html, body { margin: 0; background: var(--bg); color: var(--text); }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "DejaVu Sans", sans-serif; }
code, .mono { font-family: var(--mono); font-size: 12.5px; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.top { display: flex; align-items: center; justify-content: space-between; gap: 16px; padding: 18px 28px;
  border-bottom: 1px solid var(--border); background: linear-gradient(180deg, #111823, var(--bg)); flex-wrap: wrap; }
.brand { display: flex; align-items: center; gap: 14px; min-width: 0; }
.logo { width: 40px; height: 40px; border-radius: 10px; display: grid; place-items: center; font-size: 22px;
  background: linear-gradient(135deg, #1f6feb, #8957e5); color: white; flex: none; }
h1 { margin: 0; font-size: 20px; font-weight: 650; letter-spacing: .2px; overflow-wrap: anywhere; }
h2 { margin: 0; font-size: 14px; font-weight: 600; color: var(--text); }
.meta { display: flex; flex-wrap: wrap; gap: 4px 18px; color: var(--muted); font-size: 12.5px; margin-top: 3px; }
.meta b { font-weight: 500; color: var(--muted); text-transform: uppercase; font-size: 10.5px; letter-spacing: .6px; margin-right: 4px; }
.meta code { color: var(--text); overflow-wrap: anywhere; }
.pill { font-size: 12px; padding: 4px 11px; border-radius: 999px; border: 1px solid var(--border); white-space: nowrap; }
.pill::before { content: ""; display: inline-block; width: 7px; height: 7px; border-radius: 50%; margin-right: 7px; vertical-align: 1px; background: currentColor; }
.pill-live { color: var(--green); border-color: #23863655; background: #2386361a; }
.pill-wait { color: var(--yellow); }
.pill-bad { color: var(--red); border-color: #f8514955; background: #f851491a; }
main { padding: 20px 28px 8px; display: grid; gap: 18px; max-width: 1500px; margin: 0 auto; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(200px, 100%), 1fr)); gap: 14px; }
.card, .panel { background: var(--panel); border: 1px solid var(--border); border-radius: 12px; }
.card { padding: 14px 16px; }
.card-label { color: var(--muted); font-size: 11px; text-transform: uppercase; letter-spacing: .7px; }
.card-value { font-size: 30px; font-weight: 650; margin-top: 2px; font-variant-numeric: tabular-nums; }
.card-value .unit { font-size: 13px; font-weight: 400; color: var(--muted); margin-left: 7px; }
.card-sub { color: var(--muted); font-size: 12.5px; min-height: 1.4em; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(420px, 100%), 1fr)); gap: 18px; }
.panel { padding: 14px 16px; min-width: 0; }
.panel-head { display: flex; justify-content: space-between; align-items: baseline; gap: 10px; margin-bottom: 10px; }
.hint { color: var(--muted); font-size: 12px; }
.chart { width: 100%; height: auto; display: block; }
.chart .grid { stroke: #1f2937; stroke-width: 1; }
.chart .axis { fill: var(--muted); font-size: 10.5px; font-family: var(--mono); }
.chart .end { text-anchor: end; }
.chart .mid { text-anchor: middle; }
.chart .threshold { stroke: var(--orange); stroke-width: 1; stroke-dasharray: 5 4; opacity: .75; }
.chart .threshold-label { fill: var(--orange); font-size: 10px; font-family: var(--mono); opacity: .9; }
.chart .limit { stroke: var(--muted); stroke-width: 1; stroke-dasharray: 2 4; }
.chart .limit-label { fill: var(--muted); font-size: 10px; font-family: var(--mono); }
.chart .series { fill: none; stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
.chart .s-count { stroke: var(--accent); }
.chart .s-count-area { fill: #58a6ff22; stroke: none; }
.chart .s-rate { stroke: var(--teal); stroke-width: 1.5; }
.chart .s-desired { stroke: var(--purple); stroke-dasharray: 6 3; }
.chart .s-running { stroke: var(--green); }
.chart .s-running-area { fill: #3fb95018; stroke: none; }
.chart .dot-count { fill: var(--accent); } .chart .dot-rate { fill: var(--teal); }
.chart .dot-desired { fill: var(--purple); } .chart .dot-running { fill: var(--green); }
.chart .nodata { fill: var(--muted); font-size: 13px; text-anchor: middle; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 18px; color: var(--muted); font-size: 12px; margin-top: 6px; }
.sw { display: inline-block; width: 14px; height: 3px; border-radius: 2px; margin-right: 6px; vertical-align: 3px; }
.sw-count { background: var(--accent); } .sw-rate { background: var(--teal); }
.sw-threshold { background: repeating-linear-gradient(90deg, var(--orange) 0 4px, transparent 4px 7px); }
.sw-desired { background: repeating-linear-gradient(90deg, var(--purple) 0 5px, transparent 5px 8px); }
.sw-running { background: var(--green); }
.sw-limit { background: repeating-linear-gradient(90deg, var(--muted) 0 2px, transparent 2px 5px); }
.table-wrap { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; font-size: 13px; }
th { text-align: left; color: var(--muted); font-weight: 500; font-size: 11px; text-transform: uppercase; letter-spacing: .6px;
  padding: 7px 10px; border-bottom: 1px solid var(--border); white-space: nowrap; }
td { padding: 8px 10px; border-bottom: 1px solid #1b2430; vertical-align: top; }
tbody tr:last-child td { border-bottom: none; }
tbody tr:hover td { background: var(--panel2); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.empty { color: var(--muted); text-align: center; padding: 18px; }
td.id { font-family: var(--mono); font-size: 12.5px; color: var(--accent); white-space: nowrap; }
td.name { overflow-wrap: anywhere; min-width: 150px; }
td.msg { overflow-wrap: anywhere; }
td.time { font-family: var(--mono); font-size: 12px; color: var(--muted); white-space: nowrap; }
td.event { font-family: var(--mono); font-size: 12px; white-space: nowrap; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 11.5px; font-weight: 600; border: 1px solid transparent; white-space: nowrap; }
.st-ready { color: var(--green); background: #2386361f; border-color: #23863666; }
.st-starting { color: var(--accent); background: #1f6feb1f; border-color: #1f6feb66; }
.st-draining { color: var(--yellow); background: #d299221f; border-color: #d2992266; }
.st-unhealthy { color: var(--red); background: #f851491f; border-color: #f8514966; }
.st-stopping { color: var(--muted); background: #8b98a81a; border-color: #8b98a855; }
.st-unknown { color: var(--muted); border-color: var(--border); }
.tag { font-size: 10.5px; color: var(--purple); border: 1px solid #bc8cff55; border-radius: 4px; padding: 0 5px; margin-left: 6px; }
.lv { font-family: var(--mono); font-size: 11px; font-weight: 600; text-transform: uppercase; }
.lv-debug { color: var(--muted); } .lv-info { color: var(--accent); } .lv-warn { color: var(--yellow); } .lv-error { color: var(--red); }
.health { white-space: nowrap; font-variant-numeric: tabular-nums; }
.health .none { color: var(--muted); font-size: 12px; }
.health .ok { color: var(--green); } .health .bad { color: var(--red); } .health .ago { color: var(--muted); margin-left: 6px; font-size: 12px; }
footer { color: var(--muted); font-size: 12px; text-align: center; padding: 10px 0 22px; }
@media (max-width: 640px) {
  .top, main { padding-left: 12px; padding-right: 12px; }
  .charts { grid-template-columns: 1fr; }
  .card-value { font-size: 24px; }
}
`;

// Plain ES2017 without backticks or "${" so it can sit in this template literal unchanged.
const SCRIPT = String.raw`
(function () {
  'use strict';
  var SVGNS = 'http://www.w3.org/2000/svg';
  var POLL_MS = 1000;
  var SPAN_MS = 5 * 60 * 1000;
  var KNOWN_STATES = ['starting', 'ready', 'draining', 'unhealthy', 'stopping'];
  var LEVELS = ['debug', 'info', 'warn', 'error'];
  var BASE_TITLE = document.title;
  var samples = [];
  var lastRequests = null;
  var lastAt = null;

  // The token was only needed to get the cookie; keep it out of the address bar and history.
  if (/[?&]token=/.test(location.search) && window.history && history.replaceState) {
    history.replaceState(null, '', location.pathname);
  }

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined) e.textContent = String(text);
    return e;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function setText(id, text) { var e = $(id); if (e) e.textContent = text === undefined || text === null ? '' : String(text); }
  function num(v) { return typeof v === 'number' && isFinite(v) ? v : 0; }
  function str(v) { return v === undefined || v === null ? '' : String(v); }
  function shortId(id) { return typeof id === 'string' ? id.slice(0, 12) : ''; }
  function pad(n) { return n < 10 ? '0' + n : String(n); }
  function clock(t) { var d = new Date(t); return isNaN(d.getTime()) ? '' : pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()); }
  function span(ms) {
    if (!(ms >= 0)) return '';
    var s = Math.floor(ms / 1000);
    if (s < 60) return s + 's';
    var m = Math.floor(s / 60);
    if (m < 60) return m + 'm ' + (s % 60) + 's';
    var h = Math.floor(m / 60);
    if (h < 48) return h + 'h ' + (m % 60) + 'm';
    return Math.floor(h / 24) + 'd ' + (h % 24) + 'h';
  }
  function ago(t, now) { var ms = now - t; return ms < 1000 ? 'just now' : span(ms) + ' ago'; }

  function setConn(text, kind) {
    var c = $('conn');
    c.textContent = text;
    c.className = 'pill pill-' + kind;
  }

  function reason(d, r) {
    if (!d) return '';
    if (d.reason === 'Rule') return 'floor(' + num(d.count) + ' / base) + 1 = ' + num(d.proposed);
    if (d.reason === 'TooFewReplicas') return 'raised to min ' + num(r.min) + ' (rule says ' + num(d.proposed) + ')';
    if (d.reason === 'TooManyReplicas') return 'capped at max ' + num(r.max) + ' (rule says ' + num(d.proposed) + ')';
    if (d.reason === 'WindowPending') return 'window still filling; holding';
    return str(d.reason);
  }

  function renderHeader(s, now) {
    var svc = s.service || {};
    setText('svc-name', svc.name);
    setText('svc-image', svc.image);
    setText('svc-listen', svc.listen);
    setText('svc-admin', svc.admin);
    var started = Date.parse(svc.startedAt);
    setText('svc-uptime', isNaN(started) ? '' : span(now - started));
    document.title = str(svc.name) + ' \u00b7 ' + BASE_TITLE;
  }

  function renderCards(s, byState, running) {
    var w = s.window || {};
    setText('card-window-value', num(w.count));
    setText('card-window-unit', 'requests');
    setText('card-window-sub', str(w.mode) + ' window of ' + num(w.seconds) + ' s \u00b7 base ' + num(w.baseScaleCount) + ' per replica');
    setText('card-desired-value', num(s.desired));
    setText('card-desired-unit', 'of ' + num(s.replicas && s.replicas.min) + '\u2013' + num(s.replicas && s.replicas.max));
    setText('card-desired-sub', reason(s.decision, s.replicas || {}));
    setText('card-running-value', running);
    setText('card-running-unit', byState.ready + ' ready');
    var parts = [];
    KNOWN_STATES.forEach(function (st) { if (st !== 'ready' && byState[st]) parts.push(byState[st] + ' ' + st); });
    var b = s.backoff || {};
    if (num(b.failureStreak) > 0) parts.push('start back-off: ' + num(b.failureStreak) + ' failures');
    setText('card-running-sub', parts.length ? parts.join(' \u00b7 ') : 'all ready');
    var p = s.proxy || {};
    setText('card-proxy-value', num(p.inFlight));
    setText('card-proxy-unit', 'in flight');
    setText('card-proxy-sub', num(p.queued) + ' queued \u00b7 ' + num(p.requests) + ' requests total');
  }

  function healthCell(c, now) {
    var td = el('td', 'health');
    var h = c.health && c.health[0];
    if (!h) { td.appendChild(el('span', 'none', 'no probe yet')); return td; }
    var what = h.ok ? '\u2713 ' : '\u2717 ';
    what += h.status !== undefined ? String(h.status) : str(h.error || 'failed');
    what += ' \u00b7 ' + Math.round(num(h.durationMs)) + ' ms';
    td.appendChild(el('span', h.ok ? 'ok' : 'bad', what));
    td.appendChild(el('span', 'ago', ago(num(h.time), now)));
    return td;
  }

  function renderContainers(s, now) {
    var body = $('containers-body');
    clear(body);
    var list = Array.isArray(s.containers) ? s.containers : [];
    setText('containers-hint', list.length + (list.length === 1 ? ' container' : ' containers'));
    if (!list.length) {
      var tr0 = el('tr');
      var td0 = el('td', 'empty', 'No containers yet.');
      td0.colSpan = 8;
      tr0.appendChild(td0);
      body.appendChild(tr0);
      return;
    }
    list.forEach(function (c) {
      var tr = el('tr');
      var id = el('td', 'id', shortId(c.id));
      id.title = str(c.id);
      tr.appendChild(id);
      var name = el('td', 'name', c.name);
      if (c.adopted) name.appendChild(el('span', 'tag', 'adopted'));
      tr.appendChild(name);
      tr.appendChild(el('td', 'mono', c.hostPort === null || c.hostPort === undefined ? '\u2013' : '127.0.0.1:' + num(c.hostPort)));
      var st = el('td');
      var known = KNOWN_STATES.indexOf(c.state) >= 0;
      st.appendChild(el('span', 'badge ' + (known ? 'st-' + c.state : 'st-unknown'), c.state));
      tr.appendChild(st);
      tr.appendChild(el('td', 'num', num(c.inFlight)));
      tr.appendChild(el('td', 'num', num(c.served)));
      tr.appendChild(healthCell(c, now));
      var started = Date.parse(c.startedAt);
      var sc = el('td', 'time', isNaN(started) ? '' : ago(started, now));
      sc.title = str(c.startedAt);
      tr.appendChild(sc);
      body.appendChild(tr);
    });
  }

  function renderEvents(s) {
    var body = $('events-body');
    clear(body);
    var list = Array.isArray(s.events) ? s.events.slice(0, 150) : [];
    if (!list.length) {
      var tr0 = el('tr');
      var td0 = el('td', 'empty', 'No events yet.');
      td0.colSpan = 5;
      tr0.appendChild(td0);
      body.appendChild(tr0);
      return;
    }
    list.forEach(function (e) {
      var tr = el('tr');
      var t = el('td', 'time', clock(e.time));
      t.title = isNaN(new Date(e.time).getTime()) ? '' : new Date(e.time).toISOString();
      tr.appendChild(t);
      var lv = el('td');
      lv.appendChild(el('span', 'lv ' + (LEVELS.indexOf(e.level) >= 0 ? 'lv-' + e.level : 'lv-debug'), e.level));
      tr.appendChild(lv);
      tr.appendChild(el('td', 'event', e.event));
      var ct = el('td', 'id', shortId(e.container));
      ct.title = str(e.container);
      tr.appendChild(ct);
      tr.appendChild(el('td', 'msg', e.message));
      body.appendChild(tr);
    });
  }

  function niceMax(v) {
    if (!(v > 0)) return 1;
    var p = Math.pow(10, Math.floor(Math.log(v) / Math.LN10));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * p >= v - 1e-9) return steps[i] * p;
    return 10 * p;
  }
  function ageLabel(ms) {
    var s = Math.round(ms / 1000);
    if (s < 120) return s + 's';
    var m = s / 60;
    return (Math.abs(m - Math.round(m)) < 0.05 ? String(Math.round(m)) : m.toFixed(1)) + 'm';
  }
  // Until five minutes of history exist, the x axis covers what there is (at least a minute).
  function chartSpan(now) {
    return samples.length ? Math.min(SPAN_MS, Math.max(60 * 1000, now - samples[0].t)) : 60 * 1000;
  }
  function tick(v) { return Math.abs(v - Math.round(v)) < 1e-9 ? String(Math.round(v)) : v.toFixed(1); }

  // One chart: left axis (and optional right axis), dashed reference lines, series over time.
  function drawChart(node, cfg) {
    clear(node);
    var W = 640, H = 250, ml = 42, mr = cfg.right ? 44 : 14, mt = 12, mb = 26;
    var pw = W - ml - mr, ph = H - mt - mb;
    var spanMs = cfg.spanMs;
    var t0 = cfg.now - spanMs;
    function x(t) { return +(ml + Math.max(0, t - t0) / spanMs * pw).toFixed(1); }
    function yOf(max) { return function (v) { return +(mt + ph - Math.min(num(v), max) / max * ph).toFixed(1); }; }
    var yl = yOf(cfg.left.max);
    var yr = cfg.right ? yOf(cfg.right.max) : yl;
    var ticks = cfg.left.ticks || 4;
    for (var i = 0; i <= ticks; i++) {
      var y = yl(cfg.left.max * i / ticks);
      node.appendChild(svg('line', { x1: ml, x2: W - mr, y1: y, y2: y, 'class': 'grid' }));
      node.appendChild(svg('text', { x: ml - 6, y: y + 3.5, 'class': 'axis end' }, tick(cfg.left.max * i / ticks)));
      if (cfg.right) node.appendChild(svg('text', { x: W - mr + 6, y: y + 3.5, 'class': 'axis' }, tick(cfg.right.max * i / ticks)));
    }
    for (var k = 0; k <= 5; k++) {
      node.appendChild(svg('text', { x: ml + pw * k / 5, y: H - 8, 'class': 'axis mid' }, k === 5 ? 'now' : '\u2212' + ageLabel(spanMs * (5 - k) / 5)));
    }
    (cfg.lines || []).forEach(function (ln) {
      if (ln.value > cfg.left.max) return;
      var ly = yl(ln.value);
      node.appendChild(svg('line', { x1: ml, x2: W - mr, y1: ly, y2: ly, 'class': ln.cls }));
      node.appendChild(svg('text', { x: ml + 6, y: ly - 4, 'class': ln.cls + '-label' }, ln.label));
    });
    var drawn = 0;
    cfg.series.forEach(function (s) {
      var yf = s.axis === 'right' ? yr : yl;
      var pts = samples.filter(function (p) { return typeof p[s.key] === 'number' && p.t >= t0; })
        .map(function (p) { return [x(p.t), yf(p[s.key])]; });
      if (!pts.length) return;
      drawn++;
      var d = 'M' + pts[0][0] + ',' + pts[0][1];
      for (var j = 1; j < pts.length; j++) {
        d += s.step ? 'H' + pts[j][0] + 'V' + pts[j][1] : 'L' + pts[j][0] + ',' + pts[j][1];
      }
      var last = pts[pts.length - 1];
      if (s.area) {
        var base = mt + ph;
        node.appendChild(svg('path', { d: d + 'L' + last[0] + ',' + base + 'L' + pts[0][0] + ',' + base + 'Z', 'class': s.cls + '-area' }));
      }
      node.appendChild(svg('path', { d: d, 'class': 'series ' + s.cls }));
      node.appendChild(svg('circle', { cx: last[0], cy: last[1], r: 3, 'class': 'dot-' + s.key }));
    });
    if (!drawn) node.appendChild(svg('text', { x: ml + pw / 2, y: mt + ph / 2, 'class': 'nodata' }, 'waiting for data\u2026'));
  }

  function renderCharts(s, now) {
    var w = s.window || {};
    var r = s.replicas || {};
    var base = num(w.baseScaleCount);
    var max = Math.max(1, num(r.max));
    // desired = floor(count / base) + 1, so count crossing k·base asks for k+1 replicas.
    var lines = [];
    if (base > 0) {
      var top = Math.max(1, max - 1);
      var every = Math.max(1, Math.ceil(top / 8));
      for (var k = 1; k <= top; k += every) lines.push({ value: k * base, label: k + '\u00d7' + base + ' \u2192 ' + Math.min(k + 1, max) + ' replicas', cls: 'threshold' });
    }
    var maxCount = 0, maxRate = 0, maxRep = 0;
    samples.forEach(function (p) {
      maxCount = Math.max(maxCount, p.count);
      if (typeof p.rate === 'number') maxRate = Math.max(maxRate, p.rate);
      maxRep = Math.max(maxRep, p.desired, p.running);
    });
    var topLine = lines.length ? lines[lines.length - 1].value : 0;
    var spanMs = chartSpan(now);
    drawChart($('chart-traffic'), {
      now: now,
      spanMs: spanMs,
      left: { max: niceMax(Math.max(maxCount, topLine * 1.08, 1)) },
      right: { max: niceMax(Math.max(maxRate, 1)) },
      lines: lines,
      series: [
        { key: 'count', cls: 's-count', area: true },
        { key: 'rate', cls: 's-rate', axis: 'right' }
      ]
    });
    var repMax = Math.max(maxRep, max) + 1;
    drawChart($('chart-replicas'), {
      now: now,
      spanMs: spanMs,
      left: { max: repMax, ticks: repMax <= 8 ? repMax : 4 },
      lines: [
        { value: num(r.min), label: 'min ' + num(r.min), cls: 'limit' },
        { value: max, label: 'max ' + max, cls: 'limit' }
      ],
      series: [
        { key: 'running', cls: 's-running', step: true, area: true },
        { key: 'desired', cls: 's-desired', step: true }
      ]
    });
  }

  function update(s) {
    var now = Date.now();
    var byState = { starting: 0, ready: 0, draining: 0, unhealthy: 0, stopping: 0 };
    (Array.isArray(s.containers) ? s.containers : []).forEach(function (c) {
      if (Object.prototype.hasOwnProperty.call(byState, c.state)) byState[c.state]++;
    });
    var running = byState.starting + byState.ready;
    var requests = num(s.proxy && s.proxy.requests);
    var rate = null;
    if (lastRequests !== null && lastAt !== null && now > lastAt && requests >= lastRequests) {
      rate = (requests - lastRequests) / ((now - lastAt) / 1000);
    }
    lastRequests = requests;
    lastAt = now;
    samples.push({ t: now, count: num(s.window && s.window.count), rate: rate, desired: num(s.desired), running: running });
    while (samples.length && samples[0].t < now - SPAN_MS) samples.shift();
    renderHeader(s, now);
    renderCards(s, byState, running);
    renderContainers(s, now);
    renderEvents(s);
    renderCharts(s, now);
  }

  function poll() {
    fetch('api/status', { cache: 'no-store', credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (res) {
        if (res.status === 401) { setConn('unauthorized: open /?token=\u2026', 'bad'); return null; }
        if (!res.ok) throw new Error('HTTP ' + res.status);
        return res.json();
      })
      .then(function (s) {
        if (s) {
          update(s);
          setConn('live', 'live');
        }
      })
      .catch(function () { setConn('disconnected, retrying\u2026', 'bad'); })
      .then(function () { setTimeout(poll, POLL_MS); });
  }
  poll();
})();
`;
