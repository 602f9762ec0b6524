// Edges users hit: fixed host ports, apps that never get healthy, no ready
// container, an image that is not there.
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { SymphonyError } from '../../src/errors.js';
import { Symphony } from '../../src/symphony.js';
import { docker, hostPortRange, inState, request, serviceName, startSymphony, sweep, type Running } from './harness.js';

test('--host-ports: containers take the first ports; a replacement reuses the port it frees', async () => {
  const { first } = hostPortRange(2);
  // Exactly two ports for two containers: the replacement can only get the one its predecessor frees.
  const run = await startSymphony('ports', { min: 2, max: 2, hostPorts: { first, last: first + 1 } });
  try {
    const ready = await run.until((s) => inState(s, 'ready') === 2, 30_000, 'two ready containers');
    assert.deepEqual(ready.containers.map((c) => c.hostPort).sort(), [first, first + 1]);
    const onFirst = ready.containers.find((c) => c.hostPort === first);
    assert.ok(onFirst);
    assert.equal((await request(first, '/api/v1/_health')).status, 200, 'published on 127.0.0.1:first');

    await docker.killContainer(onFirst.id);
    const after = await run.until(
      (s) => inState(s, 'ready') === 2 && s.containers.length === 2 && !s.containers.some((c) => c.id === onFirst.id),
      30_000,
      'the killed container replaced',
    );
    assert.deepEqual(after.containers.map((c) => c.hostPort).sort(), [first, first + 1], 'the replacement took the freed port');
  } finally {
    await run.stop();
  }
});

test('--host-ports: three containers started together serve on three distinct ports, passing over one another listener holds', async () => {
  const range = hostPortRange(5);
  // Something else (not a container) listens on the first port of the range; nothing of ours may talk to it.
  let blockerConnections = 0;
  const blocker = net.createServer((socket) => {
    blockerConnections++;
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    blocker.once('error', reject);
    blocker.listen(range.first, '127.0.0.1', resolve);
  });
  let run: Running | null = null;
  try {
    run = await startSymphony('portheld', { min: 3, max: 3, hostPorts: range });
    const ready = await run.until((s) => inState(s, 'ready') === 3, 60_000, 'three ready containers');
    const ports = ready.containers.filter((c) => c.state === 'ready').map((c) => c.hostPort ?? 0).sort((a, b) => a - b);
    assert.equal(new Set(ports).size, 3, `distinct ports: ${ports.join(',')}`);
    assert.ok(ports.every((p) => p > range.first && p <= range.last), `inside the range, not the held port: ${ports.join(',')}`);
    for (const port of ports) assert.equal((await request(port, '/api/v1/_health')).status, 200, `a container serves on 127.0.0.1:${port}`);
    assert.ok(run.events.some((e) => e.event === 'container.port_taken' && e.fields?.['hostPort'] === range.first), 'the held port was reported');
    assert.equal(ready.backoff.failureStreak, 0, 'a taken port is not the app failing');
    assert.equal(blockerConnections, 0, 'no health probe went to the port the container never got');
  } finally {
    await run?.stop();
    await new Promise((resolve) => blocker.close(resolve));
  }
});

test('an app that never answers 200 is replaced after --startup-timeout; meanwhile requests get 503 with Retry-After', async () => {
  const run = await startSymphony('unhealthy', {
    min: 1,
    max: 1,
    env: ['UNHEALTHY_AT_START=1'],
    startupTimeoutMs: 1_500,
    queueTimeoutMs: 1_000,
  });
  try {
    const reply = await request(run.port, '/api/v1/whoami');
    assert.equal(reply.status, 503);
    assert.ok(Number(reply.headers['retry-after']) >= 1, 'Retry-After is set');

    await run.until(() => run.events.filter((e) => e.event === 'container.created').length >= 2, 15_000, 'a replacement');
    const unhealthy = run.events.find((e) => e.event === 'container.unhealthy');
    assert.match(unhealthy?.message ?? '', /did not answer 200 within 1\.5s: HTTP 500/);
  } finally {
    await run.stop();
  }
});

test('a missing image that cannot be pulled fails start with IMAGE_UNAVAILABLE and starts nothing', async () => {
  const service = serviceName('missing');
  // A registry on localhost:1 refuses at once: the pull is attempted, and no traffic leaves the machine.
  try {
    for (const pull of ['missing', 'never'] as const) {
      const symphony = new Symphony({ image: 'localhost:1/symphony/missing:never', name: service, pull, listen: { host: '127.0.0.1', port: 0 }, adminListen: null });
      try {
        await assert.rejects(symphony.start(), (err: unknown) => {
          assert.ok(err instanceof SymphonyError);
          assert.equal(err.code, 'IMAGE_UNAVAILABLE');
          assert.match(err.message, pull === 'missing' ? /could not be pulled/ : /--pull is never/);
          return true;
        });
      } finally {
        await symphony.stop();
      }
    }
  } finally {
    assert.equal(await sweep(service), 0, 'no container was created');
  }
});
