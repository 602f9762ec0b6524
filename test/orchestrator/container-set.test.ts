// The owner of the container set as a unit: a fake engine (fake-docker.ts), the fake
// clock and a real UpstreamPool. Each test is one named behaviour of the state machine.
// Over ~350 lines: the state machine is one module, and so are its behaviours here.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DockerApiError, DockerUnavailableError } from '../../src/docker/errors.js';
import { BackoffTracker } from '../../src/health/backoff.js';
import { SERVICE_LABEL, SPEC_LABEL } from '../../src/orchestrator/labels.js';
import { ownerHarness, settle } from './owner-harness.js';

const setup = ownerHarness;

const unavailable = (): DockerUnavailableError =>
  new DockerUnavailableError({ reason: 'ECONNREFUSED', host: 'unix:///fake/docker.sock', message: 'Nothing accepts connections at unix:///fake/docker.sock (ECONNREFUSED)' });

describe('ContainerSet: starting and replacing', () => {
  test('starts the initial replicas; each joins the rotation on its first 200', async () => {
    const t = setup({ initialDesired: 2 });
    await t.set.adopt();
    await settle();
    assert.equal(t.docker.count('create'), 2);
    assert.deepEqual(t.set.healthTargets().map((h) => h.phase), ['starting', 'starting']);
    assert.equal(t.pool.size, 0, 'nobody is in rotation before a 200');
    await t.allAnswer();
    assert.equal(t.pool.size, 2);
    assert.equal(t.ids('ready').length, 2);
    for (const c of t.docker.containers.values()) assert.equal(c.spec.labels?.[SPEC_LABEL], t.set.specHash, 'labelled with the spec hash');
  });

  test('startedAt is when the container started, not when it was created', async () => {
    const t = setup({ initialDesired: 1 });
    const release = t.docker.hold('start');
    await t.set.adopt();
    await settle();
    await t.step(700);
    release();
    await settle();
    const [c] = t.set.status();
    const created = [...t.docker.containers.values()][0]!;
    assert.equal(c?.startedAt, new Date(created.createdAt + 700).toISOString());
  });

  test('crash → out of the rotation at once, removed, and replaced without waiting', async () => {
    const t = setup({ initialDesired: 2 });
    await t.startReady();
    const [crashed, other] = t.ids('ready') as [string, string];
    t.docker.exit(crashed);
    t.set.replicaLost(crashed, 'container exited with code 137');
    assert.equal(t.pool.get(crashed), undefined, 'left the rotation synchronously');
    assert.ok(t.pool.get(other));
    await settle();
    assert.equal(t.docker.count('create'), 3, 'a replacement was created at once');
    assert.ok(!t.docker.containers.has(crashed), 'the crashed container was removed');
    assert.match(t.logged('container.unhealthy')[0]?.message ?? '', /exited with code 137/);
    assert.deepEqual(t.logged('container.removed').map((r) => r.container), [crashed]);
    await t.allAnswer();
    assert.equal(t.pool.size, 2);
  });

  test('a crash loop waits 0, 1, 2, 4 s between starts, and says so once per wait', async () => {
    const t = setup({ initialDesired: 1 });
    t.docker.exitAtStart = 3;
    await t.set.adopt();
    await settle();
    for (let i = 0; i < 160; i++) {
      await t.step(50);
      if (i % 20 === 0) t.set.setDesired(1); // the scaler asks every second
    }
    const created = t.logged('container.created').map((r) => r.time);
    const gaps = created.slice(1).map((time, i) => time - created[i]!);
    assert.deepEqual(gaps, [0, 1_000, 2_000, 4_000]);
    // Waits after the 2nd, 3rd, 4th and 5th failure (the last one still running at 8 s).
    assert.deepEqual(t.logged('backoff.wait').map((r) => r.fields?.['delayMs']), [1_000, 2_000, 4_000, 8_000], 'one line per wait, not one per scaler tick');
    assert.match(t.logged('backoff.wait').at(-1)?.message ?? '', /exited at once with code 3/);
    assert.equal(t.set.backoffStatus().failureStreak, 5);
    assert.equal(t.docker.containers.size, 0, 'every failed container was removed');
  });

  test('a container that fails to start for a reason of its own counts toward the back-off', async () => {
    const t = setup({ initialDesired: 1 });
    t.docker.failNext('start', new DockerApiError({ status: 500, method: 'POST', path: '/containers/x/start', engineMessage: 'OCI runtime create failed' }));
    await t.set.adopt();
    await settle();
    assert.match(t.logged('container.unhealthy')[0]?.message ?? '', /could not start: .*OCI runtime create failed/);
    assert.equal(t.set.backoffStatus().failureStreak, 1);
    assert.equal(t.docker.count('create'), 2, 'the first failure is replaced at once');
  });

  test('a create the engine refuses counts toward the back-off and is retried after it', async () => {
    const t = setup({ initialDesired: 1 });
    for (let i = 0; i < 2; i++) t.docker.failNext('create', new DockerApiError({ status: 404, method: 'POST', path: '/containers/create', engineMessage: 'No such image: demo:1' }));
    await t.set.adopt();
    await settle();
    assert.equal(t.logged('container.create_failed').length, 1);
    assert.equal(t.docker.count('create'), 1, 'the next create waits for the back-off timer');
    await t.step(0);
    assert.equal(t.docker.count('create'), 2, 'first failure: retried at once');
    await t.step(999);
    assert.equal(t.docker.count('create'), 2);
    await t.step(1);
    assert.equal(t.docker.count('create'), 3, 'second failure: retried after 1 s');
    assert.equal(t.docker.inState('running').length, 1);
  });

  test('a ready container that answers non-200 is killed at once, in-flight requests or not', async () => {
    const t = setup({ initialDesired: 1 });
    await t.startReady();
    const [id] = t.ids('ready') as [string];
    t.pool.get(id)?.begin();
    t.probe(id, { ok: false, status: 500 });
    assert.equal(t.pool.size, 0);
    await settle();
    assert.ok(!t.docker.containers.has(id), 'removed without waiting for its request');
    assert.equal(t.docker.count('stop'), 0, 'killed, not stopped gently');
  });

  test('a ready container that only times out is replaced start-first and removed when its requests finish', async () => {
    const t = setup({ initialDesired: 1 });
    await t.startReady();
    const [slow] = t.ids('ready') as [string];
    const upstream = t.pool.get(slow)!;
    upstream.begin();
    t.probe(slow, { ok: false, error: 'timeout' });
    assert.equal(t.pool.size, 0, 'it left the rotation at once');
    await settle();
    assert.equal(t.docker.count('create'), 2, 'its replacement started at once');
    assert.deepEqual(t.ids('draining'), [slow]);
    assert.ok(t.docker.containers.has(slow), 'not killed while its request runs');
    await t.step(4_000);
    assert.ok(t.docker.containers.has(slow));
    upstream.end();
    await settle();
    assert.ok(!t.docker.containers.has(slow), 'removed once idle');
    await t.allAnswer();
    assert.equal(t.pool.size, 1);
  });

  test('a slow container whose process dies while draining is removed at once', async () => {
    const t = setup({ initialDesired: 1 });
    await t.startReady();
    const [slow] = t.ids('ready') as [string];
    t.pool.get(slow)!.begin();
    t.probe(slow, { ok: false, error: 'timeout' });
    await settle();
    assert.deepEqual(t.ids('draining'), [slow]);
    t.set.replicaLost(slow, 'container killed: out of memory');
    await settle();
    assert.ok(!t.docker.containers.has(slow));
    assert.equal(t.logged('container.drain_cut').length, 1);
    assert.equal(t.docker.count('create'), 2, 'one replacement, not two');
  });
});

describe('ContainerSet: scaling down and draining', () => {
  test('scale-down drains: the container leaves the rotation, finishes its requests, is stopped, then removed', async () => {
    const t = setup({ initialDesired: 2 });
    await t.startReady();
    const upstreams = new Map(t.pool.members().map((u) => [u.id, u]));
    for (const u of upstreams.values()) u.begin();
    t.set.setDesired(1);
    await settle();
    const [draining] = t.ids('draining') as [string];
    assert.ok(draining);
    assert.equal(t.pool.size, 1);
    assert.equal(t.pool.get(draining), undefined, 'the draining one left the rotation');
    assert.equal(t.set.status().find((c) => c.id === draining)?.inFlight, 1);
    assert.equal(t.docker.count('stop'), 0, 'not stopped while a request is in flight');
    t.set.setDesired(1);
    await settle();
    assert.equal(t.ids('draining').length, 1, 'asking again retires nobody else');
    upstreams.get(draining)!.end();
    await settle();
    assert.deepEqual(
      t.docker.calls.filter((c) => c.endsWith(draining)).map((c) => c.split(' ')[0]),
      ['start', 'inspect', 'stop', 'remove'],
    );
    assert.equal(t.set.status().length, 1);
    assert.deepEqual(t.logged('container.removed').map((r) => r.container), [draining]);
  });

  test('scale-down while another container drains picks a different one', async () => {
    const t = setup({ initialDesired: 3 });
    await t.startReady();
    for (const id of t.ids('ready')) t.pool.get(id)!.begin();
    t.set.setDesired(2);
    await settle();
    t.set.setDesired(1);
    await settle();
    assert.equal(new Set(t.ids('draining')).size, 2);
    assert.equal(t.pool.size, 1);
    assert.equal(t.docker.count('create'), 3, 'nothing started');
  });

  test('drain timeout: stopped after --drain-timeout even with requests still in flight', async () => {
    const t = setup({ initialDesired: 2 });
    await t.startReady();
    for (const id of t.ids('ready')) t.pool.get(id)!.begin();
    t.set.setDesired(1);
    await settle();
    const [draining] = t.ids('draining') as [string];
    await t.step(4_999);
    assert.equal(t.docker.count('stop'), 0);
    await t.step(1);
    assert.equal(t.docker.count('stop'), 1);
    assert.ok(!t.docker.containers.has(draining));
    assert.match(t.logged('container.drain_timeout')[0]?.message ?? '', /still had 1 request/);
  });
});

describe('ContainerSet: a failed removal', () => {
  test('is retried until the engine confirms it; container.removed is logged only then', async () => {
    const t = setup({ initialDesired: 1 });
    await t.startReady();
    const [id] = t.ids('ready') as [string];
    t.docker.failNext('remove', new DockerApiError({ status: 500, method: 'DELETE', path: `/containers/${id}`, engineMessage: 'device or resource busy' }));
    t.docker.failNext('remove', new DockerApiError({ status: 500, method: 'DELETE', path: `/containers/${id}`, engineMessage: 'device or resource busy' }));
    t.docker.exit(id);
    t.set.replicaLost(id, 'container exited with code 1');
    await settle();
    assert.equal(t.logged('container.remove_failed').length, 1, 'said once, not per attempt');
    assert.equal(t.logged('container.removed').length, 0);
    assert.ok(t.set.status().some((c) => c.id === id && c.state === 'unhealthy'), 'still shown until it is gone');
    await t.step(1_000);
    assert.ok(t.docker.containers.has(id), 'second attempt failed too');
    await t.step(2_000);
    assert.ok(!t.docker.containers.has(id));
    assert.deepEqual(t.logged('container.removed').map((r) => r.container), [id]);
    assert.equal(t.docker.count('remove'), 3);
  });
});

describe('ContainerSet: fixed host ports (--host-ports)', () => {
  const range = { first: 18_000, last: 18_004 };

  test('containers started together get distinct ports', async () => {
    const t = setup({ initialDesired: 3, hostPorts: range });
    await t.startReady();
    assert.deepEqual(t.set.status().map((c) => c.hostPort).sort(), [18_000, 18_001, 18_002]);
    assert.equal(t.docker.inState('running').length, 3);
    assert.equal(t.logged('container.unhealthy').length, 0);
  });

  test('a fixed port is not probed before the engine confirmed the container got it', async () => {
    const t = setup({ initialDesired: 1, hostPorts: range });
    const release = t.docker.hold('start');
    await t.set.adopt();
    await settle();
    assert.deepEqual(t.set.healthTargets(), [], 'something else may answer on that port meanwhile');
    assert.equal(t.set.status()[0]?.hostPort, 18_000, 'status shows the port it is meant to get');
    release();
    await settle();
    assert.deepEqual(t.set.healthTargets().map((h) => h.port), [18_000]);
  });

  test('a replacement reuses the port its predecessor freed, once it is removed', async () => {
    const t = setup({ initialDesired: 2, hostPorts: { first: 18_000, last: 18_001 } });
    const releaseRemovals = t.docker.hold('remove');
    await t.startReady();
    const onFirst = t.set.status().find((c) => c.hostPort === 18_000)!;
    t.docker.exit(onFirst.id);
    t.set.replicaLost(onFirst.id, 'container exited with code 1');
    await settle();
    assert.equal(t.docker.count('create'), 2, 'no port is free while the old one is still being removed');
    assert.equal(t.logged('container.no_port').length, 1);
    releaseRemovals();
    await settle();
    await t.allAnswer();
    assert.equal(t.docker.count('create'), 3);
    assert.deepEqual(t.set.status().map((c) => c.hostPort).sort(), [18_000, 18_001]);
    assert.ok(!t.set.status().some((c) => c.id === onFirst.id));
  });

  test('a port held by something else is passed over, without back-off, and tried again after a while', async () => {
    const t = setup({ initialDesired: 3, hostPorts: range, portBlockMs: 30_000 });
    t.docker.outsidePorts.add(18_001);
    await t.startReady();
    await t.allAnswer();
    assert.deepEqual(t.set.status().filter((c) => c.state === 'ready').map((c) => c.hostPort).sort(), [18_000, 18_002, 18_003]);
    assert.equal(t.logged('container.port_taken').length, 1);
    assert.equal(t.logged('container.unhealthy').length, 0, 'not an app failure');
    assert.equal(t.set.backoffStatus().failureStreak, 0);
    assert.equal(t.docker.containers.size, 3, 'the container that could not bind was removed');
    // Once the block ends, a new container may use the port again.
    t.docker.outsidePorts.delete(18_001);
    await t.step(30_000);
    t.set.setDesired(4);
    await settle();
    await t.allAnswer();
    assert.deepEqual(t.set.status().map((c) => c.hostPort).sort(), [18_000, 18_001, 18_002, 18_003]);
  });

  test('when every free port is held by something else, waits for a block to end instead of spinning', async () => {
    const t = setup({ initialDesired: 1, hostPorts: { first: 18_000, last: 18_001 }, portBlockMs: 10_000 });
    t.docker.outsidePorts.add(18_000);
    t.docker.outsidePorts.add(18_001);
    await t.set.adopt();
    await settle();
    assert.equal(t.docker.count('create'), 2, 'each port tried once');
    await t.step(9_999);
    assert.equal(t.docker.count('create'), 2, 'no retry while both are blocked');
    t.docker.outsidePorts.delete(18_000);
    await t.step(1);
    assert.equal(t.docker.count('create'), 3);
    assert.equal(t.docker.inState('running')[0]?.hostPort, 18_000);
  });
});

describe('ContainerSet: adoption', () => {
  const labels = (spec: string | null): Record<string, string> => ({ [SERVICE_LABEL]: 'web', ...(spec === null ? {} : { [SPEC_LABEL]: spec }) });

  test('a running, healthy container of the same spec is adopted; exited and unhealthy ones are removed', async () => {
    const t = setup({ initialDesired: 1 }, new Set([41_002]));
    const hash = t.set.specHash;
    const good = t.docker.addRunning({ name: 'web-good', labels: labels(hash), hostPort: 41_001 });
    const exited = t.docker.addRunning({ name: 'web-exited', labels: labels(hash), hostPort: 41_003, state: 'exited' });
    const sick = t.docker.addRunning({ name: 'web-sick', labels: labels(hash), hostPort: 41_002 });
    const counts = await t.set.adopt();
    await settle();
    assert.deepEqual(counts, { adopted: 1, removed: 2 });
    assert.equal(t.docker.count('create'), 0, 'nothing to start');
    assert.deepEqual([...t.docker.containers.keys()], [good.id]);
    assert.ok(!t.docker.containers.has(exited.id) && !t.docker.containers.has(sick.id));
    const [status] = t.set.status();
    assert.equal(status?.adopted, true);
    assert.equal(status?.state, 'ready');
    assert.equal(status?.startedAt, new Date(good.startedAt!).toISOString(), 'its real start time');
    assert.ok(t.pool.get(good.id));
    const line = t.logged('container.adopted')[0];
    assert.match(line?.message ?? '', /web-good \(up 59s\) adopted/, 'the log says its age, not a join time');
    assert.equal(line?.fields?.['ageMs'], 59_000);
  });

  test('a container of another spec serves until its replacement is ready, then drains away', async () => {
    const t = setup({ initialDesired: 1 });
    const old = t.docker.addRunning({ name: 'web-old', labels: labels('0123456789abcdef'), hostPort: 41_001 });
    const counts = await t.set.adopt();
    await settle();
    assert.deepEqual(counts, { adopted: 1, removed: 0 });
    assert.match(t.logged('container.adopted')[0]?.message ?? '', /another spec/);
    assert.ok(t.pool.get(old.id), 'in rotation meanwhile');
    assert.equal(t.docker.count('create'), 1, 'a replacement of the current spec started');
    const oldUpstream = t.pool.get(old.id)!;
    oldUpstream.begin();
    await t.allAnswer();
    await settle();
    assert.equal(t.pool.get(old.id), undefined, 'out of rotation once the replacement is ready');
    assert.deepEqual(t.ids('draining'), [old.id]);
    assert.equal(t.pool.size, 1);
    oldUpstream.end();
    await settle();
    assert.ok(!t.docker.containers.has(old.id));
    assert.equal(t.docker.count('stop'), 1, 'stopped gently after draining');
    assert.equal(t.set.status().length, 1);
  });

  test('with --host-ports all held by outdated containers, they make room one at a time and the rollout completes', async () => {
    const t = setup({ initialDesired: 2, hostPorts: { first: 18_000, last: 18_001 } });
    const a = t.docker.addRunning({ name: 'web-a', labels: labels('0123456789abcdef'), hostPort: 18_000 });
    const b = t.docker.addRunning({ name: 'web-b', labels: labels('0123456789abcdef'), hostPort: 18_001 });
    await t.set.adopt();
    await settle();
    assert.equal(t.pool.size, 1, 'one outdated container serves while the other made room');
    assert.equal(t.docker.count('create'), 1, 'one replacement at a time');
    for (let i = 0; i < 3; i++) {
      await t.allAnswer();
      await settle();
    }
    assert.ok(!t.docker.containers.has(a.id) && !t.docker.containers.has(b.id), 'both outdated containers replaced');
    const status = t.set.status();
    assert.deepEqual(status.map((c) => c.hostPort).sort(), [18_000, 18_001]);
    assert.ok(status.every((c) => c.state === 'ready' && !c.adopted));
    assert.equal(t.logged('container.no_port').length, 0);
  });

  test('a container of no service label is never touched', async () => {
    const t = setup({ initialDesired: 1 });
    const stranger = t.docker.addRunning({ name: 'someone-else', labels: { app: 'x' }, hostPort: 41_009 });
    await t.startReady();
    await t.set.shutdown();
    assert.ok(t.docker.containers.has(stranger.id));
    assert.equal(t.docker.containers.size, 1);
  });
});

describe('ContainerSet: the engine goes away and comes back', () => {
  test('an outage is its own state: one line each way, no back-off, removals retried, then reconciled', async () => {
    const t = setup({ initialDesired: 3, enginePollMs: 1_000 });
    await t.startReady();
    const [crashed, stopped, survivor] = t.ids('ready') as [string, string, string];
    t.docker.up = false;
    // The engine went away: one container died with it, one the owner hears of.
    t.docker.exit(crashed);
    t.set.replicaLost(crashed, 'container exited with code 137');
    await settle();
    assert.deepEqual(t.set.engineStatus(), { state: 'unavailable', since: t.clock.now() });
    assert.equal(t.logged('engine.unavailable').length, 1);
    assert.equal(t.logged('container.create_failed').length, 0, 'a refused create is not an app failure');
    assert.equal(t.logged('container.removed').length, 0, 'never logged for a container still on the engine');
    assert.ok(t.pool.get(survivor) && t.pool.get(stopped), 'the others keep serving');
    t.docker.containers.get(stopped)!.state = 'exited'; // died while the engine was away, no event seen
    for (let i = 0; i < 10; i++) await t.step(1_000);
    assert.equal(t.logged('engine.unavailable').length, 1, 'said once per outage');
    assert.equal(t.logged('container.remove_failed').length, 1);
    const createsDuringOutage = t.docker.count('create');

    t.docker.up = true;
    await t.step(1_000);
    assert.equal(t.set.engineStatus().state, 'up');
    assert.equal(t.logged('engine.available').length, 1);
    assert.match(t.logged('engine.available')[0]?.message ?? '', /after 11000ms/);
    assert.ok(!t.docker.containers.has(crashed), 'the failed removal was retried');
    assert.ok(!t.docker.containers.has(stopped), 'the container that stopped during the outage was found and removed');
    assert.deepEqual(t.logged('container.removed').map((r) => r.container).sort(), [crashed, stopped].sort());
    assert.equal(t.set.backoffStatus().failureStreak, 0, 'the outage does not count toward the back-off');
    assert.ok(t.docker.count('create') > createsDuringOutage, 'missing containers started at once');
    await t.allAnswer();
    assert.equal(t.ids('ready').length, 3);
    assert.ok(t.pool.get(survivor));
  });

  test('the events stream breaking puts the owner in the state; the engine answering ends it', async () => {
    const t = setup({ initialDesired: 1, enginePollMs: 500 });
    await t.startReady();
    t.set.engineError(new Error('some other failure'));
    assert.equal(t.set.engineStatus().state, 'up', 'only "the engine is away" counts');
    t.set.engineError(unavailable());
    assert.equal(t.set.engineStatus().state, 'unavailable');
    await t.step(500);
    assert.equal(t.set.engineStatus().state, 'up');
    assert.equal(t.docker.count('create'), 1, 'nothing was missing');
  });

  test('a container the engine started but whose answer was lost is adopted when the engine is back', async () => {
    const t = setup({ initialDesired: 1, enginePollMs: 1_000 });
    await t.startReady();
    t.docker.up = false;
    t.set.engineError(unavailable());
    // Someone (an earlier create whose answer was lost) left a current container.
    const found = t.docker.addRunning({ name: 'web-lost', labels: { [SERVICE_LABEL]: 'web', [SPEC_LABEL]: t.set.specHash }, hostPort: 41_005 });
    t.docker.up = true;
    await t.step(1_000);
    assert.equal(t.logged('container.adopted')[0]?.container, found.id);
    await settle();
    assert.equal(t.docker.count('create'), 1, 'nothing new was started');
    assert.equal(t.ids('ready').length, 1, 'one of the two is scaled away');
    assert.equal(t.docker.inState('running').length, 1);
  });

  test('a container removed behind our back during the outage is replaced when the engine is back, without back-off', async () => {
    const t = setup({ initialDesired: 2, enginePollMs: 1_000 });
    await t.startReady();
    const [gone] = t.ids('ready') as [string];
    t.set.engineError(unavailable());
    t.docker.up = false;
    t.docker.containers.delete(gone); // `docker rm -f` while we could not hear it
    t.docker.up = true;
    await t.step(1_000);
    assert.match(t.logged('container.unhealthy').find((r) => r.container === gone)?.message ?? '', /vanished while the engine was away/);
    assert.equal(t.docker.count('create'), 3, 'replaced at once');
    assert.equal(t.set.backoffStatus().failureStreak, 0);
  });

  test('the engine going away between create and start: the container is removed once it is back, then replaced', async () => {
    const t = setup({ initialDesired: 1, enginePollMs: 1_000 });
    t.docker.failNext('start', unavailable());
    await t.set.adopt();
    await settle();
    assert.equal(t.set.engineStatus().state, 'unavailable');
    assert.equal(t.set.backoffStatus().failureStreak, 0, 'not the app failing');
    const [first] = [...t.docker.containers.keys()];
    await t.step(1_000);
    assert.equal(t.set.engineStatus().state, 'up');
    assert.ok(!t.docker.containers.has(first!), 'the half-started container was removed');
    assert.equal(t.docker.count('create'), 2);
    await t.allAnswer();
    assert.equal(t.ids('ready').length, 1);
  });

  test('shutdown while the engine is away retries removals until the deadline, then says what it left', async () => {
    const t = setup({ initialDesired: 1, shutdownRetryMs: 5_000 });
    await t.startReady();
    t.docker.up = false;
    let done = false;
    void t.set.shutdown().then(() => (done = true));
    await settle();
    for (let i = 0; i < 4; i++) await t.step(1_000);
    assert.equal(done, false, 'still retrying');
    await t.step(2_000);
    assert.equal(done, true);
    assert.equal(t.logged('container.remove_abandoned').length, 1);
    assert.equal(t.logged('container.removed').length, 0);
  });
});

describe('ContainerSet: shutdown', () => {
  test('stop during start: a container being created when shutdown begins is removed once it exists', async () => {
    const t = setup({ initialDesired: 2 });
    const release = t.docker.hold('create');
    await t.set.adopt();
    await settle();
    let done = false;
    void t.set.shutdown().then(() => (done = true));
    await settle();
    assert.equal(done, false, 'shutdown waits for the decision under way');
    release();
    await settle();
    assert.equal(done, true);
    assert.equal(t.docker.containers.size, 0, 'nothing left behind');
    assert.equal(t.docker.count('create'), 2, 'nothing new started after shutdown began');
    t.set.setDesired(5);
    await settle();
    assert.equal(t.docker.count('create'), 2);
  });

  test('drains in-flight requests, stops and removes every container', async () => {
    const t = setup({ initialDesired: 2 });
    await t.startReady();
    const [busy] = t.ids('ready') as [string];
    const upstream = t.pool.get(busy)!;
    upstream.begin();
    let done = false;
    void t.set.shutdown().then(() => (done = true));
    await settle();
    assert.equal(t.pool.size, 0);
    assert.equal(done, false);
    assert.equal(t.docker.containers.size, 1, 'the idle one is gone, the busy one drains');
    upstream.end();
    await settle();
    assert.equal(done, true);
    assert.equal(t.docker.containers.size, 0);
  });

  test('keep: leaves the containers running for the next start', async () => {
    const t = setup({ initialDesired: 2 });
    await t.startReady();
    await t.set.shutdown({ keep: true });
    assert.equal(t.docker.inState('running').length, 2);
    assert.equal(t.docker.count('stop') + t.docker.count('remove'), 0);
  });

  test('a starting container that never answers 200 is replaced after the startup timeout', async () => {
    const t = setup({ initialDesired: 1, backoff: new BackoffTracker() });
    await t.set.adopt();
    await settle();
    const [id] = t.ids('starting') as [string];
    t.probe(id, { ok: false, error: 'ECONNREFUSED' });
    await t.step(9_999);
    t.probe(id, { ok: false, status: 500 });
    assert.deepEqual(t.ids('starting'), [id], 'still within its startup time');
    await t.step(1);
    t.probe(id, { ok: false, status: 500 });
    await settle();
    assert.ok(!t.docker.containers.has(id));
    assert.match(t.logged('container.unhealthy')[0]?.message ?? '', /did not answer 200 within 10s: HTTP 500/);
  });
});
