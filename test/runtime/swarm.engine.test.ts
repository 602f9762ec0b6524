// SwarmRuntime on a real 3-node swarm (scripts/swarm-up.sh; root only): replicas get
// addresses on node addresses that answer this process, list shows them with their
// nodes, a worker's dockerd killed is reported lost with its node, and removal ends them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DockerClient } from '../../src/docker/client.js';
import { NotSwarmManagerError, SwarmApi } from '../../src/docker/swarm.js';
import { EventLogger, type LogRecord } from '../../src/log.js';
import { SERVICE_LABEL } from '../../src/orchestrator/labels.js';
import { baseSpec, instanceSpec } from '../../src/orchestrator/spec.js';
import { SwarmRuntime } from '../../src/runtime/swarm.js';
import { DEMO_IMAGE, dockerForTests } from '../helpers/engine.js';
import { httpGet, swarmSkipReason, swarmUp, type Swarm } from '../helpers/swarm.js';

const skip = swarmSkipReason();
const HEALTH = '/api/v1/_health';

/** GET /health until 200 or 10 s. */
async function healthy(host: string, port: number): Promise<{ status: number; body: string; ms: number }> {
  const t0 = performance.now();
  for (;;) {
    const answer = await httpGet(host, port, HEALTH, 1000);
    const ms = Math.round(performance.now() - t0);
    if (answer.status === 200 || ms > 10_000) return { ...answer, ms };
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('SwarmRuntime on a real swarm', { skip: skip ?? false }, () => {
  let swarm: Swarm;
  let runtime: SwarmRuntime;
  const records: LogRecord[] = [];
  const service = `swarmrt-${randomBytes(3).toString('hex')}`;
  const base = baseSpec({ service, image: DEMO_IMAGE, containerPort: 80, stopTimeoutMs: 2000 });
  const replica = (n: number) => instanceSpec(base, { name: `${service}-${n}`, hostPort: 0, hash: 'h1' });

  // The runtime's timers are unref'd (the proxy keeps a real process alive): keep this one alive meanwhile.
  let keepAlive: NodeJS.Timeout | undefined;
  let configuredAt = 0;
  before(async () => {
    keepAlive = setInterval(() => {}, 1000);
    swarm = await swarmUp({ nodes: 3 });
    runtime = new SwarmRuntime({
      docker: swarm.manager,
      service,
      containerPort: 80,
      logger: new EventLogger({ level: 'debug', sinks: [(r) => records.push(r)] }),
      pollMs: 1000,
      startupTimeoutMs: 30_000,
    });
  });

  after(async () => {
    try {
      const left = await new SwarmApi(swarm.manager).listServices({ labels: [`${SERVICE_LABEL}=${service}`] });
      await Promise.all(left.map((s) => runtime.remove(s.id)));
    } finally {
      await swarm?.down();
      clearInterval(keepAlive);
    }
  });

  test('the manager passes; a worker and a plain engine are refused with what to do', async () => {
    await runtime.requireManager();
    const worker = new SwarmApi(new DockerClient({ host: { kind: 'unix', socketPath: swarm.node(2).socket } }));
    await assert.rejects(worker.requireManager(), (err: unknown) => err instanceof NotSwarmManagerError && /worker of a swarm/.test(err.message));
    // A worker answers the service endpoints with 503: the same error.
    await assert.rejects(worker.listServices(), (err: unknown) => err instanceof NotSwarmManagerError && err.code === 'SWARM_NOT_MANAGER');
    // The shared engine, when it is in no swarm (GET /info and GET /services only).
    const plain = new SwarmApi(dockerForTests());
    if ((await plain.info()).localNodeState === 'inactive') {
      await assert.rejects(plain.requireManager(), (err: unknown) => err instanceof NotSwarmManagerError && /not part of a swarm/.test(err.message));
      await assert.rejects(plain.listServices(), (err: unknown) => err instanceof NotSwarmManagerError && /docker swarm init/.test(err.message));
    }
  });

  test('the heartbeat is set on request, and said', async () => {
    const settings = await runtime.configureSwarm({ heartbeatMs: 1000 });
    configuredAt = performance.now();
    assert.deepEqual(settings, { heartbeatMs: 1000, previousHeartbeatMs: 5000 });
    assert.equal((await runtime.swarm.inspectSwarm()).heartbeatPeriodNs, 1e9);
  });

  test('create → start: each replica answers 200 at its node address; list shows them; a killed worker is lost; remove ends them', async () => {
    const t0 = performance.now();
    const created = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => runtime.create(replica(n))));
    const started = await Promise.all(created.map(({ id }) => runtime.start(id)));
    const startMs = Math.round(performance.now() - t0);
    const nodeAddresses = new Map(swarm.nodes.map((n) => [n.hostname, n.address]));
    for (const s of started) {
      assert.ok(s.node !== null && nodeAddresses.get(s.node) === s.address.host, `${s.node} at ${s.address.host}`);
      // Running is not ready: the app may still be binding its port (the owner's health check waits for 200).
      const answer = await healthy(s.address.host, s.address.port);
      assert.equal(answer.status, 200, `${s.address.host}:${s.address.port}: ${answer.body}`);
      assert.ok(s.startedAt !== null && Math.abs(Date.now() - s.startedAt) < 60_000);
    }
    const spread = new Map<string, number>();
    for (const s of started) spread.set(s.node ?? '', (spread.get(s.node ?? '') ?? 0) + 1);
    console.log(`# 6 replicas created and started in ${startMs} ms, spread ${JSON.stringify(Object.fromEntries(spread))}`);

    const listed = await runtime.list();
    assert.equal(listed.length, 6);
    assert.ok(listed.every((r) => r.state === 'running' && r.address !== null && r.node !== null && r.labels[SERVICE_LABEL] === service));

    const lost: { id: string; reason: string; ms: number }[] = [];
    const broken: unknown[] = [];
    const watch = runtime.watch({ lost: (id, reason) => lost.push({ id, reason, ms: Math.round(performance.now() - killedAt) }), broken: (err) => broken.push(err) });
    let killedAt = performance.now();
    try {
      // Kill the worker with the most replicas (never the manager: node 1).
      const victim = swarm.nodes.slice(1).sort((a, b) => (spread.get(b.hostname) ?? 0) - (spread.get(a.hostname) ?? 0))[0]!;
      const onVictim = created.filter((_, i) => started[i]?.node === victim.hostname).map((c) => c.id);
      assert.ok(onVictim.length > 0, 'Swarm spread replicas onto the workers');
      // Each node takes the new heartbeat with its next one (up to the old 5 s): until then a dead node is seen late.
      while (performance.now() - configuredAt < 6000) await new Promise((r) => setTimeout(r, 100));
      killedAt = performance.now();
      await swarm.killNode(victim.index);
      const deadline = performance.now() + 30_000;
      while (lost.length < onVictim.length && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      console.log(`# killed ${victim.hostname}: ${lost.map((l) => `${l.id.slice(0, 6)} lost after ${l.ms} ms (${l.reason})`).join('; ')}`);
      assert.deepEqual(lost.map((l) => l.id).sort(), [...onVictim].sort());
      for (const l of lost) assert.equal(l.reason, `its node ${victim.hostname} is down`);
      // Its containers keep answering at their old address: why the node state decides, not the app.
      const oldAddress = started[created.findIndex((c) => c.id === onVictim[0])]!.address;
      console.log(`# the killed node's replica still answers: ${(await httpGet(oldAddress.host, oldAddress.port, HEALTH)).status}`);

      // A replica's container killed on a live node: Swarm restarts it as a new task, at a new port.
      const crashed = created.findIndex((c, i) => !onVictim.includes(c.id) && started[i]?.node !== swarm.managerNode.hostname);
      const crashedId = created[crashed]!.id;
      const [task] = (await runtime.swarm.listTasks({ service: [crashedId], desiredState: ['running'] })).filter((t) => t.state === 'running');
      const node = swarm.nodeByHostname(started[crashed]!.node ?? '')!;
      killedAt = performance.now();
      assert.equal((await swarm.api('POST', `/containers/${task!.containerId}/kill`, undefined, node.index)).status, 204);
      while (!lost.some((l) => l.id === crashedId) && performance.now() < killedAt + 10_000) await new Promise((r) => setTimeout(r, 50));
      const crash = lost.find((l) => l.id === crashedId);
      console.log(`# killed the container of ${crashedId.slice(0, 6)}: lost after ${crash?.ms} ms (${crash?.reason})`);
      assert.match(crash?.reason ?? '', /^its task failed: task: non-zero exit \(137\)/);
      const again = await runtime.start(crashedId);
      console.log(`# its new task runs at ${again.address.host}:${again.address.port} (was ${started[crashed]!.address.port}) ${Math.round(performance.now() - killedAt)} ms after the kill`);
      assert.deepEqual(broken, []);
      assert.ok(records.some((r) => r.event === 'swarm.events_open'), 'the manager takes the service/node event filter');
      assert.deepEqual(records.filter((r) => r.level === 'warn').map((r) => r.message), []);
    } finally {
      await watch.stop();
    }

    const t1 = performance.now();
    const survivor = created.findIndex((c) => !lost.some((l) => l.id === c.id));
    const { id } = created[survivor]!;
    const { address } = started[survivor]!;
    await runtime.stop(id, 2);
    console.log(`# stop (DELETE + wait for the task) took ${Math.round(performance.now() - t1)} ms; then GET → ${(await httpGet(address.host, address.port, HEALTH, 1000)).status}`);
    await Promise.all(created.map((c) => runtime.remove(c.id)));
    assert.deepEqual(await runtime.list(), []);
  });
});
