import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SPEC_LABEL } from '../../src/orchestrator/labels.js';
import { specHash } from '../../src/orchestrator/spec-hash.js';
import { baseSpec, canonicalJson, instanceSpec, specHashInput, tmpfsMounts, userLabels, type SpecConfig } from '../../src/orchestrator/spec.js';

const config: SpecConfig = { service: 'web', image: 'demo:1', containerPort: 80, env: ['A=1'], stopTimeoutMs: 2_500 };

describe('baseSpec', () => {
  const rows: { name: string; config: SpecConfig; want: Record<string, unknown> }[] = [
    {
      name: 'the minimum: published on 127.0.0.1, labelled, stop timeout rounded up',
      config: { ...config, env: [] },
      want: {
        image: 'demo:1',
        env: [],
        labels: { 'docker-symphony.service': 'web', 'docker-symphony.image': 'demo:1', 'docker-symphony.container-port': '80' },
        containerPort: 80,
        hostIp: '127.0.0.1',
        stopTimeoutSeconds: 3,
      },
    },
    {
      name: 'limits when set',
      config: { ...config, memoryBytes: 64 * 1024 * 1024, cpus: 0.5 },
      want: {
        image: 'demo:1',
        env: ['A=1'],
        labels: { 'docker-symphony.service': 'web', 'docker-symphony.image': 'demo:1', 'docker-symphony.container-port': '80' },
        containerPort: 80,
        hostIp: '127.0.0.1',
        memoryBytes: 67108864,
        nanoCpus: 500_000_000,
        stopTimeoutSeconds: 3,
      },
    },
    {
      name: 'every container option, mapped to the spec; user labels under ours',
      config: {
        ...config,
        networks: ['db-net', 'cache'],
        volumes: ['data:/data', '/srv/conf:/etc/app:ro'],
        command: ['node', 'server.js'],
        entrypoint: ['/bin/sh', '-c'],
        labels: ['team=api', 'tier', 'url=http://x?a=b'],
        user: '1000:1000',
        workdir: '/app',
        readOnly: true,
        tmpfs: ['/tmp:size=64m,mode=1777', '/run'],
        capAdd: ['NET_BIND_SERVICE'],
        capDrop: ['ALL'],
        securityOpt: ['no-new-privileges'],
        init: true,
        stopSignal: 'SIGQUIT',
      },
      want: {
        image: 'demo:1',
        env: ['A=1'],
        cmd: ['node', 'server.js'],
        entrypoint: ['/bin/sh', '-c'],
        networks: ['db-net', 'cache'],
        binds: ['data:/data', '/srv/conf:/etc/app:ro'],
        user: '1000:1000',
        workingDir: '/app',
        readOnlyRootfs: true,
        tmpfs: { '/tmp': 'size=64m,mode=1777', '/run': '' },
        capAdd: ['NET_BIND_SERVICE'],
        capDrop: ['ALL'],
        securityOpt: ['no-new-privileges'],
        init: true,
        stopSignal: 'SIGQUIT',
        labels: {
          team: 'api',
          tier: '',
          url: 'http://x?a=b',
          'docker-symphony.service': 'web',
          'docker-symphony.image': 'demo:1',
          'docker-symphony.container-port': '80',
        },
        containerPort: 80,
        hostIp: '127.0.0.1',
        stopTimeoutSeconds: 3,
      },
    },
    {
      name: 'options at their defaults add no field',
      config: { ...config, networks: [], volumes: [], command: null, entrypoint: null, labels: [], user: null, workdir: null, readOnly: false, tmpfs: [], capAdd: [], capDrop: [], securityOpt: [], init: false, stopSignal: null },
      want: {
        image: 'demo:1',
        env: ['A=1'],
        labels: { 'docker-symphony.service': 'web', 'docker-symphony.image': 'demo:1', 'docker-symphony.container-port': '80' },
        containerPort: 80,
        hostIp: '127.0.0.1',
        stopTimeoutSeconds: 3,
      },
    },
  ];
  for (const row of rows) test(row.name, () => assert.deepEqual(baseSpec(row.config), row.want));
});

describe('instanceSpec', () => {
  const base = baseSpec(config);
  const rows: { name: string; hostPort: number; wantHostPort: number | undefined }[] = [
    { name: 'a fixed host port', hostPort: 18_005, wantHostPort: 18_005 },
    { name: 'port 0: the engine picks', hostPort: 0, wantHostPort: undefined },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const spec = instanceSpec(base, { name: 'web-abc', hostPort: row.hostPort, hash: 'h' });
      assert.equal(spec.name, 'web-abc');
      assert.equal(spec.hostPort, row.wantHostPort);
      assert.equal(spec.labels?.[SPEC_LABEL], 'h');
      assert.equal(base.labels?.[SPEC_LABEL], undefined, 'the base is not changed');
    });
  }
});

describe('canonicalJson', () => {
  const rows: { name: string; value: unknown; want: string }[] = [
    { name: 'keys sorted at every depth', value: { b: 1, a: { d: 2, c: [3, { f: 4, e: 5 }] } }, want: '{"a":{"c":[3,{"e":5,"f":4}],"d":2},"b":1}' },
    { name: 'undefined members left out', value: { a: undefined, b: null }, want: '{"b":null}' },
    { name: 'array order kept', value: ['B=2', 'A=1'], want: '["B=2","A=1"]' },
    { name: 'a plain value', value: 'x', want: '"x"' },
  ];
  for (const row of rows) test(row.name, () => assert.equal(canonicalJson(row.value), row.want));
});

describe('specHash', () => {
  const hashOf = (c: SpecConfig, name = 'web-1', hostPort = 0): string => specHash(instanceSpec(baseSpec(c), { name, hostPort, hash: 'ignored' }));
  const rows: { name: string; other: () => string; same: boolean }[] = [
    { name: 'another name and host port: same hash', other: () => hashOf(config, 'web-2', 18_001), same: true },
    { name: 'another --env: another hash', other: () => hashOf({ ...config, env: ['A=2'] }), same: false },
    { name: 'env in another order: another hash (order is what the app sees)', other: () => hashOf({ ...config, env: ['B=1', 'A=1'] }), same: false },
    { name: 'another image: another hash', other: () => hashOf({ ...config, image: 'demo:2' }), same: false },
    { name: 'another memory limit: another hash', other: () => hashOf({ ...config, memoryBytes: 1 }), same: false },
    { name: 'another stop timeout: another hash', other: () => hashOf({ ...config, stopTimeoutMs: 10_000 }), same: false },
    { name: 'options at their defaults: same hash as before they existed', other: () => hashOf({ ...config, networks: [], volumes: [], command: null, readOnly: false, init: false }), same: true },
    { name: 'a --network: another hash', other: () => hashOf({ ...config, networks: ['db-net'] }), same: false },
    { name: 'networks in another order: another hash (the first is joined at create)', other: () => hashOf({ ...config, networks: ['b', 'a'] }) === hashOf({ ...config, networks: ['a', 'b'] }) ? hashOf(config) : 'differs', same: false },
    { name: 'a --volume: another hash', other: () => hashOf({ ...config, volumes: ['data:/data'] }), same: false },
    { name: 'a volume made read-only: another hash', other: () => hashOf({ ...config, volumes: ['data:/data:ro'] }) === hashOf({ ...config, volumes: ['data:/data'] }) ? hashOf(config) : 'differs', same: false },
    { name: 'a command: another hash', other: () => hashOf({ ...config, command: ['node', 'other.js'] }), same: false },
    { name: 'an entrypoint: another hash', other: () => hashOf({ ...config, entrypoint: ['/bin/sh'] }), same: false },
    { name: 'a --label: another hash', other: () => hashOf({ ...config, labels: ['team=api'] }), same: false },
    { name: 'a --user: another hash', other: () => hashOf({ ...config, user: 'node' }), same: false },
    { name: 'a --workdir: another hash', other: () => hashOf({ ...config, workdir: '/app' }), same: false },
    { name: '--read-only: another hash', other: () => hashOf({ ...config, readOnly: true }), same: false },
    { name: 'a --tmpfs: another hash', other: () => hashOf({ ...config, tmpfs: ['/tmp'] }), same: false },
    { name: 'a --cap-add: another hash', other: () => hashOf({ ...config, capAdd: ['NET_ADMIN'] }), same: false },
    { name: 'a --cap-drop: another hash', other: () => hashOf({ ...config, capDrop: ['ALL'] }), same: false },
    { name: 'a --security-opt: another hash', other: () => hashOf({ ...config, securityOpt: ['no-new-privileges'] }), same: false },
    { name: '--init: another hash', other: () => hashOf({ ...config, init: true }), same: false },
    { name: 'a --stop-signal: another hash', other: () => hashOf({ ...config, stopSignal: 'SIGQUIT' }), same: false },
  ];
  for (const row of rows) test(row.name, () => assert.equal(row.other() === hashOf(config), row.same));

  test('16 hex digits of sha256 over the canonical JSON without name, host port and the hash label', () => {
    const spec = instanceSpec(baseSpec(config), { name: 'web-1', hostPort: 18_001, hash: 'old' });
    assert.match(specHash(spec), /^[0-9a-f]{16}$/);
    const input = specHashInput(spec);
    assert.ok(!input.includes('web-1') && !input.includes('18001') && !input.includes(SPEC_LABEL), input);
    assert.equal(input, canonicalJson(baseSpec(config)));
  });
});

describe('userLabels', () => {
  const rows: { name: string; entries: string[]; want: Record<string, string> }[] = [
    { name: 'KEY=VALUE', entries: ['team=api'], want: { team: 'api' } },
    { name: 'KEY alone: empty value', entries: ['tier'], want: { tier: '' } },
    { name: 'the value may hold =', entries: ['q=a=b'], want: { q: 'a=b' } },
    { name: 'the last of a key wins', entries: ['a=1', 'a=2'], want: { a: '2' } },
  ];
  for (const row of rows) test(row.name, () => assert.deepEqual(userLabels(row.entries), row.want));
});

describe('tmpfsMounts', () => {
  const rows: { name: string; entries: string[]; want: Record<string, string> }[] = [
    { name: 'a path alone: no options', entries: ['/run'], want: { '/run': '' } },
    { name: 'a path and its options', entries: ['/tmp:size=64m,mode=1777'], want: { '/tmp': 'size=64m,mode=1777' } },
  ];
  for (const row of rows) test(row.name, () => assert.deepEqual(tmpfsMounts(row.entries), row.want));
});
