import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerSpec } from '../../src/docker/types.js';
import { baseSpec, instanceSpec } from '../../src/orchestrator/spec.js';
import {
  RESTART_DELAY_NS,
  SwarmUnsupportedError,
  parseBind,
  parseTmpfs,
  pinnedImage,
  repositoryOf,
  swarmUnsupported,
  toServiceSpec,
} from '../../src/runtime/swarm-spec.js';

describe('toServiceSpec', () => {
  test("the owner's spec: name, every label, pinned image, port, grace period; hostIp has no meaning on a swarm", () => {
    const base = baseSpec({ service: 'web', image: 'app:1', containerPort: 8080, env: ['A=1'], stopTimeoutMs: 2500 });
    const spec = instanceSpec(base, { name: 'web-x1', hostPort: 0, hash: 'h1' });
    assert.deepEqual(toServiceSpec(spec, 'sha256:abc'), {
      name: 'web-x1',
      labels: {
        'docker-symphony.service': 'web',
        'docker-symphony.image': 'app:1',
        'docker-symphony.container-port': '8080',
        'docker-symphony.spec': 'h1',
      },
      image: 'sha256:abc',
      targetPort: 8080,
      restartDelayNs: RESTART_DELAY_NS,
      env: ['A=1'],
      stopGracePeriodNs: 3e9,
    });
  });

  test('every container option', () => {
    const spec: ContainerSpec = {
      image: 'app:1',
      name: 'web-x2',
      containerPort: 80,
      labels: { a: 'b' },
      cmd: ['--port', '80'],
      entrypoint: ['/app'],
      user: 'nobody',
      workingDir: '/srv',
      readOnlyRootfs: true,
      binds: ['data:/data:ro', '/etc/app:/conf', '/logs:/logs:rw'],
      tmpfs: { '/tmp': 'size=64m,mode=1777', '/run': '' },
      capAdd: ['NET_BIND_SERVICE'],
      capDrop: ['ALL'],
      init: true,
      stopSignal: 'SIGQUIT',
      memoryBytes: 128 * 1024 * 1024,
      nanoCpus: 250_000_000,
      networks: ['front'],
    };
    assert.deepEqual(toServiceSpec(spec, 'app@sha256:d'), {
      name: 'web-x2',
      labels: { a: 'b' },
      image: 'app@sha256:d',
      targetPort: 80,
      restartDelayNs: RESTART_DELAY_NS,
      command: ['/app'],
      args: ['--port', '80'],
      user: 'nobody',
      dir: '/srv',
      readOnly: true,
      mounts: [
        { type: 'volume', source: 'data', target: '/data', readOnly: true },
        { type: 'bind', source: '/etc/app', target: '/conf' },
        { type: 'bind', source: '/logs', target: '/logs' },
        { type: 'tmpfs', target: '/tmp', tmpfsSizeBytes: 64 * 1024 * 1024, tmpfsMode: 0o1777 },
        { type: 'tmpfs', target: '/run' },
      ],
      capabilityAdd: ['NET_BIND_SERVICE'],
      capabilityDrop: ['ALL'],
      init: true,
      stopSignal: 'SIGQUIT',
      memoryBytes: 128 * 1024 * 1024,
      nanoCpus: 250_000_000,
      networks: ['front'],
    });
  });

  test('what a swarm cannot do is a typed error listing every reason', () => {
    const spec: ContainerSpec = { image: 'a', containerPort: 80, hostPort: 8001, securityOpt: ['no-new-privileges'], binds: ['data:/d:z'] };
    assert.throws(
      () => toServiceSpec(spec, 'sha256:1'),
      (err: unknown) => err instanceof SwarmUnsupportedError && err.code === 'SWARM_UNSUPPORTED' && err.reasons.length === 3 && /--runtime docker/.test(err.message),
    );
  });
});

describe('swarmUnsupported', () => {
  const rows: { name: string; spec: Partial<ContainerSpec>; expected: RegExp[] }[] = [
    { name: 'nothing special', spec: {}, expected: [] },
    { name: 'hostIp is ignored, not refused', spec: { hostIp: '127.0.0.1' }, expected: [] },
    { name: 'security options', spec: { securityOpt: ['seccomp=unconfined'] }, expected: [/--security-opt \(seccomp=unconfined\)/] },
    { name: 'empty security options', spec: { securityOpt: [] }, expected: [] },
    { name: 'a fixed host port', spec: { hostPort: 8001 }, expected: [/fixed host port \(8001\)/] },
    { name: 'a bind mode Swarm lacks', spec: { binds: ['/a:/b:z'] }, expected: [/mode 'z'/] },
    { name: 'a relative source', spec: { binds: ['./a:/b'] }, expected: [/neither an absolute path nor a volume name/] },
    { name: 'a tmpfs option Swarm lacks', spec: { tmpfs: { '/tmp': 'noexec' } }, expected: [/tmpfs option 'noexec' of \/tmp/] },
    { name: 'several', spec: { hostPort: 1, tmpfs: { '/t': 'uid=1' } }, expected: [/host port/, /uid=1/] },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const reasons = swarmUnsupported({ image: 'a', containerPort: 80, ...row.spec });
      assert.equal(reasons.length, row.expected.length, reasons.join(' | '));
      row.expected.forEach((re, i) => assert.match(reasons[i] ?? '', re));
    });
  }
});

describe('parseBind and parseTmpfs', () => {
  const binds: { bind: string; expected: ReturnType<typeof parseBind> | RegExp }[] = [
    { bind: 'data:/data', expected: { type: 'volume', source: 'data', target: '/data' } },
    { bind: 'my_vol.1:/d:ro', expected: { type: 'volume', source: 'my_vol.1', target: '/d', readOnly: true } },
    { bind: '/host:/c:rw', expected: { type: 'bind', source: '/host', target: '/c' } },
    { bind: '/host', expected: /SOURCE:TARGET/ },
    { bind: 'a:/b:ro:x', expected: /SOURCE:TARGET/ },
  ];
  for (const row of binds) {
    test(`bind ${row.bind}`, () => {
      const parsed = parseBind(row.bind);
      if (row.expected instanceof RegExp) assert.match(String(parsed), row.expected);
      else assert.deepEqual(parsed, row.expected);
    });
  }
  const tmpfs: { options: string; expected: ReturnType<typeof parseTmpfs> | RegExp }[] = [
    { options: '', expected: { type: 'tmpfs', target: '/t' } },
    { options: 'size=100', expected: { type: 'tmpfs', target: '/t', tmpfsSizeBytes: 100 } },
    { options: 'size=2k', expected: { type: 'tmpfs', target: '/t', tmpfsSizeBytes: 2048 } },
    { options: 'size=1G,mode=700', expected: { type: 'tmpfs', target: '/t', tmpfsSizeBytes: 1024 ** 3, tmpfsMode: 0o700 } },
    { options: 'size=lots', expected: /size=lots/ },
    { options: 'mode=999', expected: /mode=999/ },
  ];
  for (const row of tmpfs) {
    test(`tmpfs '${row.options}'`, () => {
      const parsed = parseTmpfs('/t', row.options);
      if (row.expected instanceof RegExp) assert.match(String(parsed), row.expected);
      else assert.deepEqual(parsed, row.expected);
    });
  }
});

describe('pinnedImage', () => {
  const rows: { name: string; ref: string; digests: string[]; expected: string }[] = [
    { name: 'loaded, no digest: the ID', ref: 'app:1', digests: [], expected: 'sha256:id' },
    { name: 'pulled: its digest', ref: 'app:1', digests: ['app@sha256:d1'], expected: 'app@sha256:d1' },
    { name: 'the digest of the same repository first', ref: 'reg:5000/app:1', digests: ['other@sha256:d0', 'reg:5000/app@sha256:d2'], expected: 'reg:5000/app@sha256:d2' },
    { name: 'else the first digest', ref: 'app', digests: ['mirror/app@sha256:d3'], expected: 'mirror/app@sha256:d3' },
  ];
  for (const row of rows) test(row.name, () => assert.equal(pinnedImage(row.ref, { id: 'sha256:id', repoDigests: row.digests }), row.expected));

  const repos: [string, string][] = [
    ['app', 'app'],
    ['app:1', 'app'],
    ['reg:5000/team/app:1', 'reg:5000/team/app'],
    ['reg:5000/app', 'reg:5000/app'],
    ['app@sha256:abc', 'app'],
  ];
  for (const [ref, repo] of repos) test(`repositoryOf ${ref}`, () => assert.equal(repositoryOf(ref), repo));
});
