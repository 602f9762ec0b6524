// The dashboard in a real headless Chromium: served by AdminServer from a fake status,
// its scripts run, and the DOM after them is checked.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminServer } from '../../src/admin/server.js';
import { SymphonyMetrics } from '../../src/admin/symphony-metrics.js';
import { dumpDom, ensureChromium, screenshot } from '../helpers/chromium.js';
import { fakeContainer, fakeStatus } from './fake-status.js';

const XSS = '<script>alert(1)</script>';
const IMG = '<img src=x onerror="document.body.setAttribute(\'data-pwned\',\'1\')">';

const containers = [
  fakeContainer(1, 'ready'),
  fakeContainer(2, 'starting', { name: XSS }),
  fakeContainer(3, 'unhealthy'),
];
const status = fakeStatus({
  containers,
  events: [
    { time: Date.now() - 1000, level: 'warn', event: 'health.failed', message: XSS, container: containers[2]?.id ?? '' },
    { time: Date.now() - 2000, level: 'info', event: 'container.started', message: IMG },
  ],
});

/** The inner HTML of the element with this id (first match, non-nested tag). */
function section(dom: string, tag: string, id: string): string {
  const start = dom.indexOf(`<${tag} id="${id}"`);
  assert.ok(start >= 0, `element #${id} is in the DOM`);
  const end = dom.indexOf(`</${tag}>`, start);
  return dom.slice(start, end);
}

describe('dashboard in headless Chromium', { timeout: 180_000 }, () => {
  let chromium = '';
  const server = new AdminServer({ status: () => status, metrics: (s) => new SymphonyMetrics().render(s) });
  const token = 'browser-test-token';
  const locked = new AdminServer({ status: () => status, metrics: (s) => new SymphonyMetrics().render(s), token });
  let url = '';
  let lockedUrl = '';
  let dom = '';

  before(async () => {
    chromium = ensureChromium();
    const a = await server.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${a.port}/`;
    const b = await locked.listen(0, '127.0.0.1');
    lockedUrl = `http://127.0.0.1:${b.port}/`;
    dom = await dumpDom(url, { binary: chromium, virtualTimeMs: 3000 });
  });
  after(async () => {
    await server.close();
    await locked.close();
  });

  test('shows every container with its 12-char short id and name', () => {
    const rows = section(dom, 'tbody', 'containers-body');
    assert.equal((rows.match(/<tr>/g) ?? []).length, 3, 'one row per container');
    for (const c of containers) {
      assert.equal(c.id.length, 64);
      assert.ok(rows.includes(`>${c.id.slice(0, 12)}<`), `short id ${c.id.slice(0, 12)} shown`);
      assert.ok(!rows.includes(`>${c.id.slice(0, 13)}<`), 'id is cut at 12 characters');
    }
    assert.ok(rows.includes('symphony-demo-1'));
    assert.ok(rows.includes('symphony-demo-3'));
    for (const state of ['ready', 'starting', 'unhealthy']) assert.ok(rows.includes(`st-${state}`), `badge for ${state}`);
  });

  test('shows the service header and goes live', () => {
    assert.ok(section(dom, 'h1', 'svc-name').includes('demo-api'));
    assert.ok(section(dom, 'code', 'svc-image').includes('docker-symphony-demo:latest'));
    assert.match(section(dom, 'span', 'conn'), /pill-live/);
  });

  test('draws both charts in SVG, with the scale thresholds', () => {
    const traffic = section(dom, 'svg', 'chart-traffic');
    const replicas = section(dom, 'svg', 'chart-replicas');
    assert.match(traffic, /<path [^>]*class="series s-count"/);
    assert.match(replicas, /<path [^>]*class="series s-running"/);
    assert.match(replicas, /<path [^>]*class="series s-desired"/);
    // base 20, max 5 → lines at 20, 40, 60, 80 (asking for 2..5 replicas).
    assert.equal((traffic.match(/class="threshold"/g) ?? []).length, 4);
    assert.ok(traffic.includes('4×20 → 5 replicas'));
  });

  test('data that looks like HTML is shown as text, never parsed', () => {
    const rows = section(dom, 'tbody', 'containers-body');
    const events = section(dom, 'tbody', 'events-body');
    const escaped = '&lt;script&gt;alert(1)&lt;/script&gt;';
    assert.ok(rows.includes(escaped), 'container name shown as text');
    assert.ok(events.includes(escaped), 'event message shown as text');
    assert.ok(events.includes('&lt;img src=x onerror='), 'img markup shown as text');
    assert.equal((dom.match(/<script/g) ?? []).length, 1, 'only the page’s own script element');
    assert.doesNotMatch(dom, /<img/);
    assert.doesNotMatch(dom, /<body[^>]*data-pwned/, 'the onerror handler never ran');
  });

  test('with a token: /?token= works once, then the page loads data through its cookie', async () => {
    const lockedDom = await dumpDom(`${lockedUrl}?token=${token}`, { binary: chromium, virtualTimeMs: 3000 });
    const rows = section(lockedDom, 'tbody', 'containers-body');
    for (const c of containers) assert.ok(rows.includes(`>${c.id.slice(0, 12)}<`));
    assert.match(section(lockedDom, 'span', 'conn'), /pill-live/);
  });

  test('without the token the locked dashboard is refused', async () => {
    const lockedDom = await dumpDom(lockedUrl, { binary: chromium, virtualTimeMs: 1000 });
    assert.ok(!lockedDom.includes('containers-body'));
    assert.ok(lockedDom.includes('UNAUTHORIZED'));
  });

  test('a screenshot is a PNG', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'symphony-shot-'));
    try {
      const file = join(dir, 'dashboard.png');
      await screenshot(url, file, { binary: chromium, virtualTimeMs: 3000 });
      const png = await readFile(file);
      assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      assert.ok(png.length > 10_000, 'not an empty image');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
