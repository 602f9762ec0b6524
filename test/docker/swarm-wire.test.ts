import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  serviceSpecBody,
  taskFiltersJson,
  toNodeInfo,
  toServiceInfo,
  toSwarmCluster,
  toSwarmNodeInfo,
  toTaskInfo,
} from '../../src/docker/swarm-wire.js';

describe('serviceSpecBody', () => {
  test('minimal: one replica, dnsrr, host-mode port with no PublishedPort, restart any with a delay', () => {
    assert.deepEqual(serviceSpecBody({ name: 'web-a1', labels: { a: 'b' }, image: 'sha256:1', targetPort: 80, restartDelayNs: 1e9 }), {
      Name: 'web-a1',
      Labels: { a: 'b' },
      TaskTemplate: { ContainerSpec: { Image: 'sha256:1', Labels: { a: 'b' } }, RestartPolicy: { Condition: 'any', Delay: 1e9 } },
      Mode: { Replicated: { Replicas: 1 } },
      EndpointSpec: { Mode: 'dnsrr', Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishMode: 'host' }] },
    });
  });

  test('full', () => {
    const body = serviceSpecBody({
      name: 'web-a1',
      labels: { a: 'b' },
      image: 'app@sha256:2',
      targetPort: 8080,
      restartDelayNs: 1e9,
      env: ['A=1'],
      command: ['/bin/app'],
      args: ['--x'],
      user: '1000:1000',
      dir: '/srv',
      readOnly: true,
      mounts: [
        { type: 'volume', source: 'data', target: '/data', readOnly: true },
        { type: 'bind', source: '/etc/app', target: '/conf' },
        { type: 'tmpfs', target: '/tmp', tmpfsSizeBytes: 1024, tmpfsMode: 0o1777 },
        { type: 'tmpfs', target: '/run' },
      ],
      capabilityAdd: ['NET_ADMIN'],
      capabilityDrop: ['ALL'],
      init: true,
      stopSignal: 'SIGINT',
      stopGracePeriodNs: 3e9,
      memoryBytes: 64 * 1024 * 1024,
      nanoCpus: 5e8,
      networks: ['front', 'back'],
    });
    assert.deepEqual(body['TaskTemplate'], {
      ContainerSpec: {
        Image: 'app@sha256:2',
        Labels: { a: 'b' },
        Env: ['A=1'],
        Command: ['/bin/app'],
        Args: ['--x'],
        User: '1000:1000',
        Dir: '/srv',
        ReadOnly: true,
        Mounts: [
          { Type: 'volume', Source: 'data', Target: '/data', ReadOnly: true },
          { Type: 'bind', Source: '/etc/app', Target: '/conf' },
          { Type: 'tmpfs', Target: '/tmp', TmpfsOptions: { SizeBytes: 1024, Mode: 0o1777 } },
          { Type: 'tmpfs', Target: '/run' },
        ],
        CapabilityAdd: ['NET_ADMIN'],
        CapabilityDrop: ['ALL'],
        Init: true,
        StopSignal: 'SIGINT',
        StopGracePeriod: 3e9,
      },
      RestartPolicy: { Condition: 'any', Delay: 1e9 },
      Resources: { Limits: { MemoryBytes: 64 * 1024 * 1024, NanoCPUs: 5e8 } },
      Networks: [{ Target: 'front' }, { Target: 'back' }],
    });
  });
});

describe('taskFiltersJson', () => {
  const rows: { name: string; filters: Parameters<typeof taskFiltersJson>[0]; expected: string | undefined }[] = [
    { name: 'none', filters: {}, expected: undefined },
    { name: 'empty lists', filters: { service: [], label: [] }, expected: undefined },
    { name: 'service', filters: { service: ['s1'] }, expected: '{"service":["s1"]}' },
    { name: 'desired-state spelled as the engine does', filters: { desiredState: ['running'] }, expected: '{"desired-state":["running"]}' },
    { name: 'all', filters: { service: ['s1'], desiredState: ['running'], label: ['a=b'], node: ['n1'] }, expected: '{"service":["s1"],"desired-state":["running"],"label":["a=b"],"node":["n1"]}' },
  ];
  for (const row of rows) test(row.name, () => assert.equal(taskFiltersJson(row.filters), row.expected));
});

describe('Swarm answers', () => {
  test('GET /info: the Swarm part, absent on old engines', () => {
    assert.deepEqual(toSwarmNodeInfo({ Swarm: { LocalNodeState: 'active', ControlAvailable: true, NodeID: 'n1', NodeAddr: '10.0.0.1', Error: '' } }), {
      localNodeState: 'active',
      controlAvailable: true,
      nodeId: 'n1',
      nodeAddr: '10.0.0.1',
      error: '',
    });
    assert.deepEqual(toSwarmNodeInfo({}), { localNodeState: '', controlAvailable: false, nodeId: '', nodeAddr: '', error: '' });
  });

  test('GET /swarm: version, spec kept whole, heartbeat', () => {
    const spec = { Name: 'default', Dispatcher: { HeartbeatPeriod: 5e9 }, Raft: { SnapshotInterval: 10000 } };
    assert.deepEqual(toSwarmCluster({ ID: 'sw', Version: { Index: 42 }, Spec: spec }), { id: 'sw', version: 42, spec, heartbeatPeriodNs: 5e9 });
    assert.deepEqual(toSwarmCluster(null), { id: '', version: 0, spec: {}, heartbeatPeriodNs: 0 });
  });

  test('a service', () => {
    assert.deepEqual(
      toServiceInfo({ ID: 's1', Version: { Index: 7 }, CreatedAt: '2026-11-25T18:00:00.5Z', Spec: { Name: 'web-a1', Labels: { a: 'b', n: 1 }, TaskTemplate: { ContainerSpec: { Image: 'sha256:1' } } } }),
      { id: 's1', name: 'web-a1', version: 7, createdAt: '2026-11-25T18:00:00.5Z', labels: { a: 'b' }, image: 'sha256:1' },
    );
    assert.deepEqual(toServiceInfo({ Spec: null }), { id: '', name: '', version: 0, createdAt: '', labels: {}, image: '' });
  });

  test('a task: status, container, ports (duplicates kept for the view to judge)', () => {
    const port = { Protocol: 'tcp', TargetPort: 80, PublishedPort: 30001, PublishMode: 'host' };
    assert.deepEqual(
      toTaskInfo({
        ID: 't1',
        ServiceID: 's1',
        NodeID: 'n1',
        Slot: 1,
        CreatedAt: 'c',
        DesiredState: 'running',
        Status: { Timestamp: 'ts', State: 'running', Message: 'started', ContainerStatus: { ContainerID: 'c1', ExitCode: 0 }, PortStatus: { Ports: [port, port] } },
      }),
      {
        id: 't1',
        serviceId: 's1',
        nodeId: 'n1',
        slot: 1,
        createdAt: 'c',
        desiredState: 'running',
        state: 'running',
        timestamp: 'ts',
        message: 'started',
        err: '',
        containerId: 'c1',
        exitCode: 0,
        ports: [
          { protocol: 'tcp', targetPort: 80, publishedPort: 30001, publishMode: 'host' },
          { protocol: 'tcp', targetPort: 80, publishedPort: 30001, publishMode: 'host' },
        ],
      },
    );
  });

  test('a pending task: no node, no container, no ports, an error', () => {
    const task = toTaskInfo({ ID: 't2', ServiceID: 's1', Status: { State: 'rejected', Err: 'No such image: sha256:1', PortStatus: {} } });
    assert.equal(task.nodeId, '');
    assert.equal(task.exitCode, null);
    assert.deepEqual(task.ports, []);
    assert.equal(task.err, 'No such image: sha256:1');
  });

  test('nodes: a manager and a worker', () => {
    const base = { ID: 'n1', Description: { Hostname: 'm1' }, Status: { State: 'ready', Addr: '10.0.0.1' }, Spec: { Availability: 'active', Role: 'manager' } };
    assert.deepEqual(toNodeInfo({ ...base, ManagerStatus: { Leader: true, Reachability: 'reachable', Addr: '10.0.0.1:2377' } }), {
      id: 'n1',
      hostname: 'm1',
      state: 'ready',
      addr: '10.0.0.1',
      message: '',
      availability: 'active',
      role: 'manager',
      manager: { leader: true, reachability: 'reachable', addr: '10.0.0.1:2377' },
    });
    assert.equal(toNodeInfo({ ...base, Spec: { Role: 'worker' } }).manager, null);
    assert.equal(toNodeInfo({ Status: { State: 'down', Message: 'heartbeat failure' } }).message, 'heartbeat failure');
  });
});
