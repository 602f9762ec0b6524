// Fault tolerance: health checks, engine events, back-off — on the real engine.
import assert from 'node:assert/strict';
import http from 'node:http';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { docker, hostnameOf, inState, request, startSymphony } from './harness.js';

const execFileP = promisify(execFile);

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

test('a container that only stops answering in time is replaced start-first; its in-flight request still completes', async () => {
  const run = await startSymphony('slow', { min: 1, max: 1, healthIntervalMs: 500, healthTimeoutMs: 400, drainTimeoutMs: 30_000 });
  let paused: string | null = null;
  try {
    const first = await run.until((s) => inState(s, 'ready') === 1, 30_000, 'one ready container');
    const slowId = first.containers[0]!.id;
    const slow = request(run.port, '/api/v1/slow?ms=2000');
    await run.until((s) => s.containers.some((c) => c.id === slowId && c.inFlight === 1), 5_000, 'the slow request in flight');
    // Frozen, the app answers nothing, like an app stalled by a huge upload: probes time out.
    await execFileP('docker', ['pause', slowId]);
    paused = slowId;
    await run.until((s) => s.containers.some((c) => c.id === slowId && c.state === 'draining'), 10_000, 'the frozen container draining');
    assert.match(run.events.find((e) => e.event === 'container.unhealthy' && e.container === slowId)?.message ?? '', /timeout/);
    await run.until((s) => s.containers.some((c) => c.id !== slowId && c.state === 'ready'), 30_000, 'its replacement ready');
    assert.ok(run.symphony.status().containers.some((c) => c.id === slowId), 'not killed while its request is in flight');
    await execFileP('docker', ['unpause', slowId]);
    paused = null;
    const reply = await slow;
    assert.equal(reply.status, 200, 'the request in flight was not cut');
    await run.until((s) => !s.containers.some((c) => c.id === slowId), 15_000, 'the slow one removed once its request finished');
  } finally {
    if (paused) await execFileP('docker', ['unpause', paused]).catch(() => {});
    await run.stop();
  }
});

test('an image that exits at start backs off instead of spinning, and requests get 503 meanwhile', async () => {
  // The back-off arithmetic (0, 1, 2, 4 s …) is proven with a fake clock in
  // test/orchestrator/container-set.test.ts; here: the real engine's exits reach it.
  const run = await startSymphony('exit', { min: 1, max: 1, env: ['EXIT_AT_START=3'], queueTimeoutMs: 500 });
  try {
    await run.until(() => run.events.some((e) => e.event === 'backoff.wait'), 30_000, 'a back-off wait');
    const wait = run.events.find((e) => e.event === 'backoff.wait');
    assert.match(wait?.message ?? '', /code 3/, 'the wait says why');
    const delayMs = Number(wait?.fields?.['delayMs']);
    assert.ok(delayMs > 0 && delayMs <= 1_000, `the first wait is at most 1 s: ${delayMs}`);
    const status = run.symphony.status();
    assert.ok(status.backoff.failureStreak >= 2, `failures in a row: ${status.backoff.failureStreak}`);
    assert.equal(inState(status, 'ready'), 0);
    const reply = await request(run.port, '/api/v1/whoami');
    assert.equal(reply.status, 503);
    assert.ok(Number(reply.headers['retry-after']) >= 1, 'Retry-After is set');
  } finally {
    await run.stop();
  }
  const left = await docker.listContainers({ all: true, labels: [`docker-symphony.service=${run.service}`] });
  assert.equal(left.length, 0, 'nothing left behind');
});
