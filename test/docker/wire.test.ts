import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createContainerBody,
  splitImageRef,
  toContainerInfo,
  toContainerSummary,
  toDockerEvent,
  toEngineVersion,
  toImageInfo,
  toNetworkInfo,
  toPullLine,
} from '../../src/docker/wire.js';
import type { ContainerSpec } from '../../src/docker/types.js';

describe('createContainerBody', () => {
  test('minimal spec: ephemeral port on 127.0.0.1, nothing else set', () => {
    assert.deepEqual(createContainerBody({ image: 'app:1', containerPort: 80 }), {
      Image: 'app:1',
      ExposedPorts: { '80/tcp': {} },
      HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
    });
  });

  test('full spec', () => {
    assert.deepEqual(
      createContainerBody({
        image: 'app:1',
        name: 'ignored-here',
        env: ['A=1'],
        labels: { 'docker-symphony.test': '1' },
        cmd: ['node', 'x.js'],
        containerPort: 8080,
        hostPort: 8001,
        hostIp: '0.0.0.0',
        memoryBytes: 64 * 1024 * 1024,
        nanoCpus: 500_000_000,
        stopSignal: 'SIGINT',
        stopTimeoutSeconds: 3,
      }),
      {
        Image: 'app:1',
        ExposedPorts: { '8080/tcp': {} },
        HostConfig: {
          PortBindings: { '8080/tcp': [{ HostIp: '0.0.0.0', HostPort: '8001' }] },
          Memory: 67108864,
          NanoCpus: 500000000,
        },
        Env: ['A=1'],
        Cmd: ['node', 'x.js'],
        Labels: { 'docker-symphony.test': '1' },
        StopSignal: 'SIGINT',
        StopTimeout: 3,
      },
    );
  });

  const base = { image: 'app:1', containerPort: 80 } as const;
  const ports = { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } };
  const rows: { name: string; spec: ContainerSpec; want: Record<string, unknown> }[] = [
    {
      name: 'one network: joined at create, port still published on 127.0.0.1',
      spec: { ...base, networks: ['db-net'] },
      want: { HostConfig: { ...ports, NetworkMode: 'db-net' }, NetworkingConfig: { EndpointsConfig: { 'db-net': {} } } },
    },
    {
      name: 'several networks: only the first at create (the client connects the others)',
      spec: { ...base, networks: ['a', 'b'] },
      want: { HostConfig: { ...ports, NetworkMode: 'a' }, NetworkingConfig: { EndpointsConfig: { a: {} } } },
    },
    { name: 'volumes as Binds', spec: { ...base, binds: ['data:/data', '/srv:/srv:ro'] }, want: { HostConfig: { ...ports, Binds: ['data:/data', '/srv:/srv:ro'] } } },
    { name: 'entrypoint and command', spec: { ...base, entrypoint: ['/bin/sh', '-c'], cmd: ['exec node x.js'] }, want: { Entrypoint: ['/bin/sh', '-c'], Cmd: ['exec node x.js'] } },
    { name: 'user and working directory', spec: { ...base, user: '1000:1000', workingDir: '/app' }, want: { User: '1000:1000', WorkingDir: '/app' } },
    {
      name: 'read-only root, tmpfs, capabilities, security options, init',
      spec: { ...base, readOnlyRootfs: true, tmpfs: { '/tmp': 'size=64m' }, capAdd: ['NET_ADMIN'], capDrop: ['ALL'], securityOpt: ['no-new-privileges'], init: true },
      want: {
        HostConfig: { ...ports, ReadonlyRootfs: true, Tmpfs: { '/tmp': 'size=64m' }, CapAdd: ['NET_ADMIN'], CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges'], Init: true },
      },
    },
    {
      name: 'empty lists and false switches send nothing',
      spec: { ...base, networks: [], binds: [], tmpfs: {}, capAdd: [], capDrop: [], securityOpt: [], readOnlyRootfs: false, init: false },
      want: { HostConfig: ports },
    },
  ];
  for (const row of rows) {
    test(row.name, () => assert.deepEqual(createContainerBody(row.spec), { Image: 'app:1', ExposedPorts: { '80/tcp': {} }, HostConfig: ports, ...row.want }));
  }
});

describe('toNetworkInfo', () => {
  test('id, name, driver and scope', () => {
    assert.deepEqual(toNetworkInfo({ Id: 'n1', Name: 'db-net', Driver: 'bridge', Scope: 'local', Containers: {} }), { id: 'n1', name: 'db-net', driver: 'bridge', scope: 'local' });
    assert.deepEqual(toNetworkInfo({ Id: 'n2', Name: 'mesh', Driver: 'overlay', Scope: 'swarm' }), { id: 'n2', name: 'mesh', driver: 'overlay', scope: 'swarm' });
  });
  test('odd shapes become empty strings', () => assert.deepEqual(toNetworkInfo(null), { id: '', name: '', driver: '', scope: '' }));
});

describe('splitImageRef', () => {
  const rows: { name: string; ref: string; expected: { fromImage: string; tag: string } }[] = [
    { name: 'untagged: latest', ref: 'nginx', expected: { fromImage: 'nginx', tag: 'latest' } },
    { name: 'tagged', ref: 'nginx:1.25', expected: { fromImage: 'nginx', tag: '1.25' } },
    { name: 'registry port, untagged', ref: 'localhost:5000/app', expected: { fromImage: 'localhost:5000/app', tag: 'latest' } },
    { name: 'registry port, tagged', ref: 'localhost:5000/team/app:v2', expected: { fromImage: 'localhost:5000/team/app', tag: 'v2' } },
    { name: 'digest', ref: 'app@sha256:abc', expected: { fromImage: 'app@sha256:abc', tag: '' } },
  ];
  for (const row of rows) test(row.name, () => assert.deepEqual(splitImageRef(row.ref), row.expected));
});

describe('toContainerInfo', () => {
  test('maps an inspect, dropping unpublished ports and the leading slash', () => {
    const info = toContainerInfo({
      Id: 'abc',
      Name: '/web-1',
      Image: 'sha256:fff',
      Created: '2026-01-01T00:00:00Z',
      Config: { Image: 'app:1', Labels: { a: 'b' } },
      State: { Status: 'running', Running: true, ExitCode: 0, OOMKilled: false, StartedAt: 's', FinishedAt: 'f', Error: '' },
      NetworkSettings: {
        Ports: {
          '80/tcp': [
            { HostIp: '127.0.0.1', HostPort: '49153' },
            { HostIp: '::1', HostPort: '49154' },
          ],
          '9000/tcp': null,
          '53/udp': [{ HostIp: '', HostPort: '' }],
        },
      },
    });
    assert.deepEqual(info, {
      id: 'abc',
      name: 'web-1',
      image: 'app:1',
      created: '2026-01-01T00:00:00Z',
      labels: { a: 'b' },
      state: { status: 'running', running: true, exitCode: 0, oomKilled: false, startedAt: 's', finishedAt: 'f', error: '' },
      ports: [
        { containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 49153 },
        { containerPort: 80, protocol: 'tcp', hostIp: '::1', hostPort: 49154 },
      ],
    });
  });

  test('an exited container with null ports and labels', () => {
    const info = toContainerInfo({
      Id: 'x',
      Name: '/x',
      Image: 'sha256:1',
      Config: { Labels: null },
      State: { Status: 'exited', Running: false, ExitCode: 137, OOMKilled: true },
      NetworkSettings: { Ports: null },
    });
    assert.equal(info.image, 'sha256:1');
    assert.deepEqual(info.labels, {});
    assert.deepEqual(info.ports, []);
    assert.equal(info.state.exitCode, 137);
    assert.equal(info.state.oomKilled, true);
    assert.equal(info.state.startedAt, '');
  });
});

describe('toContainerSummary', () => {
  test('keeps published ports only', () => {
    const s = toContainerSummary({
      Id: 'abc',
      Names: ['/web-1'],
      Image: 'app:1',
      State: 'running',
      Status: 'Up 3 seconds',
      Labels: { a: 'b' },
      Created: 1700000000,
      Ports: [
        { IP: '127.0.0.1', PrivatePort: 80, PublicPort: 49153, Type: 'tcp' },
        { PrivatePort: 9000, Type: 'tcp' },
      ],
    });
    assert.deepEqual(s, {
      id: 'abc',
      names: ['/web-1'],
      image: 'app:1',
      state: 'running',
      status: 'Up 3 seconds',
      labels: { a: 'b' },
      created: 1700000000,
      ports: [{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 49153 }],
    });
  });
});

describe('toDockerEvent', () => {
  const rows: { name: string; raw: unknown; expected: ReturnType<typeof toDockerEvent> }[] = [
    {
      name: 'modern event',
      raw: { Type: 'container', Action: 'die', Actor: { ID: 'abc', Attributes: { exitCode: '137', name: 'web' } }, time: 10, timeNano: 10000000001 },
      expected: { type: 'container', action: 'die', id: 'abc', attributes: { exitCode: '137', name: 'web' }, time: 10, timeNano: 10000000001 },
    },
    {
      name: 'old-style event (status and id only)',
      raw: { status: 'start', id: 'abc', time: 5 },
      expected: { type: 'container', action: 'start', id: 'abc', attributes: {}, time: 5, timeNano: 0 },
    },
  ];
  for (const row of rows) test(row.name, () => assert.deepEqual(toDockerEvent(row.raw), row.expected));
});

describe('toPullLine', () => {
  const rows: { name: string; raw: unknown; expected: ReturnType<typeof toPullLine> }[] = [
    {
      name: 'layer progress',
      raw: { status: 'Downloading', id: 'l1', progress: '[=> ]', progressDetail: { current: 5, total: 10 } },
      expected: { progress: { status: 'Downloading', id: 'l1', progress: '[=> ]', current: 5, total: 10 } },
    },
    { name: 'status only', raw: { status: 'Pulling from library/x', progressDetail: {} }, expected: { progress: { status: 'Pulling from library/x' } } },
    { name: 'error line', raw: { errorDetail: { message: 'manifest unknown' }, error: 'manifest unknown' }, expected: { error: 'manifest unknown' } },
    { name: 'errorDetail only', raw: { errorDetail: { message: 'denied' } }, expected: { error: 'denied' } },
  ];
  for (const row of rows) test(row.name, () => assert.deepEqual(toPullLine(row.raw), row.expected));
});

describe('toEngineVersion and toImageInfo', () => {
  test('version', () => {
    assert.deepEqual(toEngineVersion({ Version: '20.10', ApiVersion: '1.41', MinAPIVersion: '1.12', Os: 'linux', Arch: 'amd64' }), {
      version: '20.10',
      apiVersion: '1.41',
      minApiVersion: '1.12',
      os: 'linux',
      arch: 'amd64',
    });
  });
  test('image with no tags and no exposed ports', () => {
    assert.deepEqual(toImageInfo({ Id: 'sha256:1', RepoTags: null, Config: { ExposedPorts: null } }), { id: 'sha256:1', repoTags: [], exposedPorts: [] });
  });
  test('image exposing a port', () => {
    assert.deepEqual(toImageInfo({ Id: 'i', RepoTags: ['a:1'], Config: { ExposedPorts: { '80/tcp': {} } } }).exposedPorts, ['80/tcp']);
  });
});
