// The swarm test environment itself (scripts/swarm-*.sh via test/helpers/swarm.ts): three
// nodes ready under one manager; a service created through the Engine API gets a task
// whose host-mode port answers on its node's address from this process; a second `up`
// changes nothing; a killed node goes down and comes back; and after `down` nothing of
// it is left. Prints how long up and down took. Root only (skipped with the reason otherwise).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { httpGet, swarmSkipReason, swarmUp } from '../helpers/swarm.js';
import type { Swarm } from '../helpers/swarm.js';
import { DEMO_IMAGE, waitFor } from './harness.js';

const exec = promisify(execFile);
const skip = swarmSkipReason();

interface Task {
  ID: string;
  NodeID?: string;
  DesiredState: string;
  Status: { State: string; Err?: string; PortStatus?: { Ports?: { TargetPort: number; PublishedPort: number; PublishMode: string }[] } };
}

interface Node {
  ID: string;
  Description: { Hostname: string };
  Status: { State: string; Addr: string };
  Spec: { Role: string };
  ManagerStatus?: { Leader?: boolean };
}

async function nodes(swarm: Swarm): Promise<Node[]> {
  const { status, body } = await swarm.api('GET', '/nodes');
  assert.equal(status, 200, `GET /nodes: ${JSON.stringify(body)}`);
  return body as Node[];
}

/** What of swarm `id` is still on this machine: namespaces, links, routes, dirs, mounts, processes, cgroups. */
async function leftovers(id: number): Promise<string[]> {
  const left: string[] = [];
  const mark = `symphony-swarm-${id}`;
  const named = (s: string): boolean => s.includes(`${mark}-`) || s.includes(`${mark}/`) || s.includes(`${mark}.`) || s.endsWith(mark);
  const netns = (await exec('ip', ['netns', 'list'])).stdout;
  left.push(...netns.split('\n').filter(named).map((l) => `netns ${l}`));
  const links = (await exec('ip', ['-o', 'link', 'show'])).stdout;
  left.push(...links.split('\n').filter((l) => l.includes(` ssw${id}h`)).map((l) => `link ${l.slice(0, 60)}`));
  const routes = (await exec('ip', ['-4', 'route', 'show', 'table', 'all', 'to', 'root', `10.231.${id}.0/24`])).stdout.trim();
  if (routes !== '') left.push(`route ${routes}`);
  for (const dir of [`/run/${mark}`, `/var/lib/${mark}`, `/run/${mark}.lock`]) if (existsSync(dir)) left.push(`path ${dir}`);
  left.push(...readFileSync('/proc/mounts', 'utf8').split('\n').filter(named).map((l) => `mount ${l.split(' ')[1]}`));
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue; // gone meanwhile
    }
    if (named(cmdline) && Number(pid) !== process.pid) left.push(`process ${pid} ${cmdline.slice(0, 80)}`);
  }
  for (const controller of existsSync('/sys/fs/cgroup') ? readdirSync('/sys/fs/cgroup') : []) {
    try {
      left.push(...readdirSync(`/sys/fs/cgroup/${controller}`).filter(named).map((d) => `cgroup ${controller}/${d}`));
    } catch {
      // not a directory
    }
  }
  return left;
}

/** The sockets of the containerd shims of swarm `id`'s nodes: in /run/containerd/s, shared with the main engine. */
function shimSockets(id: number): string[] {
  const found: string[] = [];
  for (const node of [1, 2, 3]) {
    const tasks = `/run/symphony-swarm-${id}/n${node}/exec/containerd/daemon/io.containerd.runtime.v2.task/moby`;
    for (const container of existsSync(tasks) ? readdirSync(tasks) : []) {
      try {
        found.push(...(readFileSync(`${tasks}/${container}/address`, 'utf8').match(/\/run\/containerd\/s\/[0-9a-f]{64}/g) ?? []));
      } catch {
        // no address (yet)
      }
    }
  }
  return found;
}

test('a 3-node swarm: one manager, a host-mode service answers on its node, a second up is a no-op, a killed node comes back, down leaves nothing', { skip: skip ?? false, timeout: 240_000 }, async (t) => {
  const swarm = await swarmUp({ nodes: 3, images: [DEMO_IMAGE], heartbeatSeconds: 1 });
  t.diagnostic(`swarm ${swarm.id}: up in ${swarm.upMs} ms (nodes ${swarm.nodes.map((n) => n.address).join(', ')})`);
  let downMs = -1;
  let shims: string[] = [];
  try {
    // Three nodes ready, exactly one of them a manager (node 1, the leader).
    const all = await nodes(swarm);
    assert.deepEqual(all.map((n) => n.Description.Hostname).sort(), swarm.nodes.map((n) => n.hostname).sort());
    assert.deepEqual(all.map((n) => n.Status.State), ['ready', 'ready', 'ready']);
    const managers = all.filter((n) => n.Spec.Role === 'manager');
    assert.equal(managers.length, 1);
    assert.equal(managers[0]?.Description.Hostname, swarm.managerNode.hostname);
    assert.equal(managers[0]?.ManagerStatus?.Leader, true);
    const info = await swarm.manager.version();
    assert.match(info.apiVersion, /^1\.\d+$/);

    // A service by image ID (the image was loaded into every node, same ID as on the main engine).
    const image = await swarm.manager.imageInspect(DEMO_IMAGE);
    assert.ok(image, `${DEMO_IMAGE} is on the manager`);
    assert.match(image.id, /^sha256:[0-9a-f]{64}$/);
    for (const node of swarm.nodes) {
      const { status, body } = await swarm.api('GET', `/images/${encodeURIComponent(DEMO_IMAGE)}/json`, undefined, node.index);
      assert.equal(status, 200);
      assert.equal((body as { Id: string }).Id, image.id, `node ${node.index} has the same image`);
    }
    const name = `symphony-swarm-env-${randomBytes(3).toString('hex')}`;
    const created = await swarm.api('POST', '/services/create', {
      Name: name,
      Labels: { 'docker-symphony.test': '1' },
      TaskTemplate: {
        ContainerSpec: { Image: image.id },
        RestartPolicy: { Condition: 'any', Delay: 1_000_000_000, MaxAttempts: 0 },
      },
      Mode: { Replicated: { Replicas: 1 } },
      EndpointSpec: { Mode: 'dnsrr', Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishMode: 'host' }] },
    });
    assert.equal(created.status, 201, `POST /services/create: ${JSON.stringify(created.body)}`);
    const serviceId = (created.body as { ID: string }).ID;

    const t0 = performance.now();
    const task = await waitFor(
      async () => {
        const filters = encodeURIComponent(JSON.stringify({ service: [serviceId], 'desired-state': ['running'] }));
        return ((await swarm.api('GET', `/tasks?filters=${filters}`)).body as Task[])[0];
      },
      (tk) => tk?.Status.State === 'running' && (tk.Status.PortStatus?.Ports?.length ?? 0) > 0,
      60_000,
      `a running task of ${name} with a published port`,
    );
    const ports = task?.Status.PortStatus?.Ports ?? [];
    t.diagnostic(`task running in ${Math.round(performance.now() - t0)} ms; PortStatus.Ports: ${JSON.stringify(ports)}`);
    const port = ports.find((p) => p.TargetPort === 80 && p.PublishMode === 'host')?.PublishedPort;
    assert.ok(port && port > 0, 'a host-mode published port');
    const taskNode = all.find((n) => n.ID === task?.NodeID);
    const node = swarm.nodeByHostname(taskNode?.Description.Hostname ?? '');
    assert.ok(node, `the task's node ${task?.NodeID} is one of ours`);
    assert.equal(taskNode?.Status.Addr, node.address);

    const health = await waitFor(() => httpGet(node.address, port, '/api/v1/_health'), (r) => r.status === 200, 10_000, `GET /api/v1/_health on ${node.address}:${port}`);
    assert.equal(health.status, 200);
    const whoami = await httpGet(node.address, port, '/api/v1/whoami');
    assert.equal(whoami.status, 200);
    assert.match(whoami.body, /"hostname"/);
    t.diagnostic(`GET http://${node.address}:${port}/api/v1/_health → ${health.status} (task on ${node.hostname})`);

    // A second up of the same swarm finds it running and changes nothing.
    const again = await exec('bash', [fileURLToPath(new URL('../../scripts/swarm-up.sh', import.meta.url))], {
      env: { ...process.env, SWARM_ID: String(swarm.id), SWARM_NODES: '3', SWARM_IMAGES: DEMO_IMAGE },
    });
    assert.match(again.stderr, /nothing to do/);
    assert.equal(again.stdout.trim().split('\n').find((l) => l.startsWith('SWARM_MANAGER_HOST=')), `SWARM_MANAGER_HOST=${swarm.managerHost}`);

    // A SIGKILLed worker goes down for the manager; started again, it is ready again.
    const victim = swarm.nodes.find((n) => n.index !== 1 && n.index !== node.index) ?? swarm.node(2);
    const killedAt = performance.now();
    await swarm.killNode(victim.index);
    await waitFor(() => nodes(swarm), (ns) => ns.find((n) => n.Description.Hostname === victim.hostname)?.Status.State === 'down', 60_000, `${victim.hostname} down`);
    const downAfter = Math.round(performance.now() - killedAt);
    const startedAt = performance.now();
    await swarm.startNode(victim.index);
    await waitFor(() => nodes(swarm), (ns) => ns.every((n) => n.Status.State === 'ready'), 60_000, 'every node ready again');
    t.diagnostic(`node ${victim.index} killed: down for the manager after ${downAfter} ms; started again: ready after ${Math.round(performance.now() - startedAt)} ms`);
    assert.equal((await httpGet(node.address, port, '/api/v1/_health')).status, 200, 'the task on another node kept serving');
  } finally {
    shims = shimSockets(swarm.id);
    downMs = await swarm.down();
  }
  t.diagnostic(`swarm ${swarm.id}: down in ${downMs} ms`);
  assert.deepEqual(await leftovers(swarm.id), []);
  assert.ok(shims.length > 0, 'the task had a shim');
  assert.deepEqual(shims.filter((p) => existsSync(p)), [], 'no shim socket left in /run/containerd/s');
  // down is idempotent.
  await exec('bash', [fileURLToPath(new URL('../../scripts/swarm-down.sh', import.meta.url))], { env: { ...process.env, SWARM_ID: String(swarm.id) } });
  assert.deepEqual(await leftovers(swarm.id), []);
});
