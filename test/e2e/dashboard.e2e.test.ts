// The operator's view of a real running orchestrator: status API, metrics, and the
// dashboard rendered in a real browser (headless Chromium) showing the containers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dumpDom, ensureChromium } from '../helpers/chromium.js';
import { inState, request, startSymphony } from './harness.js';

test('the dashboard of a running orchestrator shows its containers; status and metrics agree', async () => {
  ensureChromium();
  const run = await startSymphony('dash', { min: 2, max: 2, adminListen: { host: '127.0.0.1', port: 0 } });
  try {
    const status = await run.until((s) => inState(s, 'ready') === 2, 30_000, 'two ready containers');
    for (let i = 0; i < 4; i++) assert.equal((await request(run.port, '/api/v1/whoami')).status, 200);
    const admin = run.symphony.addresses?.admin;
    assert.ok(admin);

    const api = JSON.parse((await request(admin.port, '/api/status')).body) as typeof status;
    assert.equal(api.service.name, run.service);
    assert.deepEqual(api.containers.map((c) => c.id).sort(), status.containers.map((c) => c.id).sort());
    assert.ok(api.containers.every((c) => c.state === 'ready' && typeof c.hostPort === 'number' && c.health.length > 0));
    assert.equal(api.window.count, 4);
    assert.ok(api.events.some((e) => e.event === 'container.ready'));

    const metrics = await request(admin.port, '/metrics');
    assert.match(String(metrics.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.match(metrics.body, /^symphony_containers\{state="ready"\} 2$/m);
    assert.match(metrics.body, /^symphony_requests_total\{code_class="2xx"\} 4$/m);
    assert.match(metrics.body, /^symphony_containers_started_total 2$/m);
    assert.match(metrics.body, /^symphony_desired_replicas 2$/m);

    const dom = await dumpDom(`http://127.0.0.1:${admin.port}/`, { virtualTimeMs: 3_000 });
    const table = /<tbody id="containers-body">([\s\S]*?)<\/tbody>/.exec(dom)?.[1] ?? '';
    for (const c of status.containers) {
      assert.match(table, new RegExp(`>${c.id.slice(0, 12)}<`), `short id ${c.id.slice(0, 12)} in the containers table`);
      assert.ok(dom.includes(c.id.slice(0, 12)), `short id ${c.id.slice(0, 12)} on the dashboard`);
      assert.ok(dom.includes(c.name), `name ${c.name} on the dashboard`);
    }
    assert.match(dom, /<svg[^>]*id="chart-traffic"/);
    assert.match(dom, /<svg[^>]*id="chart-replicas"/);
  } finally {
    await run.stop();
  }
});
