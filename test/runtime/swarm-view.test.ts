import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeInfo, ServiceInfo, TaskInfo } from '../../src/docker/swarm-types.js';
import { endReason, lostReason, nodeMap, replicaView, summaryOf, taskPort, tasksOf, timeKey } from '../../src/runtime/swarm-view.js';

const node = (id: string, state = 'ready', hostname = id): NodeInfo => ({
  id,
  hostname,
  state,
  addr: `10.0.0.${id.slice(1)}`,
  message: '',
  availability: 'active',
  role: 'worker',
  manager: null,
});
const NODES = nodeMap([node('n1'), node('n2', 'down'), node('n3', 'unknown'), node('n4', 'disconnected'), { ...node('n5'), addr: '' }]);
const port = (publishedPort: number, targetPort = 80): TaskInfo['ports'][number] => ({ protocol: 'tcp', targetPort, publishedPort, publishMode: 'host' });
const task = (fields: Partial<TaskInfo>): TaskInfo => ({
  id: 't1',
  serviceId: 's1',
  nodeId: 'n1',
  slot: 1,
  createdAt: '2026-11-25T18:00:00.1Z',
  desiredState: 'running',
  state: 'running',
  timestamp: '2026-11-25T18:00:01.5Z',
  message: 'started',
  err: '',
  containerId: 'c1',
  exitCode: null,
  ports: [port(30001), port(30001)],
  ...fields,
});

describe('timeKey and tasksOf', () => {
  test('Go trims trailing zeros: padded, .1234 sorts before .123456789 (as text it sorts after)', () => {
    assert.ok('2026-11-25T18:00:00.1234Z' > '2026-11-25T18:00:00.123456789Z');
    assert.ok(timeKey('2026-11-25T18:00:00.1234Z') < timeKey('2026-11-25T18:00:00.123456789Z'));
    assert.ok(timeKey('2026-11-25T18:00:00Z') < timeKey('2026-11-25T18:00:00.000000001Z'));
    assert.equal(timeKey('not a time'), 'not a time');
  });

  test('own tasks, newest first', () => {
    const tasks = [
      task({ id: 'a', createdAt: '2026-11-25T18:00:00.5Z' }),
      task({ id: 'other', serviceId: 's2', createdAt: '2026-11-25T18:00:09Z' }),
      task({ id: 'c', createdAt: '2026-11-25T18:00:01Z' }),
      task({ id: 'b', createdAt: '2026-11-25T18:00:00.123456789Z' }),
    ];
    assert.deepEqual(tasksOf('s1', tasks).map((t) => t.id), ['c', 'a', 'b']);
  });
});

describe('taskPort', () => {
  const rows: { name: string; ports: TaskInfo['ports']; expected: number | undefined }[] = [
    { name: 'listed twice', ports: [port(30001), port(30001)], expected: 30001 },
    { name: 'none yet', ports: [], expected: undefined },
    { name: 'another target port only', ports: [port(30002, 81)], expected: undefined },
    { name: 'udp only', ports: [{ ...port(30003), protocol: 'udp' }], expected: undefined },
    { name: 'zero (not yet picked)', ports: [port(0), port(30004)], expected: 30004 },
  ];
  for (const row of rows) test(row.name, () => assert.equal(taskPort(task({ ports: row.ports }), 80), row.expected));
});

describe('replicaView', () => {
  const rows: { name: string; tasks: TaskInfo[]; state: string; address: string | null; failure?: RegExp; taskId?: string }[] = [
    { name: 'running, desired running, node ready, port published', tasks: [task({})], state: 'running', address: '10.0.0.1:30001' },
    { name: 'no task yet', tasks: [], state: 'no task', address: null },
    { name: 'not scheduled', tasks: [task({ nodeId: '', state: 'pending', ports: [] })], state: 'pending', address: null },
    { name: 'preparing (pulling)', tasks: [task({ state: 'preparing', ports: [] })], state: 'preparing', address: null },
    { name: 'starting', tasks: [task({ state: 'starting' })], state: 'starting', address: null },
    { name: 'running, port not yet in PortStatus', tasks: [task({ ports: [] })], state: 'publishing', address: null },
    { name: 'running but Swarm wants it shut down', tasks: [task({ desiredState: 'shutdown' })], state: 'stopping', address: '10.0.0.1:30001' },
    { name: 'node down (a killed dockerd: the task still reads running)', tasks: [task({ nodeId: 'n2' })], state: 'node down', address: '10.0.0.2:30001' },
    { name: 'node unknown', tasks: [task({ nodeId: 'n3' })], state: 'node unknown', address: '10.0.0.3:30001' },
    { name: 'node disconnected', tasks: [task({ nodeId: 'n4' })], state: 'node disconnected', address: '10.0.0.4:30001' },
    { name: 'node with no address', tasks: [task({ nodeId: 'n5' })], state: 'publishing', address: null },
    { name: 'node not in the list', tasks: [task({ nodeId: 'n9' })], state: 'node gone', address: null },
    {
      name: 'failed, and its replacement starting: the replacement counts, the failure is said',
      tasks: [
        task({ id: 'old', state: 'failed', desiredState: 'shutdown', err: 'task: non-zero exit (1)', createdAt: '2026-11-25T18:00:00Z' }),
        task({ id: 'new', state: 'starting', ports: [], createdAt: '2026-11-25T18:00:02Z' }),
      ],
      state: 'starting',
      address: null,
      failure: /^failed: task: non-zero exit \(1\)$/,
      taskId: 'new',
    },
    {
      name: 'rejected: no such image, with what to do',
      tasks: [task({ state: 'rejected', nodeId: 'n1', ports: [], err: 'No such image: sha256:abc' })],
      state: 'rejected',
      address: null,
      failure: /^rejected: No such image: sha256:abc \(the image is pinned by ID: load it on every node/,
    },
    {
      name: 'replaced after a node died: the new task on another node counts',
      tasks: [
        task({ id: 'old', nodeId: 'n2', desiredState: 'shutdown', createdAt: '2026-11-25T18:00:00Z' }),
        task({ id: 'new', nodeId: 'n1', ports: [port(30009)], createdAt: '2026-11-25T18:00:05Z' }),
      ],
      state: 'running',
      address: '10.0.0.1:30009',
      taskId: 'new',
    },
    {
      name: 'all desired shut down: the newest counts',
      tasks: [task({ id: 'x', state: 'shutdown', desiredState: 'shutdown', createdAt: '2026-11-25T18:00:03Z' }), task({ id: 'y', state: 'complete', desiredState: 'shutdown' })],
      state: 'shutdown',
      address: null,
      failure: /^shutdown/,
      taskId: 'x',
    },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const view = replicaView('s1', row.tasks, NODES, 80);
      assert.equal(view.state, row.state);
      assert.equal(view.address ? `${view.address.host}:${view.address.port}` : null, row.address);
      if (row.failure) assert.match(view.failure, row.failure);
      else assert.equal(view.failure, '');
      if (row.taskId) assert.equal(view.task?.id, row.taskId);
    });
  }
});

test('replicaView: tasks that ended before a start began are no failure', () => {
  const tasks = [task({ id: 'old', state: 'failed', desiredState: 'shutdown', err: 'x', createdAt: '2026-11-25T18:00:00Z' }), task({ id: 'new', state: 'starting', createdAt: '2026-11-25T18:00:02Z' })];
  assert.equal(replicaView('s1', tasks, NODES, 80, new Set(['old'])).failure, '');
  assert.equal(replicaView('s1', tasks, NODES, 80, new Set()).failure, 'failed: x');
});

describe('lostReason', () => {
  const service: ServiceInfo = { id: 's1', name: 'web-a', version: 1, createdAt: '', labels: {}, image: '' };
  const rows: { name: string; gone?: true; tasks: TaskInfo[]; nodes?: NodeInfo[]; expected: string | null | RegExp }[] = [
    { name: 'still serving', tasks: [task({})], expected: null },
    { name: 'service removed', gone: true, tasks: [task({})], expected: 'its Swarm service was removed' },
    { name: 'its task gone from the list', tasks: [task({ id: 'other' })], expected: 'Swarm removed its task' },
    { name: 'node down, task still reads running', tasks: [task({ nodeId: 'n2' })], nodes: [node('n2', 'down', 'worker-2')], expected: 'its node worker-2 is down' },
    { name: 'node unknown', tasks: [task({ nodeId: 'n3' })], nodes: [node('n3', 'unknown', 'worker-3')], expected: 'its node worker-3 is unknown' },
    { name: 'node disconnected', tasks: [task({ nodeId: 'n4' })], nodes: [node('n4', 'disconnected', 'w4')], expected: 'its node w4 is disconnected' },
    { name: 'node left the swarm', tasks: [task({ nodeId: 'n9abcdefghijklmnop' })], nodes: [], expected: 'its node n9abcdefghij left the swarm' },
    { name: 'task failed', tasks: [task({ state: 'failed', err: 'task: non-zero exit (137)' })], expected: 'its task failed: task: non-zero exit (137)' },
    {
      name: 'Swarm restarted it: a new task, a new address',
      tasks: [task({ state: 'failed', desiredState: 'shutdown', err: 'task: non-zero exit (1)' }), task({ id: 't2', state: 'starting', createdAt: '2026-11-25T18:00:09Z' })],
      expected: 'its task failed: task: non-zero exit (1); Swarm replaced it with a new task (a new address)',
    },
    {
      name: 'a restart still waiting out its delay (desired ready)',
      tasks: [task({ state: 'rejected', desiredState: 'shutdown', err: 'No such image: sha256:0' }), task({ id: 't2', state: 'new', desiredState: 'ready', createdAt: '2026-11-25T18:00:09Z' })],
      expected: /^its task rejected: No such image: sha256:0 \(the image is pinned by ID.*\); Swarm replaced it with a new task \(a new address\)$/,
    },
    { name: 'desired shutdown while still running (drain, update)', tasks: [task({ desiredState: 'shutdown' })], expected: /^Swarm is stopping its task \(desired shutdown\)$/ },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const nodes = row.nodes ? nodeMap(row.nodes) : NODES;
      const reason = lostReason('t1', row.gone ? undefined : service, row.tasks, nodes);
      if (row.expected instanceof RegExp) assert.match(reason ?? '', row.expected);
      else assert.equal(reason, row.expected);
    });
  }
});

describe('summaryOf and endReason', () => {
  test('a running replica as the owner sees it', () => {
    const service: ServiceInfo = {
      id: 's1',
      name: 'web-a',
      version: 3,
      createdAt: '2026-11-25T18:00:00.123456Z',
      labels: { 'docker-symphony.image': 'app:1', 'docker-symphony.service': 'web' },
      image: 'sha256:abc',
    };
    assert.deepEqual(summaryOf(service, [task({})], NODES, 80), {
      id: 's1',
      name: 'web-a',
      state: 'running',
      labels: service.labels,
      image: 'app:1',
      createdAt: Date.parse('2026-11-25T18:00:00.123Z'),
      address: { host: '10.0.0.1', port: 30001 },
      node: 'n1',
    });
    const bare = summaryOf({ ...service, labels: {}, createdAt: '' }, [], NODES, 80);
    assert.deepEqual([bare.image, bare.createdAt, bare.state, bare.node, bare.address], ['sha256:abc', 0, 'no task', null, null]);
  });

  test('endReason falls back to the message', () => {
    assert.equal(endReason(task({ state: 'shutdown', message: 'shutdown' })), 'shutdown: shutdown');
    assert.equal(endReason(task({ state: 'complete', message: '' })), 'complete');
  });
});
