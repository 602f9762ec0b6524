// Fault tolerance: health checks, engine events, back-off — on the real engine.
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { docker, hostnameOf, inState, request, startSymphony } from './harness.js';

test('a crashed app leaves the rotation within one health interval, is replaced, and GETs keep succeeding', async () => {
  const run = await startSymphony('crash', { min: 3, max: 3, healthIntervalMs: 1_000 });
  const agent = new http.Agent({ keepAlive: true });
  try {
    const before = await run.until((s) => inState(s, 'ready') === 3, 30_000, 'three ready containers');
    const crash = await request(run.port, '/api/v1/_crash', { method: 'POST', agent });
    assert.equal(crash.status, 200);
    const crashedHost = hostnameOf(crash);
    const crashedAt = Date.now();

    const statuses = new Map<number, number>();
    const lateHits: number[] = [];
    while (Date.now() - crashedAt < 4_000) {
      const reply = await request(run.port, '/api/v1/whoami', { agent });
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      if (reply.status === 200 && hostnameOf(reply) === crashedHost && Date.now() - crashedAt > 1_500) lateHits.push(Date.now() - crashedAt);
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual([...statuses.keys()], [200], `only 200s after the crash: ${JSON.stringify([...statuses])}`);
    assert.deepEqual(lateHits, [], 'the crashed container got no requests after one health interval');

    const after = await run.until((s) => inState(s, 'ready') === 3 && s.containers.length === 3, 30_000, 'a replacement ready');
    const crashedId = before.containers.find((c) => c.id.startsWith(crashedHost))?.id;
    assert.ok(crashedId, 'the crashed container was one of ours');
    assert.ok(!after.containers.some((c) => c.id === crashedId), 'the crashed container is gone');
    assert.ok(run.events.some((e) => e.event === 'container.unhealthy' && e.container === crashedId));
  } finally {
    agent.destroy();
    await run.stop();
  }
});

test('docker kill and docker rm -f of a managed container → replaced', async () => {
  const run = await startSymphony('kill', { min: 2, max: 2 });
  try {
    const first = await run.until((s) => inState(s, 'ready') === 2, 30_000, 'two ready containers');
    const [a, b] = first.containers.map((c) => c.id) as [string, string];

    await docker.killContainer(a);
    const second = await run.until((s) => inState(s, 'ready') === 2 && !s.containers.some((c) => c.id === a), 30_000, 'the killed one replaced');
    assert.ok(run.events.some((e) => e.event === 'container.unhealthy' && e.container === a && String(e.message).includes('exited')));

    await docker.removeContainer(b, { force: true });
    const third = await run.until((s) => inState(s, 'ready') === 2 && !s.containers.some((c) => c.id === b), 30_000, 'the removed one replaced');
    assert.equal(third.containers.length, 2);
    assert.notDeepEqual(second.containers.map((c) => c.id).sort(), third.containers.map((c) => c.id).sort());
    assert.equal((await request(run.port, '/api/v1/whoami')).status, 200);
  } finally {
    await run.stop();
  }
});

test('an image that exits at start backs off instead of spinning', async () => {
  const run = await startSymphony('exit', { min: 1, max: 1, env: ['EXIT_AT_START=3'] });
  try {
    await new Promise((r) => setTimeout(r, 9_000));
    const created = run.events.filter((e) => e.event === 'container.created').length;
    // Back-off 0, 1, 2, 4 s …: about five starts in nine seconds; spinning would be dozens.
    assert.ok(created >= 3 && created <= 7, `containers created in 9 s: ${created}`);
    const waits = run.events.filter((e) => e.event === 'backoff.wait');
    assert.ok(waits.length >= 2, 'the back-off is logged');
    assert.match(waits.at(-1)?.message ?? '', /exit/);
    const status = run.symphony.status();
    assert.ok(status.backoff.failureStreak >= 3);
    assert.equal(inState(status, 'ready'), 0);
    // A request meanwhile waits, then gets 503 with Retry-After rather than a connection error.
  } finally {
    await run.stop();
  }
  const left = await docker.listContainers({ all: true, labels: [`docker-symphony.service=${run.service}`] });
  assert.equal(left.length, 0, 'nothing left behind');
});
