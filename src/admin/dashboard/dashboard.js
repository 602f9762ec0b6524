// @ts-check
// The live dashboard. Every second it reads ./api/status (now) and ./api/history (the
// last five minutes, sampled by the server, so a page opened late still shows what came
// before) and draws them as SVG. Every value is put on the page with textContent,
// setAttribute or createElementNS, never parsed as HTML, so a container name or a log
// message cannot inject markup. Types come from the server's own TypeScript (tsc checks
// this file: src/admin/dashboard/tsconfig.json). Over ~350 lines because the page, its
// two charts and their layout are one unit; the pure parts are at the top.

/** @typedef {import('../../status.js').SymphonyStatus} SymphonyStatus */
/** @typedef {import('../../status.js').ContainerStatus} ContainerStatus */
/** @typedef {import('../../status.js').ContainerState} ContainerState */
/** @typedef {import('../../log.js').LogRecord} LogRecord */
/** @typedef {import('../history.js').HistorySnapshot} HistorySnapshot */
/** @typedef {import('../history.js').HistorySample} HistorySample */
/** @typedef {import('../history.js').HistoryMark} HistoryMark */
/** @typedef {'count' | 'rate' | 'desired' | 'running' | 'ready'} SeriesKey */
/** @typedef {{ max: number, step: number }} Scale */
/** @typedef {{ value: number, label: string, cls: string }} RefLine */
/** @typedef {{ key: SeriesKey, cls: string, step?: boolean, area?: boolean, right?: boolean }} Series */
/** @typedef {{ t0: number, t1: number, left: Scale, right?: Scale, lines: RefLine[], series: Series[], samples: readonly HistorySample[], marks: readonly HistoryMark[] }} ChartSpec */
/** @typedef {{ x0: number, y0: number, x1: number, y1: number }} Box */
/** @typedef {[number, number]} Point */

const SVGNS = 'http://www.w3.org/2000/svg';
const POLL_MS = 1000;
/** @type {readonly ContainerState[]} */
const STATES = ['starting', 'ready', 'draining', 'unhealthy', 'stopping'];
const LEVELS = ['debug', 'info', 'warn', 'error'];
const MARK_NAMES = { crash: 'crash', replacement: 'replacement', 'scale-up': 'scale up', 'scale-down': 'scale down', deploy: 'deploy', rollback: 'rollback' };
// Chart geometry (viewBox units) and the width of one character of the 10px mono font.
const W = 640, H = 250, MT = 14, MB = 26, ML = 42, CHAR_W = 6.1, LABEL_H = 12;

/** "1 request", "2 requests". @param {number} n @param {string} one @param {string} [many] */
function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

/** "2m 5s" for a duration. @param {number} ms */
function span(ms) {
  if (!(ms >= 0)) return '';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h ${m % 60}m` : `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** @param {number} t @param {number} now */
function ago(t, now) {
  return now - t < 1000 ? 'just now' : `${span(now - t)} ago`;
}

/** HH:MM:SS in the browser's time zone. @param {number} t */
function clockTime(t) {
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? '' : d.toTimeString().slice(0, 8);
}

/**
 * An axis from 0 with `ticks` steps of a round size that reaches `v`. Integer axes
 * (replicas, request counts) only get whole steps.
 * @param {number} v @param {number} ticks @param {boolean} integer @returns {Scale}
 */
function alignedScale(v, ticks, integer) {
  const raw = Math.max(v, integer ? 1 : 1e-6) / ticks;
  const p = 10 ** Math.floor(Math.log10(raw));
  const steps = integer ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10];
  let step = (steps.find((m) => m * p >= raw - 1e-9) ?? 10) * p;
  if (integer) step = Math.max(1, Math.round(step));
  return { max: step * ticks, step };
}

/**
 * The axis (3 to `most` ticks of a round step) whose top is nearest above `v`; of equal
 * tops, the one with more ticks. @param {number} v @param {number} most @param {boolean} integer
 */
function ticksFor(v, most, integer) {
  let best = alignedScale(v, most, integer);
  let ticks = most;
  for (let n = most - 1; n >= 3; n--) {
    const s = alignedScale(v, n, integer);
    if (s.max < best.max) { best = s; ticks = n; }
  }
  return { scale: best, ticks };
}

/** A tick label: no trailing zeros, no float noise. @param {number} v */
function tickText(v) {
  return String(Number(v.toFixed(3)));
}

/** Whether the segment a→b crosses the box (Liang–Barsky clipping). @param {Point} a @param {Point} b @param {Box} box */
function segmentHitsBox([ax, ay], [bx, by], box) {
  const dx = bx - ax, dy = by - ay;
  let lo = 0, hi = 1;
  /** @type {Point[]} */
  const edges = [[-dx, ax - box.x0], [dx, box.x1 - ax], [-dy, ay - box.y0], [dy, box.y1 - ay]];
  for (const [p, q] of edges) {
    if (p === 0) { if (q < 0) return false; continue; }
    const r = q / p;
    if (p < 0) lo = Math.max(lo, r); else hi = Math.min(hi, r);
    if (lo > hi) return false;
  }
  return true;
}

/**
 * Where a reference line's label goes: the first spot (left, right, middle; above the
 * line, then below) that no series line crosses, so the label never sits on the data.
 * @param {string} text @param {number} ly @param {number} left @param {number} right @param {Point[][]} polylines
 * @returns {{ x: number, y: number, anchor: 'start' | 'end' | 'middle' }}
 */
function placeLabel(text, ly, left, right, polylines) {
  const w = text.length * CHAR_W;
  const xs = /** @type {const} */ ([[left + 6, 'start'], [right - 6, 'end'], [(left + right) / 2, 'middle']]);
  const ys = [ly - 4, ly + LABEL_H + 1];
  for (const y of ys) {
    if (y - LABEL_H + 2 < MT || y > H - MB) continue;
    for (const [x, anchor] of xs) {
      const x0 = anchor === 'start' ? x : anchor === 'end' ? x - w : x - w / 2;
      const box = { x0: x0 - 2, x1: x0 + w + 2, y0: y - LABEL_H + 2, y1: y + 2 };
      const hit = polylines.some((pts) => pts.some((p, i) => { const q = pts[i + 1] ?? p; return segmentHitsBox(p, q, box); }));
      if (!hit) return { x, y, anchor };
    }
  }
  return { x: left + 6, y: ly - 4, anchor: 'start' };
}

// ---- DOM helpers ----

/** The element with this id; the page always has it. @param {string} id @returns {HTMLElement} */
function $(id) {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page has no #${id}`);
  return e;
}

/** @param {string} tag @param {string} [cls] @param {unknown} [text] */
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

/** @param {string} tag @param {Record<string, string | number>} attrs @param {string} [text] */
function svg(tag, attrs, text) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** @param {string} id @param {unknown} text */
function setText(id, text) {
  $(id).textContent = text === undefined || text === null ? '' : String(text);
}

/** @param {Element} body @param {number} cols @param {string} text */
function emptyRow(body, cols, text) {
  const td = /** @type {HTMLTableCellElement} */ (el('td', 'empty', text));
  td.colSpan = cols;
  const tr = el('tr');
  tr.appendChild(td);
  body.replaceChildren(tr);
}

// ---- the parts of the page ----

/** @param {SymphonyStatus['decision']} d @param {SymphonyStatus['replicas']} r */
function reasonText(d, r) {
  switch (d.reason) {
    case 'Rule': return `floor(${d.count} / base) + 1 = ${d.proposed}`;
    case 'TooFewReplicas': return `raised to min ${r.min} (rule says ${d.proposed})`;
    case 'TooManyReplicas': return `capped at max ${r.max} (rule says ${d.proposed})`;
    case 'WindowPending': return 'window still filling; holding';
    case 'ScaleDownStabilized': return `held at the highest of the scale-down delay (rule says ${d.proposed})`;
    case 'AdoptedWarmup': return `keeping the adopted containers for one window (rule says ${d.proposed})`;
    default: return String(d.reason);
  }
}

/** @param {SymphonyStatus} s @param {number} now */
function renderHeader(s, now) {
  setText('svc-name', s.service.name);
  setText('svc-image', s.service.image);
  setText('svc-listen', s.service.listen);
  setText('svc-admin', s.service.admin);
  const started = Date.parse(s.service.startedAt);
  setText('svc-uptime', Number.isNaN(started) ? '' : span(now - started));
  document.title = `${s.service.name} · Docker Symphony`;
}

/** @param {SymphonyStatus} s @param {Record<ContainerState, number>} byState */
function renderCards(s, byState) {
  const w = s.window;
  setText('card-window-value', w.count);
  setText('card-window-unit', w.count === 1 ? 'request' : 'requests');
  setText('card-window-sub', `${w.mode} window of ${w.seconds} s · base ${w.baseScaleCount} per replica`);
  setText('card-desired-value', s.desired);
  setText('card-desired-unit', `of ${s.replicas.min}–${s.replicas.max}`);
  setText('card-desired-sub', reasonText(s.decision, s.replicas));
  setText('card-running-value', byState.starting + byState.ready);
  setText('card-running-unit', `${byState.ready} ready`);
  const parts = STATES.filter((st) => st !== 'ready' && byState[st] > 0).map((st) => `${byState[st]} ${st}`);
  if (s.backoff.failureStreak > 0) parts.push(`start back-off: ${plural(s.backoff.failureStreak, 'failure')}`);
  if (s.health.panic) parts.unshift(`health panic${s.health.since ? ` since ${clockTime(Date.parse(s.health.since))}` : ''}: every probe timed out, so none is taken out`);
  if (s.engine.state === 'unavailable') parts.unshift(`Docker engine unavailable${s.engine.since ? ` since ${clockTime(Date.parse(s.engine.since))}` : ''}`);
  setText('card-running-sub', parts.length ? parts.join(' · ') : 'all ready');
  setText('card-proxy-value', s.proxy.inFlight);
  setText('card-proxy-unit', 'in flight');
  setText('card-proxy-sub', `${s.proxy.queued} queued · ${plural(s.proxy.requests, 'request')} in total`);
}

/** @param {ContainerStatus} c @param {number} now */
function healthCell(c, now) {
  const td = el('td', 'health');
  const h = c.health[0];
  if (!h) {
    td.appendChild(el('span', 'none', 'no probe yet'));
    return td;
  }
  const what = `${h.ok ? '✓' : '✗'} ${h.status ?? h.error ?? 'failed'} · ${Math.round(h.durationMs)} ms`;
  td.appendChild(el('span', h.ok ? 'ok' : 'bad', what));
  td.appendChild(el('span', 'ago', ago(h.time, now)));
  return td;
}

/**
 * A deploy running or rolling back, said after the container count (nothing otherwise).
 * @param {SymphonyStatus['deploy']} d
 */
function deployText(d) {
  if (!d || (d.state !== 'running' && d.state !== 'rolling-back')) return '';
  const what = `${d.from.image} (${d.from.spec.slice(0, 7)}) → ${d.to.image} (${d.to.spec.slice(0, 7)})`;
  return d.state === 'running'
    ? ` · deploy ${d.id} running: ${d.progress.done} of ${d.progress.total} replaced, ${what}`
    : ` · deploy ${d.id} rolling back: ${d.reason ?? ''}`;
}

/** @param {SymphonyStatus} s @param {number} now */
function renderContainers(s, now) {
  const body = $('containers-body');
  setText('containers-hint', plural(s.containers.length, 'container') + deployText(s.deploy));
  if (!s.containers.length) return emptyRow(body, 8, 'No containers yet.');
  body.replaceChildren(...s.containers.map((c) => {
    const tr = el('tr');
    const id = el('td', 'id', c.id.slice(0, 12));
    id.title = c.id;
    const name = el('td', 'name', c.name);
    if (c.adopted) name.appendChild(el('span', 'tag', 'adopted'));
    // The version: its image and spec hash (what a deploy changes).
    if (c.image !== undefined) {
      const version = el('span', 'tag', `${c.image} · ${c.spec.slice(0, 7)}`);
      version.title = `made from spec ${c.spec}`;
      name.appendChild(version);
    }
    const state = el('td');
    state.appendChild(el('span', `badge ${STATES.includes(c.state) ? `st-${c.state}` : 'st-unknown'}`, c.state));
    const started = Date.parse(c.startedAt);
    const since = el('td', 'time', Number.isNaN(started) ? '' : ago(started, now));
    since.title = c.startedAt;
    // On a swarm the address is its node's, and the node is named under it.
    const where = el('td', 'mono', c.hostPort === null ? '–' : `${c.host ?? '127.0.0.1'}:${c.hostPort}`);
    if (c.node) where.appendChild(el('span', 'tag', c.node));
    tr.append(id, name, where, state,
      el('td', 'num', c.inFlight), el('td', 'num', c.served), healthCell(c, now), since);
    return tr;
  }));
}

/** @param {readonly LogRecord[]} events */
function renderEvents(events) {
  const body = $('events-body');
  if (!events.length) return emptyRow(body, 5, 'No events yet.');
  body.replaceChildren(...events.slice(0, 150).map((e) => {
    const tr = el('tr');
    const time = el('td', 'time', clockTime(e.time));
    time.title = new Date(e.time).toISOString();
    const level = el('td');
    level.appendChild(el('span', `lv ${LEVELS.includes(e.level) ? `lv-${e.level}` : 'lv-debug'}`, e.level));
    const container = el('td', 'id', (e.container ?? '').slice(0, 12));
    container.title = e.container ?? '';
    tr.append(time, level, el('td', 'event', e.event), container, el('td', 'msg', e.message));
    return tr;
  }));
}

/**
 * One chart: left axis (and an optional right one on the same grid), reference lines
 * with labels placed off the data, series over time, and a vertical line per mark.
 * @param {Element} node @param {ChartSpec} c
 */
function drawChart(node, c) {
  const mr = c.right ? 44 : 14;
  const pw = W - ML - mr, ph = H - MT - MB, bottom = MT + ph;
  const spanMs = Math.max(1, c.t1 - c.t0);
  /** @param {number} t */
  const x = (t) => +(ML + ((t - c.t0) / spanMs) * pw).toFixed(1);
  /** @param {Scale} s @returns {(v: number) => number} */
  const yOf = (s) => (v) => +(bottom - (Math.min(Math.max(v, 0), s.max) / s.max) * ph).toFixed(1);
  const yl = yOf(c.left);
  const parts = [];
  const ticks = Math.round(c.left.max / c.left.step);
  for (let i = 0; i <= ticks; i++) {
    const y = yl(c.left.step * i);
    parts.push(svg('line', { x1: ML, x2: W - mr, y1: y, y2: y, class: 'grid' }));
    parts.push(svg('text', { x: ML - 6, y: y + 3.5, class: 'axis end tick-left' }, tickText(c.left.step * i)));
    if (c.right) parts.push(svg('text', { x: W - mr + 6, y: y + 3.5, class: 'axis tick-right' }, tickText(c.right.step * i)));
  }
  for (let k = 0; k <= 5; k++) {
    const label = k === 5 ? 'now' : `−${span((spanMs * (5 - k)) / 5).replace(/ 0s$/, '')}`;
    parts.push(svg('text', { x: ML + (pw * k) / 5, y: H - 8, class: 'axis mid' }, label));
  }
  /** @type {Point[][]} */
  const polylines = [];
  const drawn = c.series.map((s) => {
    const y = s.right && c.right ? yOf(c.right) : yl;
    /** @type {Point[]} */
    const pts = [];
    for (const p of c.samples) {
      const v = p[s.key];
      if (typeof v !== 'number' || p.t < c.t0) continue;
      const px = x(p.t), py = y(v);
      const last = pts[pts.length - 1];
      if (s.step && last) pts.push([px, last[1]]);
      pts.push([px, py]);
    }
    polylines.push(pts);
    return { s, pts };
  });
  for (const { s, pts } of drawn) {
    const first = pts[0], last = pts[pts.length - 1];
    if (!first || !last) continue;
    const d = `M${pts.map((p) => p.join(',')).join('L')}`;
    if (s.area) parts.push(svg('path', { d: `${d}L${last[0]},${bottom}L${first[0]},${bottom}Z`, class: `${s.cls}-area` }));
    parts.push(svg('path', { d, class: `series ${s.cls}` }));
    parts.push(svg('circle', { cx: last[0], cy: last[1], r: 3, class: `dot-${s.key}` }));
  }
  for (const ln of c.lines) {
    if (ln.value > c.left.max) continue;
    const ly = yl(ln.value);
    parts.push(svg('line', { x1: ML, x2: W - mr, y1: ly, y2: ly, class: ln.cls }));
    const at = placeLabel(ln.label, ly, ML, W - mr, polylines);
    parts.push(svg('text', { x: at.x, y: at.y, 'text-anchor': at.anchor, class: `${ln.cls}-label` }, ln.label));
  }
  // Marks come oldest first; glyphs of marks closer than a glyph's width stack downwards.
  let prevX = -Infinity, stack = 0;
  for (const m of c.marks) {
    if (m.t < c.t0 || m.t > c.t1) continue;
    const mx = x(m.t);
    stack = mx - prevX < 10 ? stack + 1 : 0;
    prevX = mx;
    const g = svg('g', { class: `mark mark-${m.kind}` });
    g.append(svg('title', {}, `${clockTime(m.t)} ${MARK_NAMES[m.kind]}: ${m.message}`),
      svg('line', { x1: mx, x2: mx, y1: MT, y2: bottom }),
      svg('path', { d: glyph(m.kind, mx, MT + stack * 11) }));
    parts.push(g);
  }
  if (!drawn.some((d) => d.pts.length)) parts.push(svg('text', { x: ML + pw / 2, y: MT + ph / 2, class: 'nodata' }, 'waiting for data…'));
  node.replaceChildren(...parts);
}

/** A small shape at the top of a mark line. @param {HistoryMark['kind']} kind @param {number} x @param {number} y */
function glyph(kind, x, y) {
  switch (kind) {
    case 'crash': return `M${x - 4},${y - 4}L${x + 4},${y + 4}M${x + 4},${y - 4}L${x - 4},${y + 4}`;
    case 'replacement': return `M${x - 4},${y}a4,4 0 1,0 8,0a4,4 0 1,0 -8,0`;
    case 'scale-up': return `M${x - 5},${y + 4}L${x},${y - 5}L${x + 5},${y + 4}Z`;
    case 'deploy': return `M${x},${y - 5}L${x + 5},${y}L${x},${y + 5}L${x - 5},${y}Z`;
    case 'rollback': return `M${x - 4},${y - 4}h8v8h-8Z`;
    default: return `M${x - 5},${y - 4}L${x},${y + 5}L${x + 5},${y - 4}Z`;
  }
}

/** @param {SymphonyStatus} s @param {HistorySnapshot} h */
function renderCharts(s, h) {
  const samples = h.samples;
  const t1 = samples[samples.length - 1]?.t ?? Date.now();
  // Until five minutes exist the x axis covers what there is, but at least a minute.
  const t0 = t1 - Math.min(h.spanMs, Math.max(60_000, t1 - (samples[0]?.t ?? t1)));
  const hint = `last ${span(t1 - t0).replace(/ 0s$/, '')}`;
  setText('traffic-hint', hint);
  setText('replicas-hint', hint);
  const { baseScaleCount: base } = s.window;
  const { min, max } = s.replicas;
  // desired = floor(count / base) + 1: count crossing k·base asks for k+1 replicas.
  /** @type {RefLine[]} */
  const thresholds = [];
  const top = Math.max(1, max - 1);
  const every = Math.max(1, Math.ceil(top / 8));
  for (let k = 1; base > 0 && k <= top; k += every) {
    thresholds.push({ value: k * base, label: `${k}×${base} → ${plural(Math.min(k + 1, max), 'replica')}`, cls: 'threshold' });
  }
  const counts = samples.map((p) => p.count);
  const rates = samples.map((p) => p.rate ?? 0);
  const lastThreshold = thresholds[thresholds.length - 1]?.value ?? 0;
  const traffic = ticksFor(Math.max(...counts, lastThreshold * 1.08, 1), 5, true);
  drawChart($('chart-traffic'), {
    t0, t1, samples, marks: h.marks, lines: thresholds,
    left: traffic.scale,
    right: alignedScale(Math.max(...rates, 1), traffic.ticks, false),
    series: [{ key: 'count', cls: 's-count', area: true }, { key: 'rate', cls: 's-rate', right: true }],
  });
  const reps = samples.flatMap((p) => [p.desired, p.running]);
  drawChart($('chart-replicas'), {
    t0, t1, samples, marks: h.marks,
    left: ticksFor(Math.max(...reps, max) + 0.5, 8, true).scale,
    lines: [{ value: min, label: `min ${min}`, cls: 'limit' }, { value: max, label: `max ${max}`, cls: 'limit' }],
    series: [
      { key: 'running', cls: 's-running', step: true, area: true },
      { key: 'ready', cls: 's-ready', step: true },
      { key: 'desired', cls: 's-desired', step: true },
    ],
  });
}

/** @param {SymphonyStatus} s @param {HistorySnapshot} h */
function render(s, h) {
  const now = Date.now();
  /** @type {Record<ContainerState, number>} */
  const byState = { starting: 0, ready: 0, draining: 0, unhealthy: 0, stopping: 0 };
  for (const c of s.containers) if (c.state in byState) byState[c.state]++;
  renderHeader(s, now);
  renderCards(s, byState);
  renderContainers(s, now);
  renderEvents(s.events);
  renderCharts(s, h);
}

/** @param {string} text @param {'live' | 'wait' | 'bad'} kind */
function setConn(text, kind) {
  const c = $('conn');
  c.textContent = text;
  c.className = `pill pill-${kind}`;
}

/** GETs a JSON route relative to the page (so it works behind a path prefix). @param {string} path */
async function getJson(path) {
  const res = await fetch(path, { cache: 'no-store', credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!res.ok) throw Object.assign(new Error(`HTTP ${res.status} from ${path}`), { status: res.status });
  return res.json();
}

async function poll() {
  try {
    const [status, history] = await Promise.all([getJson('api/status'), getJson('api/history')]);
    render(/** @type {SymphonyStatus} */ (status), /** @type {HistorySnapshot} */ (history));
    setConn('live', 'live');
  } catch (err) {
    const unauthorized = err instanceof Error && 'status' in err && err.status === 401;
    setConn(unauthorized ? 'unauthorized: open /?token=…' : 'disconnected, retrying…', 'bad');
  }
  setTimeout(poll, POLL_MS);
}

// The token was only needed to get the cookie; keep it out of the address bar and history.
if (new URLSearchParams(location.search).has('token')) history.replaceState(null, '', location.pathname);
void poll();

// A module, so its names stay out of the page's global scope.
export {};
