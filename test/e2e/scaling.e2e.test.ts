// Request-window autoscaling, up and down, on the real engine.
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { inState, request, startSymphony } from './harness.js';

test('scales 1 → 3 under load and back to 1 when the window empties', async () => {
  const run = await startSymphony('scale', { windowMs: 4_000, baseScaleCount: 5, min: 1, max: 3 });
  const agent = new http.Agent({ keepAlive: true });
  try {
    await run.until((s) => inState(s, 'ready') === 1, 30_000, 'one ready container');

    // 12 requests in the window → floor(12 / 5) + 1 = 3 replicas.
    for (let i = 0; i < 12; i++) assert.equal((await request(run.port, '/api/v1/whoami', { agent })).status, 200);
    const up = await run.until((s) => inState(s, 'ready') === 3, 30_000, 'three ready containers');
    assert.equal(up.desired, 3);
    assert.equal(up.decision.reason, 'Rule');

    // Health probes are not counted: with no traffic the window empties and we go back to 1.
    const down = await run.until((s) => s.containers.length === 1 && inState(s, 'ready') === 1, 30_000, 'back to one container');
    assert.equal(down.desired, 1);
    assert.equal(down.window.count, 0);
    const decisions = run.events.filter((e) => e.event === 'scale.decision').map((e) => e.fields?.['desired']);
    assert.ok(decisions.includes(3) && decisions.at(-1) === 1, `scale decisions logged: ${JSON.stringify(decisions)}`);
  } finally {
    agent.destroy();
    await run.stop();
  }
});

test('a scale-down never fails the requests in flight on the container it removes', async () => {
  const run = await startSymphony('drain', {
    windowMs: 3_000,
    baseScaleCount: 4,
    min: 1,
    max: 2,
    noCount: ['/api/v1/slow'],
    drainTimeoutMs: 20_000,
  });
  try {
    for (let i = 0; i < 5; i++) assert.equal((await request(run.port, '/api/v1/whoami')).status, 200);
    await run.until((s) => inState(s, 'ready') === 2, 30_000, 'two ready containers');

    // Slow requests land on both containers; the window then empties and one is scaled away under them.
    const slow = Array.from({ length: 6 }, () => request(run.port, '/api/v1/slow?ms=5000'));
    const started = Date.now();
    await run.until((s) => inState(s, 'draining') === 1, 15_000, 'a container draining');
    const draining = run.symphony.status().containers.find((c) => c.state === 'draining');
    assert.ok(draining && draining.inFlight > 0, 'the container was scaled away while requests were in flight');

    const replies = await Promise.all(slow);
    assert.ok(Date.now() - started >= 4_000);
    assert.deepEqual(replies.map((r) => r.status), [200, 200, 200, 200, 200, 200]);
    const after = await run.until((s) => s.containers.length === 1, 30_000, 'the drained container removed');
    assert.ok(!after.containers.some((c) => c.id === draining.id));
  } finally {
    await run.stop();
  }
});
