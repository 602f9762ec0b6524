// Options that change the lifecycle: tumbling windows and --keep-containers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Symphony } from '../../src/symphony.js';
import { DEMO_IMAGE, docker, inState, request, startSymphony, sweep, waitFor } from './harness.js';

test('tumbling window: the count resets every window and the decision is taken at its end', async () => {
  const run = await startSymphony('tumbling', { windowMode: 'tumbling', windowMs: 3_000, baseScaleCount: 5, min: 1, max: 3 });
  try {
    await run.until((s) => inState(s, 'ready') === 1, 30_000, 'one ready container');
    assert.equal(run.symphony.status().decision.reason, 'WindowPending');
    // The first window starts at the first counted request, which the proxy records no earlier than this.
    const firstRequestAt = Date.now();
    for (let i = 0; i < 12; i++) assert.equal((await request(run.port, '/api/v1/whoami')).status, 200);
    assert.equal(run.symphony.status().window.count, 12);

    const decided = await run.until((s) => s.desired === 3, 10_000, 'the decision at the end of the first window');
    assert.equal(decided.decision.count, 12);
    // However many requests came, nothing changed before the window ended.
    const scaledUp = run.events.find((e) => e.event === 'scale.decision' && e.fields?.['desired'] === 3);
    assert.ok(scaledUp, 'the decision to scale up is logged');
    assert.ok(scaledUp.time >= firstRequestAt + 3_000, `decided ${scaledUp.time - firstRequestAt} ms after the first request, not before the window ended`);
    assert.ok(!run.events.some((e) => e.event === 'scale.decision' && e.time < scaledUp.time && e.fields?.['desired'] !== 1), 'no other decision came first');
    // The next window starts from zero: with no traffic, its end brings us back to one.
    const next = await run.until((s) => s.desired === 1, 10_000, 'the empty second window');
    assert.equal(next.decision.count, 0);
  } finally {
    await run.stop();
  }
});

test('--keep-containers: shutdown leaves the containers, the next start adopts them', async () => {
  const run = await startSymphony('keep', { min: 2, max: 2, keepContainers: true });
  let adopter: Symphony | null = null;
  try {
    const ready = await run.until((s) => inState(s, 'ready') === 2, 30_000, 'two ready containers');
    const ids = ready.containers.map((c) => c.id).sort();
    await run.symphony.stop();
    const kept = await docker.listContainers({ labels: [`docker-symphony.service=${run.service}`] });
    assert.deepEqual(kept.map((c) => c.id).sort(), ids, 'both containers still run');

    adopter = new Symphony({ image: DEMO_IMAGE, name: run.service, min: 2, max: 2, listen: { host: '127.0.0.1', port: 0 }, adminListen: null, stopTimeoutMs: 2_000 });
    const { proxy } = await adopter.start();
    const adopted = adopter.status();
    assert.deepEqual(adopted.containers.map((c) => c.id).sort(), ids);
    assert.ok(adopted.containers.every((c) => c.adopted && c.state === 'ready'));
    assert.equal((await request(proxy.port, '/api/v1/whoami')).status, 200);
    await adopter.stop();
    await waitFor(() => docker.listContainers({ all: true, labels: [`docker-symphony.service=${run.service}`] }), (l) => l.length === 0, 10_000, 'all removed');
  } finally {
    await adopter?.stop();
    await sweep(run.service);
  }
});
