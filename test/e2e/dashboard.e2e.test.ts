// The operator's view of a real running orchestrator: the status API and the metrics
// agree with it, and a dashboard opened in headless Chromium only after a scale-up and a
// crash still shows them (the history is kept by the server, not by the page).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drawnChart, dumpDom, elementById, requireChromium } from '../helpers/chromium.js';
import { docker, inState, request, startSymphony } from './harness.js';

test('a dashboard opened after a scale-up and a crash shows both; status and metrics agree', async () => {
  const chromium = requireChromium();
  // base 2: five requests ask for floor(5 / 2) + 1 = 3 replicas; the long window keeps them.
  const run = await startSymphony('dash', { min: 1, max: 3, baseScaleCount: 2, windowMs: 120_000, adminListen: { host: '127.0.0.1', port: 0 } });
  try {
    await run.until((s) => inState(s, 'ready') === 1, 30_000, 'one ready container');
    for (let i = 0; i < 5; i++) assert.equal((await request(run.port, '/api/v1/whoami')).status, 200);
    const scaled = await run.until((s) => inState(s, 'ready') === 3, 30_000, 'scaled up to three ready');
    const victim = scaled.containers[1]?.id;
    assert.ok(victim);
    await docker.killContainer(victim);
    const healed = await run.until((s) => inState(s, 'ready') === 3 && !s.containers.some((c) => c.id === victim), 30_000, 'the killed one replaced');

    const admin = run.symphony.addresses?.admin;
    assert.ok(admin);
    const api = JSON.parse((await request(admin.port, '/api/status')).body) as typeof healed;
    assert.equal(api.service.name, run.service);
    assert.deepEqual(api.containers.map((c) => c.id).sort(), healed.containers.map((c) => c.id).sort());
    assert.equal(api.window.count, 5);
    const metrics = (await request(admin.port, '/metrics')).body;
    assert.match(metrics, /^symphony_containers\{state="ready"\} 3$/m);
    assert.match(metrics, /^symphony_desired_replicas 3$/m);

    const dom = await dumpDom(`http://127.0.0.1:${admin.port}/`, { binary: chromium, virtualTimeMs: 2_000 });
    const table = elementById(dom, 'containers-body');
    for (const c of healed.containers) assert.ok(table.includes(`>${c.id.slice(0, 12)}<`), `short id ${c.id.slice(0, 12)} in the containers table`);

    const replicas = drawnChart(dom, 'chart-replicas');
    const running = replicas.series('s-running').map(([, y]) => Math.round(replicas.valueAt(y)));
    // From the admin server's start: 0 until the first container is up, 1, then 3.
    const firstThree = running.indexOf(3);
    assert.ok(firstThree > 0 && running.slice(0, firstThree).includes(1), `one replica before the scale-up: ${[...new Set(running)].join(' → ')}`);
    assert.equal(running[running.length - 1], 3, 'and three at the end');
    const kinds = replicas.marks.map((m) => m.kind);
    assert.equal(kinds[0], 'scale-up', `the first mark is the scale-up: ${kinds.join(', ')}`);
    assert.deepEqual(
      kinds.filter((k) => k === 'crash' || k === 'replacement'),
      ['crash', 'replacement'],
      `one crash, then its replacement: ${kinds.join(', ')}`,
    );
    const at = (kind: string): number => replicas.marks.find((m) => m.kind === kind)?.x ?? NaN;
    assert.ok(at('scale-up') < at('crash') && at('crash') <= at('replacement'), `scale-up, then crash, then replacement: ${kinds.join(', ')}`);
    const crash = replicas.marks.find((m) => m.kind === 'crash');
    assert.ok(crash?.title.includes('exited'), `the crash mark says why: ${crash?.title}`);
  } finally {
    await run.stop();
  }
});
