// The container options on the real engine, seen from inside the app: networks (a
// replica reaches another container by name), volumes, the command and the rest of
// what `docker run` users set. Every network, volume and container made here is
// removed in `finally`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SymphonyError } from '../../src/errors.js';
import { serviceFilter, SPEC_LABEL } from '../../src/orchestrator/labels.js';
import { testLabels } from '../helpers/engine.js';
import { DEMO_IMAGE, docker, inState, request, serviceName, startSymphony, sweep, waitFor } from './harness.js';
import { Symphony } from '../../src/symphony.js';

const suffix = (): string => randomBytes(3).toString('hex');
const dockerCli = (...args: string[]): string => execFileSync('docker', args, { encoding: 'utf8' }).trim();

/** GET through the proxy, parsed. */
async function getJson<T>(port: number, path: string): Promise<{ status: number; body: T }> {
  const reply = await request(port, path);
  return { status: reply.status, body: JSON.parse(reply.body) as T };
}

test('--network: a replica joins two networks and reaches another container by name on the second', async () => {
  const netA = `e2e-net-a-${suffix()}`;
  const netB = `e2e-net-b-${suffix()}`;
  const peerName = `e2e-peer-${suffix()}`;
  let peerId: string | undefined;
  dockerCli('network', 'create', '--label', 'docker-symphony.test=1', netA);
  try {
    dockerCli('network', 'create', '--label', 'docker-symphony.test=1', netB);
    // The peer lives on the second network only: reaching it proves the connect before start.
    ({ id: peerId } = await docker.createContainer({ image: DEMO_IMAGE, name: peerName, containerPort: 80, networks: [netB], labels: testLabels() }));
    await docker.startContainer(peerId);
    const run = await startSymphony('net', { networks: [netA, netB] });
    try {
      const status = await run.until((s) => inState(s, 'ready') === 1, 30_000, 'one ready replica');
      const id = status.containers[0]?.id ?? assert.fail('no container');
      const joined = Object.keys(JSON.parse(dockerCli('inspect', '--format', '{{json .NetworkSettings.Networks}}', id)) as Record<string, unknown>).sort();
      assert.deepEqual(joined, [netA, netB].sort(), 'joined both networks, nothing else');
      // The port is still published on 127.0.0.1: the proxy reached it to get here.
      const fetched = await getJson<{ status?: number; body?: string; error?: string }>(
        run.port,
        `/api/v1/fetch?url=${encodeURIComponent(`http://${peerName}/api/v1/whoami`)}`,
      );
      assert.equal(fetched.status, 200);
      assert.equal(fetched.body.status, 200, `the peer answered by name from inside the replica: ${JSON.stringify(fetched.body)}`);
      assert.equal((JSON.parse(fetched.body.body ?? '{}') as { hostname: string }).hostname, peerId.slice(0, 12));
    } finally {
      await run.stop();
    }
  } finally {
    if (peerId) await docker.removeContainer(peerId, { force: true });
    for (const net of [netA, netB]) {
      try {
        dockerCli('network', 'rm', net);
      } catch {
        // netB may not have been created
      }
    }
  }
});

test('--network that does not exist: start fails with NETWORK_NOT_FOUND before any container is created', async () => {
  const service = serviceName('nonet');
  const missing = `e2e-missing-${suffix()}`;
  const symphony = new Symphony({ image: DEMO_IMAGE, name: service, listen: { host: '127.0.0.1', port: 0 }, adminListen: null, networks: [missing] });
  try {
    await assert.rejects(symphony.start(), (err: unknown) => {
      return err instanceof SymphonyError && err.code === 'NETWORK_NOT_FOUND' && err.message.includes(`--network ${missing}: no such network`);
    });
    assert.equal((await docker.listContainers({ all: true, labels: [serviceFilter(service)] })).length, 0, 'no container was created');
  } finally {
    await symphony.stop();
    await sweep(service);
  }
});

test('--volume: a host directory read-only and a named volume shared by the replicas', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'symphony-e2e-vol-'));
  const volume = `e2e-vol-${suffix()}`;
  writeFileSync(join(dir, 'hello.txt'), 'hello from the host\n');
  chmodSync(dir, 0o755);
  dockerCli('volume', 'create', '--label', 'docker-symphony.test=1', volume);
  try {
    const run = await startSymphony('vol', { min: 2, max: 2, volumes: [`${dir}:/data:ro`, `${volume}:/state`] });
    try {
      await run.until((s) => inState(s, 'ready') === 2, 30_000, 'two ready replicas');
      const read = await getJson<{ content?: string; error?: string }>(run.port, '/api/v1/file?path=/data/hello.txt');
      assert.deepEqual([read.status, read.body.content], [200, 'hello from the host\n']);
      const refused = await request(run.port, '/api/v1/file?path=/data/new.txt', { method: 'PUT', body: 'x' });
      assert.equal(refused.status, 500);
      assert.equal((JSON.parse(refused.body) as { error: string }).error, 'EROFS', ':ro is read-only inside');
      // Round robin: the write and the read land on different replicas, which share the volume.
      const wrote = await request(run.port, '/api/v1/file?path=/state/shared.txt', { method: 'PUT', body: 'written by one replica' });
      assert.equal(wrote.status, 200);
      const shared = await getJson<{ hostname: string; content?: string }>(run.port, '/api/v1/file?path=/state/shared.txt');
      assert.notEqual(shared.body.hostname, (JSON.parse(wrote.body) as { hostname: string }).hostname, 'read on the other replica');
      assert.equal(shared.body.content, 'written by one replica');
    } finally {
      await run.stop();
    }
  } finally {
    dockerCli('volume', 'rm', volume);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the command, --entrypoint, --env-file, --user, --workdir, --label, --read-only, --tmpfs, --init and the rest, seen from inside', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'symphony-e2e-env-'));
  const envFile = join(dir, 'app.env');
  writeFileSync(envFile, '# for the e2e test\nFROM_FILE=file\nOVERRIDDEN=file\nE2E_SYMPHONY_PASSED\n');
  process.env['E2E_SYMPHONY_PASSED'] = 'from our environment';
  try {
    const run = await startSymphony('cmd', {
      entrypoint: ['/usr/local/bin/node'],
      command: ['/app/server.js', '--greeting', 'hello world'],
      envFile: [envFile],
      env: ['OVERRIDDEN=flag'],
      user: '1000:1000',
      workdir: '/tmp',
      labels: ['team=e2e'],
      readOnly: true,
      tmpfs: ['/scratch:mode=1777'],
      capDrop: ['ALL'],
      securityOpt: ['no-new-privileges'],
      init: true,
      stopSignal: 'SIGINT',
    });
    try {
      const status = await run.until((s) => inState(s, 'ready') === 1, 30_000, 'one ready replica');
      const seen = await getJson<{ argv: string[]; cwd: string; uid: number; gid: number; pid: number; env: Record<string, string> }>(run.port, '/api/v1/process');
      assert.equal(seen.status, 200);
      assert.deepEqual(seen.body.argv.slice(1), ['/app/server.js', '--greeting', 'hello world'], 'the command after the entrypoint, words kept whole');
      assert.equal(seen.body.cwd, '/tmp');
      assert.deepEqual([seen.body.uid, seen.body.gid], [1000, 1000]);
      assert.notEqual(seen.body.pid, 1, 'an init process is PID 1');
      assert.equal(seen.body.env['FROM_FILE'], 'file');
      assert.equal(seen.body.env['OVERRIDDEN'], 'flag', '--env wins over --env-file');
      assert.equal(seen.body.env['E2E_SYMPHONY_PASSED'], 'from our environment', 'KEY alone takes it from our environment');
      const readOnly = await request(run.port, '/api/v1/file?path=/app/x', { method: 'PUT', body: 'x' });
      assert.equal((JSON.parse(readOnly.body) as { error: string }).error, 'EROFS', 'the root filesystem is read-only');
      const tmpfs = await request(run.port, '/api/v1/file?path=/scratch/x', { method: 'PUT', body: 'x' });
      assert.equal(tmpfs.status, 200, `the tmpfs is writable: ${tmpfs.body}`);

      const id = status.containers[0]?.id ?? assert.fail('no container');
      const info = await docker.inspectContainer(id);
      assert.equal(info.labels['team'], 'e2e');
      assert.match(info.labels[SPEC_LABEL] ?? '', /^[0-9a-f]{16}$/, 'labelled with its spec hash');
      assert.equal(info.labels[SPEC_LABEL], status.containers[0]?.spec);
      const host = JSON.parse(dockerCli('inspect', '--format', '{{json .HostConfig}}', id)) as { CapDrop: string[]; SecurityOpt: string[]; Init: boolean; ReadonlyRootfs: boolean };
      assert.deepEqual([host.CapDrop, host.SecurityOpt, host.Init, host.ReadonlyRootfs], [['ALL'], ['no-new-privileges'], true, true]);
      assert.equal(dockerCli('inspect', '--format', '{{.Config.StopSignal}}', id), 'SIGINT');
    } finally {
      await run.stop();
    }
  } finally {
    delete process.env['E2E_SYMPHONY_PASSED'];
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a wrong container port is named at start, and a container refusing it is named before its startup timeout', async () => {
  const run = await startSymphony('port', { containerPort: 8080, startupTimeoutMs: 8_000 });
  try {
    const warning = run.events.find((e) => e.event === 'image.port_mismatch');
    assert.equal(warning?.level, 'warn');
    assert.match(warning?.message ?? '', /^the image exposes 80\/tcp; --container-port is 8080/);
    const started = Date.now();
    await waitFor(() => run.events.find((e) => e.event === 'container.refusing'), (e) => e !== undefined, 15_000, 'a container.refusing warning');
    const refusing = run.events.find((e) => e.event === 'container.refusing');
    assert.match(refusing?.message ?? '', /refuses connections on container port 8080 \(ECONN(RESET|REFUSED)\) for \d+(\.\d)?s: if the app listens on another port, set --container-port/);
    assert.ok(Date.now() - started < 8_000, 'named before the startup timeout ran out');
    assert.equal(run.events.filter((e) => e.event === 'container.unhealthy').length, 0, 'not yet failed: named while it starts');
    // And the startup failure says why.
    await waitFor(() => run.events.find((e) => e.event === 'container.unhealthy'), (e) => e !== undefined, 15_000, 'the startup failure');
    const failed = run.events.find((e) => e.event === 'container.unhealthy');
    assert.match(failed?.message ?? '', /did not answer 200 within 8s: ECONN(RESET|REFUSED) \(nothing accepted connections on the container port: does the app listen on --container-port\?\)/);
  } finally {
    await run.stop();
  }
});

test('the CLI: the words after -- are the command, --env-file is read, and a bad --volume exits 2 before anything runs', async () => {
  const { runCli } = await import('../../src/main.js');
  const service = serviceName('cli');
  const dir = mkdtempSync(join(tmpdir(), 'symphony-e2e-cli-'));
  const envFile = join(dir, 'cli.env');
  writeFileSync(envFile, 'FROM_CLI_FILE=yes\n');
  const lines: string[] = [];
  let signal: ((name: string) => void) | undefined;
  const io = {
    stdout: { write: (s: string) => lines.push(...s.split('\n').filter(Boolean)) },
    stderr: { write: (s: string) => lines.push(s) },
    onSignal: (handler: (name: string) => void) => {
      signal = handler;
      return () => {};
    },
  };
  try {
    const bad = await runCli(['--image', DEMO_IMAGE, '--volume', 'relative/dir:/data'], process.env, io);
    assert.equal(bad, 2);
    assert.match(lines.join('\n'), /invalid --volume \["relative\/dir:\/data"\]/);

    const argv = ['--image', DEMO_IMAGE, '--name', service, '--listen', '127.0.0.1:0', '--admin-listen', 'off', '--log-format', 'json', '--stop-timeout', '2s'];
    const exited = runCli([...argv, '--env-file', envFile, '--', '--greeting', 'hello there', '--max', '99'], process.env, io);
    const startedLine = await waitFor(() => lines.find((l) => l.includes('"symphony.started"')), (l) => l !== undefined, 30_000, 'symphony.started');
    const record = JSON.parse(startedLine ?? '{}') as { proxy?: string; fields?: { proxy?: string } };
    const port = Number((record.fields?.proxy ?? record.proxy ?? '').split(':').pop());
    assert.ok(port > 0, `the proxy port from ${startedLine}`);
    const seen = await getJson<{ argv: string[]; env: Record<string, string> }>(port, '/api/v1/process');
    assert.deepEqual(seen.body.argv.slice(1), ['/app/server.js', '--greeting', 'hello there', '--max', '99'], "the image's ENTRYPOINT, then the command, our flags included");
    assert.equal(seen.body.env['FROM_CLI_FILE'], 'yes');
    signal?.('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    await sweep(service);
    rmSync(dir, { recursive: true, force: true });
  }
});
