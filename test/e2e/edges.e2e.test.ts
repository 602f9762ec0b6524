// Edges users hit: fixed host ports, apps that never get healthy, no ready
// container, an image that is not there.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SymphonyError } from '../../src/errors.js';
import { Symphony } from '../../src/symphony.js';
import { docker, inState, request, serviceName, startSymphony, sweep } from './harness.js';

test('--host-ports: containers take the first ports; a replacement reuses the port it frees', async () => {
  const first = 20_000 + Math.floor(Math.random() * 20_000);
  const run = await startSymphony('ports', { min: 2, max: 2, hostPorts: { first, last: first + 2 } });
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
  for (const pull of ['missing', 'never'] as const) {
    const symphony = new Symphony({ image: 'localhost:1/symphony/missing:never', name: service, pull, listen: { host: '127.0.0.1', port: 0 }, adminListen: null });
    await assert.rejects(symphony.start(), (err: unknown) => {
      assert.ok(err instanceof SymphonyError);
      assert.equal(err.code, 'IMAGE_UNAVAILABLE');
      assert.match(err.message, pull === 'missing' ? /could not be pulled/ : /--pull is never/);
      return true;
    });
  }
  assert.equal(await sweep(service), 0);
});
