// SwarmRuntime against a fake swarm manager and the fake clock: creating pins the image,
// start waits for a running task with its port, stop waits for the task, the watch
// reports each loss once (node down, task replaced, service gone) and an outage once.
// Over ~350 lines: one runtime, every call and every way the swarm answers it, side by side.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DockerClient } from '../../src/docker/client.js';
import { SymphonyError } from '../../src/errors.js';
import { EventLogger, type LogRecord } from '../../src/log.js';
import { SwarmRuntime, configureSwarm } from '../../src/runtime/swarm.js';
import { FakeClock } from '../helpers/fake-clock.js';
import type { FakeEngine } from '../helpers/fake-engine.js';
import { FakeSwarm } from '../helpers/fake-swarm.js';

const engines: FakeEngine[] = [];
after(async () => {
  await Promise.all(engines.map((e) => e.close()));
});

const LABELS = { 'docker-symphony.service': 'web', 'docker-symphony.image': 'app:1', 'docker-symphony.spec': 'h1' };
const spec = (name: string) => ({ image: 'app:1', name, containerPort: 80, labels: LABELS, hostIp: '127.0.0.1', stopTimeoutSeconds: 2 });

async function setup(fields: { pollMs?: number; startupTimeoutMs?: number } = {}) {
  const swarm = new FakeSwarm();
  swarm.images['app:1'] = { Id: 'sha256:aaa', RepoDigests: [] };
  const engine = await swarm.start();
  engines.push(engine);
  const clock = new FakeClock();
  const records: LogRecord[] = [];
  const logger = new EventLogger({ level: 'debug', now: () => clock.now(), sinks: [(r) => records.push(r)] });
  const docker = new DockerClient({ host: engine.host, apiVersion: '1.41' });
  const runtime = new SwarmRuntime({ docker, service: 'web', containerPort: 80, clock, logger, pollMs: fields.pollMs ?? 1000, startupTimeoutMs: fields.startupTimeoutMs ?? 10_000 });
  return { swarm, engine, clock, records, runtime };
}

/** Waits (on real I/O, not time) until `cond` holds. */
async function until(cond: () => boolean, what = 'the condition'): Promise<void> {
  const started = Date.now();
  while (!cond()) {
    if (Date.now() - started > 5000) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Settles `promise`, moving the fake clock on by `stepMs` each time the runtime waits on it. */
async function drive<T>(clock: FakeClock, promise: Promise<T>, stepMs: number): Promise<T> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  while (!settled) {
    await until(() => settled || clock.pending > 0, 'the runtime to wait');
    if (!settled) clock.advance(stepMs);
  }
  return promise;
}

describe('SwarmRuntime create', () => {
  test('one service per replica, the image pinned once per image string', async () => {
    const { swarm, engine, runtime, records } = await setup();
    swarm.images['app:1'] = { Id: 'sha256:aaa', RepoDigests: ['app@sha256:ddd'] };
    const a = await runtime.create(spec('web-a'));
    const b = await runtime.create(spec('web-b'));
    assert.notEqual(a.id, b.id);
    assert.equal(engine.requests.filter((r) => r.url.includes('/images/')).length, 1);
    const body = JSON.parse(engine.requests.find((r) => r.url.endsWith('/services/create'))?.body ?? '{}');
    assert.equal(body.Name, 'web-a');
    assert.deepEqual(body.Labels, LABELS);
    assert.equal(body.TaskTemplate.ContainerSpec.Image, 'app@sha256:ddd');
    assert.equal(body.TaskTemplate.ContainerSpec.StopGracePeriod, 2e9);
    assert.deepEqual(body.TaskTemplate.RestartPolicy, { Condition: 'any', Delay: 1e9 });
    assert.deepEqual(body.Mode, { Replicated: { Replicas: 1 } });
    assert.deepEqual(body.EndpointSpec, { Mode: 'dnsrr', Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishMode: 'host' }] });
    assert.ok(records.some((r) => r.event === 'swarm.image_pinned' && r.message === 'tasks run app:1 as app@sha256:ddd'));
  });

  test('an image the manager lacks: IMAGE_UNAVAILABLE, asked again next time', async () => {
    const { swarm, runtime } = await setup();
    delete swarm.images['app:1'];
    await assert.rejects(runtime.create(spec('web-a')), (err: unknown) => err instanceof SymphonyError && err.code === 'IMAGE_UNAVAILABLE' && /load it there first/.test(err.message));
    swarm.images['app:1'] = { Id: 'sha256:aaa' };
    await runtime.create(spec('web-a'));
    assert.equal(JSON.parse(JSON.stringify([...swarm.services.values()][0])).Spec.TaskTemplate.ContainerSpec.Image, 'sha256:aaa');
  });

  test('what a swarm cannot do is refused before any request', async () => {
    const { engine, runtime } = await setup();
    await assert.rejects(runtime.create({ ...spec('web-a'), hostPort: 8001 }), (err: unknown) => err instanceof SymphonyError && err.code === 'SWARM_UNSUPPORTED');
    assert.equal(engine.requests.length, 0);
  });
});

describe('SwarmRuntime start, stop, remove', () => {
  test('start resolves once the task runs, desired running, on a ready node, with its port (listed twice)', async () => {
    const { swarm, clock, runtime } = await setup();
    const { id } = await runtime.create(spec('web-a'));
    const task = swarm.tasks[0]!;
    const started = runtime.start(id);
    const t0 = clock.now();
    await until(() => clock.pending > 0, 'the first look');
    swarm.setTask(task, 'running'); // running, but no port yet
    clock.advance(200);
    await until(() => clock.pending > 0, 'the second look');
    swarm.publish(task, 30001);
    const result = await drive(clock, started, 200);
    assert.deepEqual(result, { address: { host: '10.9.0.2', port: 30001 }, startedAt: Date.parse(task.Status.Timestamp), node: 'w1' });
    assert.equal(clock.now() - t0, 400);
    assert.equal(await runtime.startedAt(id), Date.parse(task.Status.Timestamp));
  });

  test("a rejected task rejects start with Swarm's reason and what to do", async () => {
    const { swarm, clock, runtime } = await setup();
    const { id } = await runtime.create(spec('web-a'));
    swarm.setTask(swarm.tasks[0]!, 'rejected', { err: 'No such image: sha256:aaa', desired: 'shutdown' });
    swarm.addTask(id, { state: 'pending' }); // Swarm's retry
    await assert.rejects(drive(clock, runtime.start(id), 200), (err: unknown) => {
      assert.ok(err instanceof SymphonyError);
      assert.equal(err.code, 'SWARM_START_FAILED');
      assert.match(err.message, /rejected: No such image: sha256:aaa \(the image is pinned by ID: load it on every node/);
      return true;
    });
  });

  test('start of a replica Swarm restarted waits for its new task; old failures do not count', async () => {
    const { swarm, clock, runtime } = await setup();
    const { id } = await runtime.create(spec('web-a'));
    const first = swarm.tasks[0]!;
    swarm.setTask(first, 'running');
    swarm.publish(first, 30001);
    await drive(clock, runtime.start(id), 200);
    swarm.setTask(first, 'failed', { err: 'task: non-zero exit (1)', desired: 'shutdown' });
    const second = swarm.addTask(id, { state: 'starting' });
    const again = runtime.start(id);
    await until(() => clock.pending > 0, 'the first look');
    swarm.setTask(second, 'running');
    swarm.publish(second, 30002);
    assert.equal((await drive(clock, again, 200)).address.port, 30002);
  });

  test('a task that never runs rejects start after startupTimeoutMs', async () => {
    const { clock, runtime } = await setup({ startupTimeoutMs: 1000 });
    const { id } = await runtime.create(spec('web-a'));
    const t0 = clock.now();
    await assert.rejects(drive(clock, runtime.start(id), 200), /still 'pending' after 1000 ms/);
    assert.equal(clock.now() - t0, 1000);
    assert.equal(await runtime.startedAt(id), null);
  });

  test('stop removes the service and waits for its task to stop; remove of a gone one is fine', async () => {
    const { swarm, engine, clock, runtime } = await setup();
    const { id } = await runtime.create(spec('web-a'));
    const task = swarm.tasks[0]!;
    swarm.setTask(task, 'running');
    let stopped = false;
    const stopping = runtime.stop(id, 2).then(() => (stopped = true));
    await until(() => clock.pending > 0, 'stop to wait');
    assert.ok(engine.requests.some((r) => r.method === 'DELETE' && r.url.endsWith(`/services/${id}`)));
    assert.equal(swarm.services.size, 0);
    clock.advance(200);
    await until(() => clock.pending > 0, 'stop to look again');
    assert.equal(stopped, false);
    swarm.setTask(task, 'shutdown');
    await drive(clock, stopping, 200);
    await runtime.remove(id);
    await runtime.stop(id, 2);
  });

  test('stop gives up waiting after the grace period and 5 s', async () => {
    const { swarm, clock, runtime, records } = await setup();
    const { id } = await runtime.create(spec('web-a'));
    swarm.setTask(swarm.tasks[0]!, 'running');
    const t0 = clock.now();
    await drive(clock, runtime.stop(id, 1), 200);
    assert.equal(clock.now() - t0, 6000);
    assert.ok(records.some((r) => r.event === 'swarm.stop_slow'));
  });
});

describe('SwarmRuntime list and watch', () => {
  /** A started replica on node n2 (w1) at port `port`. */
  async function startedReplica(ctx: Awaited<ReturnType<typeof setup>>, name: string, port: number): Promise<string> {
    const { id } = await ctx.runtime.create(spec(name));
    const task = ctx.swarm.tasks.find((t) => t.ServiceID === id)!;
    ctx.swarm.setTask(task, 'running');
    ctx.swarm.publish(task, port);
    await drive(ctx.clock, ctx.runtime.start(id), 200);
    return id;
  }

  function watch(ctx: Awaited<ReturnType<typeof setup>>) {
    const lost: string[] = [];
    const broken: unknown[] = [];
    const w = ctx.runtime.watch({ lost: (id, reason) => lost.push(`${id}: ${reason}`), broken: (err) => broken.push(err) });
    /** One poll after the next pollMs: its three requests answered and the loop asleep again. */
    const poll = async (): Promise<void> => {
      const n = ctx.engine.requests.length;
      ctx.clock.advance(1000);
      await until(() => ctx.engine.requests.length >= n + 3 && ctx.clock.pending > 0, 'a poll');
    };
    return { lost, broken, w, poll };
  }

  test('list: every service of ours, whatever its state; foreign services left out', async () => {
    const ctx = await setup();
    const a = await startedReplica(ctx, 'web-a', 30001);
    const { id: b } = await ctx.runtime.create(spec('web-b'));
    await ctx.runtime.create({ ...spec('other-a'), labels: { 'docker-symphony.service': 'other' } });
    const listed = await ctx.runtime.list();
    assert.deepEqual(
      listed.map((r) => [r.id, r.name, r.state, r.image, r.node, r.address && `${r.address.host}:${r.address.port}`, r.labels['docker-symphony.spec']]),
      [
        [a, 'web-a', 'running', 'app:1', 'w1', '10.9.0.2:30001', 'h1'],
        [b, 'web-b', 'pending', 'app:1', 'w1', null, 'h1'],
      ],
    );
    assert.ok(listed.every((r) => r.createdAt > 0));
  });

  test('node down: lost once with the node, while its task still reads running; replaced tasks and vanished services too', async () => {
    const ctx = await setup();
    const a = await startedReplica(ctx, 'web-a', 30001);
    const b = await startedReplica(ctx, 'web-b', 30002);
    const c = await startedReplica(ctx, 'web-c', 30003);
    const d = await startedReplica(ctx, 'web-d', 30004);
    // b and c on the manager's node n1; a and d on w1.
    for (const id of [b, c]) ctx.swarm.tasks.find((t) => t.ServiceID === id)!.NodeID = 'n1';
    const { lost, broken, w, poll } = watch(ctx);
    try {
      await until(() => ctx.clock.pending > 0, 'the first poll');
      assert.deepEqual(lost, []);
      ctx.swarm.setNode('n2', 'down');
      await poll();
      assert.deepEqual(lost.sort(), [`${a}: its node w1 is down`, `${d}: its node w1 is down`].sort());
      await poll();
      assert.equal(lost.length, 2, 'said once');

      // Swarm restarted b's task: a new task, a new port.
      const old = ctx.swarm.tasks.find((t) => t.ServiceID === b)!;
      ctx.swarm.setTask(old, 'failed', { err: 'task: non-zero exit (137)', desired: 'shutdown' });
      ctx.swarm.addTask(b, { state: 'running', nodeId: 'n1', port: 30005 });
      // c removed behind our back.
      ctx.swarm.services.delete(c);
      await poll();
      assert.deepEqual(lost.slice(2).sort(), [`${b}: its task failed: task: non-zero exit (137); Swarm replaced it with a new task (a new address)`, `${c}: its Swarm service was removed`].sort());
      assert.deepEqual(broken, []);
    } finally {
      await w.stop();
    }
  });

  test('our own stop or remove is not a loss; a listed running replica is followed like a started one', async () => {
    const ctx = await setup();
    const a = await startedReplica(ctx, 'web-a', 30001);
    const fresh = new SwarmRuntime({ docker: new DockerClient({ host: ctx.engine.host, apiVersion: '1.41' }), service: 'web', containerPort: 80, clock: ctx.clock });
    const b = await startedReplica(ctx, 'web-b', 30002);
    await ctx.runtime.remove(b);
    const { lost, w, poll } = watch(ctx);
    const adopted: string[] = [];
    const w2 = fresh.watch({ lost: (id, reason) => adopted.push(`${id}: ${reason}`), broken: () => {} });
    try {
      await fresh.list();
      await until(() => ctx.clock.pending > 1, 'both watches');
      ctx.swarm.setTask(ctx.swarm.tasks.find((t) => t.ServiceID === a)!, 'failed', { err: 'task: non-zero exit (1)' });
      await poll();
      await until(() => adopted.length > 0, 'the adopted replica lost');
      assert.deepEqual(lost, [`${a}: its task failed: task: non-zero exit (1)`]);
      assert.deepEqual(adopted, [`${a}: its task failed: task: non-zero exit (1)`]);
    } finally {
      await w.stop();
      await w2.stop();
    }
  });

  test('a manager that stops answering is reported once per outage', async () => {
    const ctx = await setup();
    await startedReplica(ctx, 'web-a', 30001);
    const { lost, broken, w, poll } = watch(ctx);
    try {
      await until(() => ctx.clock.pending > 0, 'the first poll');
      ctx.swarm.down = true;
      await poll();
      await poll();
      assert.equal(broken.length, 1);
      assert.equal((broken[0] as { code?: string }).code, 'DOCKER_UNAVAILABLE');
      ctx.swarm.down = false;
      await poll();
      assert.ok(ctx.records.some((r) => r.event === 'swarm.watch_recovered'));
      ctx.swarm.down = true;
      await poll();
      assert.equal(broken.length, 2);
      assert.deepEqual(lost, []);
    } finally {
      ctx.swarm.down = false;
      await w.stop();
    }
  });

  test('a manager that answers with errors is said once per kind, not reported broken', async () => {
    const ctx = await setup();
    await startedReplica(ctx, 'web-a', 30001);
    const { lost, broken, w, poll } = watch(ctx);
    try {
      await until(() => ctx.clock.pending > 0, 'the first poll');
      ctx.swarm.failing = 'rpc error: code = Unknown desc = The swarm does not have a leader.';
      await poll();
      await poll();
      const warned = ctx.records.filter((r) => r.event === 'swarm.watch_failed');
      assert.equal(warned.length, 1);
      assert.match(warned[0]?.message ?? '', /does not have a leader.*retrying every 1000ms/);
      assert.deepEqual([lost, broken], [[], []]);
    } finally {
      ctx.swarm.failing = null;
      await w.stop();
    }
  });

  test('an event during a poll cues another one 100 ms later; a closed event stream is opened again', async () => {
    const ctx = await setup();
    const a = await startedReplica(ctx, 'web-a', 30001);
    const { lost, w } = watch(ctx);
    try {
      await until(() => ctx.clock.pending > 0 && ctx.swarm.streams.length === 1, 'the poll loop asleep and the stream open');
      let release!: () => void;
      ctx.swarm.nodesGate = new Promise<void>((resolve) => (release = resolve));
      const n = ctx.engine.requests.length;
      ctx.clock.advance(1000);
      await until(() => ctx.engine.requests.length >= n + 3, 'a poll in flight');
      ctx.swarm.setNode('n2', 'down');
      ctx.swarm.emit('node');
      await until(() => ctx.records.some((r) => r.event === 'swarm.event'), 'the event');
      ctx.swarm.nodesGate = null;
      release(); // this poll read the lists before the node went down: nothing lost yet
      await until(() => ctx.clock.pending > 0, 'the cued gap');
      assert.deepEqual(lost, []);
      const t0 = ctx.clock.now();
      ctx.clock.advance(100);
      await until(() => lost.length === 1, 'the cued poll');
      assert.deepEqual([lost, ctx.clock.now() - t0], [[`${a}: its node w1 is down`], 100]);

      ctx.swarm.streams.shift()?.end();
      await until(() => ctx.records.some((r) => r.event === 'swarm.events_closed'), 'the stream closed');
      ctx.clock.advance(1000);
      await until(() => ctx.swarm.streams.length === 1, 'the stream open again');
    } finally {
      await w.stop();
    }
  });

  test('a node event cues a poll at once, without waiting for pollMs', async () => {
    const ctx = await setup();
    const a = await startedReplica(ctx, 'web-a', 30001);
    const { lost, w } = watch(ctx);
    try {
      await until(() => ctx.clock.pending > 0 && ctx.swarm.streams.length === 1, 'the poll loop asleep and the stream open');
      const t0 = ctx.clock.now();
      ctx.swarm.setNode('n2', 'down');
      ctx.swarm.emit('node');
      await until(() => lost.length === 1, 'the loss');
      assert.deepEqual(lost, [`${a}: its node w1 is down`]);
      assert.equal(ctx.clock.now(), t0);
    } finally {
      await w.stop();
    }
    assert.equal(ctx.clock.pending, 0, 'stop ends the loop and its timers');
  });
});

describe('configureSwarm', () => {
  test('sets the heartbeat, keeps the rest of the spec, retries a stale version, logs before and after', async () => {
    const { swarm, runtime, records } = await setup();
    swarm.racingUpdates = 2;
    assert.deepEqual(await runtime.configureSwarm({ heartbeatMs: 1000 }), { heartbeatMs: 1000, previousHeartbeatMs: 5000 });
    assert.deepEqual(swarm.swarm.spec, { Name: 'default', Dispatcher: { HeartbeatPeriod: 1e9 }, Raft: { ElectionTick: 10 } });
    assert.ok(records.some((r) => r.event === 'swarm.heartbeat' && r.message === "the swarm's heartbeat period was 5000ms; now 1000ms (--swarm-heartbeat)"));
  });

  test('already set: nothing sent', async () => {
    const { swarm, engine, runtime } = await setup();
    swarm.swarm.spec = { Dispatcher: { HeartbeatPeriod: 1e9 } };
    assert.deepEqual(await runtime.configureSwarm({ heartbeatMs: 1000 }), { heartbeatMs: 1000, previousHeartbeatMs: 1000 });
    assert.ok(!engine.requests.some((r) => r.method === 'POST'));
  });

  test('a heartbeat that is not a positive whole number of ms is refused', async () => {
    for (const heartbeatMs of [0, -1, 1.5, Number.NaN]) {
      await assert.rejects(configureSwarm({ updateSwarm: () => Promise.reject(new Error('not called')) }, { heartbeatMs }), (err: unknown) => err instanceof SymphonyError && err.code === 'SWARM_CONFIG');
    }
  });
});
