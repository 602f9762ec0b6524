// The seed's rules on a real 3-node Docker Swarm (--runtime swarm): each node a dockerd in
// a network namespace of its own (scripts/swarm-up.sh), the orchestrator in this process
// (or the CLI in a child) talking to the manager, and its proxy reaching each replica at
// <node address>:<host-mode port>. One swarm for the file; each test its own service.
//
// What is proven: replicas spread over the nodes and the proxy takes them in strict
// round robin; scaling up on the request count and down with draining; a crashed replica,
// and a worker whose dockerd was killed, replaced with no failed GET; a rolling deploy
// across nodes; SIGKILL of the orchestrator and restart adopts the services; a clean stop
// removes every service it made.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import type { SymphonyOptions } from '../../src/config.js';
import { SERVICE_LABEL } from '../../src/orchestrator/labels.js';
import type { ContainerStatus, SymphonyStatus } from '../../src/status.js';
import { swarmSkipReason, swarmUp, type Swarm } from '../helpers/swarm.js';
import { failedOf, runLoad, type LoadResult } from '../reliability/load.js';
import { DEMO_IMAGE, hostnameOf, request, serviceName, startCli, startSymphony, type Running } from './harness.js';

const skip = swarmSkipReason();

/** The ready replicas, oldest first. */
const ready = (s: SymphonyStatus): ContainerStatus[] => s.containers.filter((c) => c.state === 'ready');

describe('on a real 3-node swarm', { skip: skip ?? false }, () => {
  let swarm: Swarm;

  before(async () => {
    swarm = await swarmUp({ nodes: 3 });
  });

  after(async () => {
    await swarm?.down();
  });

  /** The services of `service` on the swarm (the manager's view). */
  async function servicesOf(service: string): Promise<{ ID: string; Spec: { Name: string } }[]> {
    const filters = encodeURIComponent(JSON.stringify({ label: [`${SERVICE_LABEL}=${service}`] }));
    const answer = await swarm.api('GET', `/services?filters=${filters}`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body as { ID: string; Spec: { Name: string } }[];
  }

  /** Removes every service of `service` (the test's last line of defence). */
  async function sweep(service: string): Promise<void> {
    for (const s of await servicesOf(service).catch(() => [])) await swarm.api('DELETE', `/services/${s.ID}`);
  }

  /** A Symphony on this swarm (--runtime swarm against its manager), with the swarm's defaults of these tests. */
  function startOnSwarm(prefix: string, options: Partial<SymphonyOptions>): Promise<Running> {
    const onSwarm: Partial<SymphonyOptions> = { runtime: 'swarm', swarmHeartbeatMs: 1_000, startupTimeoutMs: 30_000, drainTimeoutMs: 10_000 };
    return startSymphony(prefix, { ...onSwarm, ...options }, { docker: swarm.manager, sweep });
  }

  /** GETs under load (4 clients) while `during` runs. */
  async function underLoad<T>(port: number, during: () => Promise<T>, pauseMs = 5): Promise<{ result: T; load: LoadResult }> {
    const stop = new AbortController();
    const load = runLoad({ port, clients: 4, durationMs: 180_000, pauseMs, requestTimeoutMs: 30_000 }, stop.signal);
    try {
      await new Promise((r) => setTimeout(r, 500));
      const result = await during();
      await new Promise((r) => setTimeout(r, 500));
      stop.abort();
      return { result, load: await load };
    } finally {
      stop.abort();
    }
  }

  function assertNoFailedGets(load: LoadResult, atLeast: number): void {
    const sent = load.byMethod['GET']?.sent ?? 0;
    assert.ok(sent >= atLeast, `a steady load was sent: ${JSON.stringify(load.byMethod)}`);
    assert.equal(failedOf(load, 'GET'), 0, `no failed GET; first errors: ${JSON.stringify(load.firstErrors)} by status ${JSON.stringify(load.failedByStatus)}`);
  }

  /** Kills the container of a replica on its node's engine (the swarm restarts it; the orchestrator must replace it first). */
  async function killReplicaContainer(replica: ContainerStatus): Promise<void> {
    const filters = encodeURIComponent(JSON.stringify({ service: [replica.id], 'desired-state': ['running'] }));
    const tasks = (await swarm.api('GET', `/tasks?filters=${filters}`)).body as { Status: { ContainerStatus?: { ContainerID?: string } } }[];
    const containerId = tasks.map((t) => t.Status.ContainerStatus?.ContainerID).find((id) => id);
    assert.ok(containerId, `the running task of ${replica.name} has a container`);
    const node = swarm.nodeByHostname(replica.node ?? '');
    assert.ok(node, `replica ${replica.name} runs on a node of this swarm (${replica.node})`);
    const killed = await swarm.api('POST', `/containers/${containerId}/kill`, undefined, node.index);
    assert.equal(killed.status, 204, JSON.stringify(killed.body));
  }

  test('spread over the nodes, strict round robin across them, scale up on the count and down with draining', async (t) => {
    const run = await startOnSwarm('spread', { min: 1, max: 3, baseScaleCount: 10 });
    try {
      await run.until((s) => ready(s).length === 1, 60_000, 'one ready replica');
      // 30 requests in the window: floor(30 / 10) + 1 = 4, clamped to 3.
      for (let i = 0; i < 30; i++) assert.equal((await request(run.port, '/api/v1/whoami')).status, 200);
      const up = Date.now();
      const three = await run.until((s) => ready(s).length === 3, 60_000, 'three ready replicas');
      t.diagnostic(`scaled 1 → 3 in ${Date.now() - up}ms; nodes ${ready(three).map((c) => `${c.name}@${c.node} ${c.host}:${c.hostPort}`).join(', ')}`);
      const nodes = new Set(ready(three).map((c) => c.node));
      assert.ok(nodes.size >= 2, `replicas on more than one node: ${[...nodes].join(', ')}`);
      for (const c of ready(three)) {
        assert.ok(swarm.nodeByHostname(c.node ?? ''), `${c.name} runs on a node of the swarm (${c.node})`);
        assert.equal(c.host, swarm.nodeByHostname(c.node ?? '')?.address, 'reached at its node\'s address');
      }

      // Strict round robin: the answers cycle through the three replicas in one order.
      const seen: string[] = [];
      for (let i = 0; i < 12; i++) seen.push(hostnameOf(await request(run.port, '/api/v1/whoami')));
      assert.equal(new Set(seen).size, 3, `three replicas answered: ${seen.join(' ')}`);
      for (let i = 3; i < seen.length; i++) assert.equal(seen[i], seen[i - 3], `strict round robin: ${seen.join(' ')}`);

      // A trickle (4 clients, one request every 3 s each: under 10 in the window) asks for 1.
      // Replicas leave after draining: no GET fails while they go.
      const { load } = await underLoad(
        run.port,
        () => run.until((s) => s.desired === 1 && s.containers.length === 1 && ready(s).length === 1, 90_000, 'scaled down to one'),
        3_000,
      );
      assertNoFailedGets(load, 10);
      assert.ok(run.events.some((e) => e.event === 'container.removed'), 'replicas were removed');
      const services = await servicesOf(run.service);
      assert.equal(services.length, 1, `one service left on the swarm: ${services.map((s) => s.Spec.Name).join(', ')}`);
      await run.symphony.stop();
      assert.deepEqual(await servicesOf(run.service), [], 'a clean stop removes every service it made');
    } finally {
      await run.stop();
    }
  });

  test('a crashed replica leaves the rotation and is replaced; no GET fails', async (t) => {
    const run = await startOnSwarm('crash', { min: 2, max: 2 });
    try {
      const two = await run.until((s) => ready(s).length === 2, 60_000, 'two ready replicas');
      const victim = ready(two)[0]!;
      const { load } = await underLoad(run.port, async () => {
        const t0 = Date.now();
        await killReplicaContainer(victim);
        await run.until((s) => !ready(s).some((c) => c.id === victim.id), 10_000, `${victim.name} out of the rotation`);
        const out = Date.now() - t0;
        await run.until((s) => ready(s).length === 2 && !s.containers.some((c) => c.id === victim.id), 60_000, 'a replacement serving, the crashed one gone');
        t.diagnostic(`out of the rotation after ${out}ms, replacement serving after ${Date.now() - t0}ms`);
      });
      assertNoFailedGets(load, 50);
      assert.equal((await servicesOf(run.service)).length, 2, 'the crashed replica\'s service was removed, one created');
    } finally {
      await run.stop();
    }
  });

  test("a worker's dockerd killed: its replicas leave the rotation, run again on the other nodes; no GET fails", async (t) => {
    const run = await startOnSwarm('node', { min: 3, max: 3 });
    let killed: number | null = null;
    try {
      const three = await run.until((s) => ready(s).length === 3, 90_000, 'three ready replicas');
      const manager = swarm.managerNode.hostname;
      const onWorker = ready(three).find((c) => c.node !== manager);
      assert.ok(onWorker, `a replica runs on a worker: ${ready(three).map((c) => c.node).join(', ')}`);
      const worker = swarm.nodeByHostname(onWorker.node!)!;
      const { load } = await underLoad(run.port, async () => {
        const t0 = Date.now();
        await swarm.killNode(worker.index);
        killed = worker.index;
        await run.until((s) => !ready(s).some((c) => c.node === worker.hostname), 30_000, `no replica of ${worker.hostname} in the rotation`);
        const out = Date.now() - t0;
        const back = await run.until((s) => ready(s).length === 3 && s.containers.every((c) => c.node !== worker.hostname), 90_000, 'three ready replicas on the other nodes');
        t.diagnostic(
          `${worker.hostname} killed: its replicas out of the rotation after ${out}ms, three serving again after ${Date.now() - t0}ms on ${ready(back).map((c) => c.node).join(', ')}`,
        );
      });
      assertNoFailedGets(load, 50);
      assert.ok(run.events.some((e) => e.event === 'container.unhealthy' && String(e.message).includes(worker.hostname)), 'the log names the node that went down');
    } finally {
      await run.stop();
      if (killed !== null) await swarm.startNode(killed);
    }
  });

  test('a rolling deploy across the nodes: the new spec everywhere, no GET fails', async (t) => {
    const run = await startOnSwarm('deploy', { min: 2, max: 2, deployVerifyMs: 2_000 });
    try {
      const two = await run.until((s) => ready(s).length === 2, 60_000, 'two ready replicas');
      const oldSpec = ready(two)[0]!.spec;
      // deploy() resolves when the deploy has ended (succeeded or rolled back).
      const { result: ended, load } = await underLoad(run.port, () => run.symphony.deploy({ env: ['APP_VERSION=2'] }));
      assert.equal(ended.state, 'succeeded', `reason: ${ended.reason}`);
      assertNoFailedGets(load, 50);
      const now = run.symphony.status();
      assert.deepEqual(ready(now).map((c) => c.spec), [ended.to.spec, ended.to.spec]);
      assert.notEqual(ended.to.spec, oldSpec);
      t.diagnostic(`deployed in ${Date.parse(ended.endedAt!) - Date.parse(ended.startedAt)}ms; now on ${ready(now).map((c) => c.node).join(', ')}`);
    } finally {
      await run.stop();
    }
  });

  test('SIGKILL of the orchestrator and restart: the services are adopted, nothing created twice; SIGTERM removes them', async () => {
    const service = serviceName('adopt');
    const args = ['--runtime', 'swarm', '--image', DEMO_IMAGE, '--name', service, '--listen', '127.0.0.1:0', '--admin-listen', 'off', '--min', '2', '--max', '2', '--stop-timeout', '2s', '--log-format', 'json'];
    const env = { DOCKER_HOST: swarm.managerHost };
    const children: ReturnType<typeof startCli>[] = [];
    try {
      const first = startCli(args, env);
      children.push(first);
      await first.waitEvent('container.ready', 2, 90_000);
      const before = (await servicesOf(service)).map((s) => s.ID).sort();
      assert.equal(before.length, 2);
      first.child.kill('SIGKILL');
      await once(first.child, 'exit');

      const second = startCli(args, env);
      children.push(second);
      await second.waitEvent('container.adopted', 2, 60_000);
      await second.waitEvent('symphony.started');
      for (let i = 0; i < 4; i++) assert.equal((await request(second.proxyPort(), '/api/v1/whoami')).status, 200);
      assert.deepEqual((await servicesOf(service)).map((s) => s.ID).sort(), before, 'the same two services, none created twice');
      assert.equal(second.records.filter((r) => r.event === 'container.created').length, 0, 'no service created on restart');

      second.child.kill('SIGTERM');
      const [code] = (await once(second.child, 'exit')) as [number | null];
      assert.equal(code, 0, `clean exit (stderr: ${second.stderr.join(' | ')})`);
      assert.deepEqual(await servicesOf(service), [], 'SIGTERM left no service');
    } finally {
      for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
      await sweep(service);
    }
  });
});
