// The dashboard in a real headless Chromium, served by AdminServer from fake statuses:
// the page's scripts run, and what they drew is read back from the DOM. The history is
// recorded on a fake clock before the browser opens the page, so these tests prove that
// a page opened late shows what happened before it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminServer } from '../../src/admin/server.js';
import { SymphonyMetrics } from '../../src/admin/symphony-metrics.js';
import type { SymphonyStatus } from '../../src/status.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { drawnChart, dumpDom, elementById, htmlText, requireChromium, screenshot } from '../helpers/chromium.js';
import type { DrawnChart } from '../helpers/chromium.js';
import { CRASH_MESSAGE, fakeContainer, fakeStatus, scaleUpStory } from './fake-status.js';

const XSS = '<script>alert(1)</script>';
const metrics = (s: SymphonyStatus): string => new SymphonyMetrics().render(s);

/** The distinct left-axis values a series visits, in order, rounded to integers. */
function levels(chart: DrawnChart, cls: string): number[] {
  const out: number[] = [];
  for (const [, y] of chart.series(cls)) {
    const v = Math.round(chart.valueAt(y));
    if (out[out.length - 1] !== v) out.push(v);
  }
  return out;
}

describe('dashboard in headless Chromium', { timeout: 120_000 }, () => {
  let chromium = '';

  before(() => {
    chromium = requireChromium();
  });

  describe('opened after a scale-up and a crash', () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    const story = scaleUpStory(t0);
    let second = 0;
    const server = new AdminServer({ status: () => story.statusAt(second), metrics, clock });
    let dom = '';
    let replicas: DrawnChart;
    let traffic: DrawnChart;
    // x of a story moment on a chart, from its time axis: it spans the 89 s of history
    // the server holds, from the first label (-89 s) to "now".
    const xOf = (chart: DrawnChart, s: number): number => {
      const axis = chart.labels.filter((l) => l.cls === 'axis mid');
      const left = axis[0]?.x ?? NaN;
      const right = axis[axis.length - 1]?.x ?? NaN;
      return left + ((s * 1000 - 200) / 89_000) * (right - left);
    };

    before(async () => {
      const { port } = await server.listen(0);
      for (second = 1; second < story.seconds; second++) clock.advance(1000);
      dom = await dumpDom(`http://127.0.0.1:${port}/`, { binary: chromium, virtualTimeMs: 2000 });
      replicas = drawnChart(dom, 'chart-replicas');
      traffic = drawnChart(dom, 'chart-traffic');
    });
    after(() => server.close());

    test('the replicas chart shows the whole history: 1, then 2, then 3, the crash dip, and 3 again', () => {
      assert.deepEqual(levels(replicas, 's-running'), [1, 2, 3, 2, 3]);
      assert.deepEqual(levels(replicas, 's-desired'), [1, 2, 3]);
      const running = replicas.series('s-running');
      assert.ok((running[0]?.[0] ?? 0) < 45, `the line starts at the left edge, not when the page opened (x=${running[0]?.[0]})`);
    });

    test('the scale-ups, the crash and its replacement are marked on both charts, at their times', () => {
      const crash = replicas.marks[2];
      for (const chart of [replicas, traffic]) {
        assert.deepEqual(
          chart.marks.map((m) => m.kind),
          ['scale-up', 'scale-up', 'crash', 'replacement'],
        );
        const [up2, up3, crashed, replacement] = chart.marks;
        for (const [mark, s] of [[up2, 10], [up3, 30], [crashed, 60], [replacement, 61]] as const) {
          assert.ok(Math.abs((mark?.x ?? 0) - xOf(chart, s)) < 1, `${mark?.kind} at ${s} s: x=${mark?.x}, want ~${xOf(chart, s).toFixed(1)}`);
        }
      }
      // The running line drops from 3 to 2 where the crash is marked.
      const pts = replicas.series('s-running');
      const value = (i: number): number => Math.round(replicas.valueAt(pts[i]?.[1] ?? NaN));
      const dip = pts.findIndex((_, i) => i > 0 && value(i - 1) === 3 && value(i) === 2);
      assert.ok(Math.abs((pts[dip]?.[0] ?? 0) - (crash?.x ?? NaN)) < 2, `dip at x=${pts[dip]?.[0]}, crash mark at x=${crash?.x}`);
    });

    test('a mark says what happened in its tooltip, with markup shown as text', () => {
      const crash = replicas.marks.find((m) => m.kind === 'crash');
      assert.ok(crash?.title.endsWith(`crash: ${CRASH_MESSAGE}`), crash?.title);
      assert.doesNotMatch(dom, /<img/);
      assert.doesNotMatch(dom, /data-pwned/);
    });

    test('replica and request-count axes have whole-number ticks only', () => {
      for (const chart of [replicas, traffic]) {
        const ticks = chart.labels.filter((l) => l.cls.includes('tick-left')).map((l) => l.text);
        assert.ok(ticks.length >= 3, `ticks: ${ticks.join(' ')}`);
        for (const t of ticks) assert.match(t, /^\d+$/, `tick "${t}"`);
      }
    });

    test('threshold labels sit off the data lines, even where the window count runs through their first spot', () => {
      const lines = [traffic.series('s-count'), traffic.series('s-rate')];
      const labels = traffic.labels.filter((l) => l.cls === 'threshold-label');
      assert.deepEqual(
        labels.map((l) => l.text),
        ['1×20 → 2 replicas', '2×20 → 3 replicas', '3×20 → 4 replicas', '4×20 → 5 replicas'],
      );
      const boxOf = (l: { text: string; x: number; y: number; anchor: string }): { x0: number; x1: number; y0: number; y1: number } => {
        const w = [...l.text].length * 6.1;
        const x0 = l.anchor === 'end' ? l.x - w : l.anchor === 'middle' ? l.x - w / 2 : l.x;
        return { x0, x1: x0 + w, y0: l.y - 10, y1: l.y + 1 };
      };
      const crosses = (box: { x0: number; x1: number; y0: number; y1: number }): boolean =>
        lines.some((pts) =>
          pts.some(([x, y], i) => {
            const [nx, ny] = pts[i + 1] ?? [x, y];
            // Sample the segment densely: good enough for a test, independent of the page's maths.
            for (let k = 0; k <= 20; k++) {
              const px = x + ((nx - x) * k) / 20;
              const py = y + ((ny - y) * k) / 20;
              if (px >= box.x0 && px <= box.x1 && py >= box.y0 && py <= box.y1) return true;
            }
            return false;
          }),
        );
      const first = labels[0];
      assert.ok(first);
      const lineY = first.y + 4;
      assert.ok(crosses(boxOf({ text: first.text, x: 48, y: lineY - 4, anchor: 'start' })), 'the story puts the count line through the default spot');
      for (const l of labels) assert.ok(!crosses(boxOf(l)), `label "${l.text}" at (${l.x}, ${l.y}, ${l.anchor}) overlaps a data line`);
    });

    test('the cards use plural forms for many', () => {
      assert.equal(htmlText(elementById(dom, 'card-window-unit')), 'requests');
      assert.match(htmlText(elementById(dom, 'card-proxy-sub')), /^0 queued · \d+ requests in total$/);
    });
  });

  describe('a status with markup in it, one of each thing', () => {
    const containers = [fakeContainer(1, 'ready'), fakeContainer(2, 'starting', { name: XSS }), fakeContainer(3, 'unhealthy')];
    const status: SymphonyStatus = {
      ...fakeStatus({
        containers,
        windowCount: 1,
        requests: 1,
        failureStreak: 1,
        events: [{ time: Date.now() - 1000, level: 'warn', event: 'health.failed', message: XSS, container: containers[2]?.id ?? '' }],
      }),
      engine: { state: 'unavailable', since: new Date(Date.now() - 5000).toISOString() },
      health: { panic: true, since: new Date(Date.now() - 3000).toISOString(), eventLoopLagMs: 2 },
    };
    const server = new AdminServer({ status: () => status, metrics });
    let url = '';
    let dom = '';

    before(async () => {
      const { port } = await server.listen(0);
      url = `http://127.0.0.1:${port}/`;
      dom = await dumpDom(url, { binary: chromium, virtualTimeMs: 2000 });
    });
    after(() => server.close());

    test('shows every container with its 12-character short id, name and state', () => {
      const rows = elementById(dom, 'containers-body');
      assert.equal((rows.match(/<tr>/g) ?? []).length, 3);
      for (const c of containers) {
        assert.ok(rows.includes(`>${c.id.slice(0, 12)}<`), `short id ${c.id.slice(0, 12)}`);
        assert.ok(!rows.includes(`>${c.id.slice(0, 13)}<`), 'cut at 12 characters');
      }
      for (const state of ['ready', 'starting', 'unhealthy']) assert.match(rows, new RegExp(`class="badge st-${state}">${state}<`));
      assert.equal(htmlText(elementById(dom, 'containers-hint')), '3 containers');
    });

    test('data that looks like HTML is shown as text, never parsed', () => {
      const escaped = '&lt;script&gt;alert(1)&lt;/script&gt;';
      assert.ok(elementById(dom, 'containers-body').includes(escaped), 'container name as text');
      assert.ok(elementById(dom, 'events-body').includes(escaped), 'event message as text');
      assert.equal((dom.match(/<script/g) ?? []).length, 1, 'only the page’s own script element');
    });

    test('singular forms for one (1 request, 1 failure); an engine outage and a health panic said first', () => {
      assert.equal(htmlText(elementById(dom, 'card-window-value')), '1');
      assert.equal(htmlText(elementById(dom, 'card-window-unit')), 'request');
      assert.match(
        htmlText(elementById(dom, 'card-running-sub')),
        /^Docker engine unavailable since \d\d:\d\d:\d\d · health panic since \d\d:\d\d:\d\d: every probe timed out, so none is taken out · 1 starting · 1 unhealthy · start back-off: 1 failure$/,
      );
      assert.equal(htmlText(elementById(dom, 'card-proxy-sub')), '0 queued · 1 request in total');
    });

    test('goes live and shows the service', () => {
      assert.match(elementById(dom, 'conn'), /pill-live/);
      assert.equal(htmlText(elementById(dom, 'svc-name')), 'demo-api');
      assert.equal(htmlText(elementById(dom, 'svc-image')), 'docker-symphony-demo:latest');
    });

    test('a screenshot is a 1280×1000 PNG', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'symphony-shot-'));
      try {
        const file = join(dir, 'dashboard.png');
        await screenshot(url, file, { binary: chromium, virtualTimeMs: 2000 });
        const png = await readFile(file);
        assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
        assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [1280, 1000], 'IHDR width and height');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe('with a token', () => {
    const token = 'browser-test-token-0123';
    const server = new AdminServer({ status: () => fakeStatus(), metrics, token });
    let url = '';

    before(async () => {
      const { port } = await server.listen(0);
      url = `http://127.0.0.1:${port}/`;
    });
    after(() => server.close());

    test('/?token= once: the page, its script and its data load through the cookie', async () => {
      const dom = await dumpDom(`${url}?token=${token}`, { binary: chromium, virtualTimeMs: 2000 });
      assert.match(elementById(dom, 'conn'), /pill-live/);
      assert.equal((elementById(dom, 'containers-body').match(/<tr>/g) ?? []).length, 3);
    });

    test('without the token the page is refused', async () => {
      const dom = await dumpDom(url, { binary: chromium, virtualTimeMs: 1000 });
      assert.doesNotMatch(dom, /containers-body/);
      assert.match(dom, /UNAUTHORIZED/);
    });
  });
});
