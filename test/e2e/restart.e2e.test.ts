// The CLI as users run it: SIGKILL and restart adopts what is running (no
// duplicates, nothing orphaned); SIGTERM leaves no container behind.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { DEMO_IMAGE, docker, request, serviceName, startCli, sweep, waitFor } from './harness.js';

test('SIGKILL, restart: running containers are adopted, none duplicated or orphaned; SIGTERM removes them all', async () => {
  const service = serviceName('restart');
  const args = ['--image', DEMO_IMAGE, '--name', service, '--listen', '127.0.0.1:0', '--admin-listen', 'off', '--min', '2', '--max', '2', '--stop-timeout', '2s', '--log-format', 'json'];
  const children: ChildProcess[] = [];
  try {
    const first = startCli(args);
    children.push(first.child);
    await first.waitEvent('container.ready', 2);
    const before = (await docker.listContainers({ labels: [`docker-symphony.service=${service}`] })).map((c) => c.id).sort();
    assert.equal(before.length, 2);

    first.child.kill('SIGKILL');
    await once(first.child, 'exit');

    const second = startCli(args);
    children.push(second.child);
    await second.waitEvent('symphony.started');
    await second.waitEvent('container.adopted', 2);
    const started = second.records.find((r) => r.event === 'symphony.started');
    const port = Number(String(started?.fields?.['proxy']).split(':').pop());
    assert.equal((await request(port, '/api/v1/whoami')).status, 200);
    const after = (await docker.listContainers({ all: true, labels: [`docker-symphony.service=${service}`] })).map((c) => c.id).sort();
    assert.deepEqual(after, before, 'the same two containers, no duplicates, no orphans');

    second.child.kill('SIGTERM');
    const [code] = (await once(second.child, 'exit')) as [number | null];
    assert.equal(code, 0, `clean exit (stderr: ${second.stderr.join(' | ')})`);
    // Over the second run's whole life (its first reconcile follows adoption at once):
    assert.equal(second.records.filter((r) => r.event === 'container.created').length, 0, 'no container created on restart');
    const left = await docker.listContainers({ all: true, labels: [`docker-symphony.service=${service}`] });
    assert.equal(left.length, 0, 'SIGTERM left no container');
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await sweep(service);
  }
});

test('restart with a different --env: the old containers serve until replacements of the new spec are ready, then leave; no request fails', async () => {
  const service = serviceName('respec');
  const args = ['--image', DEMO_IMAGE, '--name', service, '--listen', '127.0.0.1:0', '--admin-listen', 'off', '--min', '2', '--max', '2', '--stop-timeout', '2s', '--log-format', 'json'];
  const label = `docker-symphony.service=${service}`;
  const children: ChildProcess[] = [];
  let loading = false;
  const loops: Promise<void>[] = [];
  try {
    const first = startCli([...args, '--env', 'SPEC_TEST=one']);
    children.push(first.child);
    await first.waitEvent('container.ready', 2);
    const old = await docker.listContainers({ labels: [label] });
    const oldHash = old[0]?.labels['docker-symphony.spec'];
    assert.ok(oldHash, 'containers carry the spec label');
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');

    const second = startCli([...args, '--env', 'SPEC_TEST=two']);
    children.push(second.child);
    await second.waitEvent('symphony.started');
    const started = second.records.find((r) => r.event === 'symphony.started');
    const port = Number(String(started?.fields?.['proxy']).split(':').pop());
    // Load from the moment the proxy is up until the old containers are gone.
    const statuses = new Map<string, number>();
    loading = true;
    for (let i = 0; i < 4; i++) {
      loops.push(
        (async () => {
          while (loading) {
            const key = await request(port, '/api/v1/whoami').then(
              (r) => String(r.status),
              (err: unknown) => `error: ${err instanceof Error ? err.message : String(err)}`,
            );
            statuses.set(key, (statuses.get(key) ?? 0) + 1);
          }
        })(),
      );
    }
    await second.waitEvent('container.adopted', 2);
    const replaced = await waitFor(
      () => docker.listContainers({ all: true, labels: [label] }),
      (list) => list.length === 2 && list.every((c) => c.state === 'running' && c.labels['docker-symphony.spec'] !== oldHash),
      60_000,
      'two running containers of the new spec, none of the old',
    );
    assert.ok(replaced.every((c) => !old.some((o) => o.id === c.id)));
    // A few more requests land on the new containers only.
    await new Promise((r) => setTimeout(r, 500));
    loading = false;
    await Promise.all(loops);
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    assert.ok(total > 20, `requests sent during the replacement: ${total}`);
    assert.deepEqual([...statuses.keys()], ['200'], `every request succeeded: ${JSON.stringify([...statuses])}`);
    assert.equal(second.records.filter((r) => r.event === 'container.created').length, 2, 'two replacements, no more');
    assert.equal(second.records.filter((r) => r.event === 'container.orphan_removed').length, 0, 'the old ones were not cut off');

    second.child.kill('SIGTERM');
    const [code] = (await once(second.child, 'exit')) as [number | null];
    assert.equal(code, 0, `clean exit (stderr: ${second.stderr.join(' | ')})`);
    assert.equal((await docker.listContainers({ all: true, labels: [label] })).length, 0, 'SIGTERM left no container');
  } finally {
    loading = false;
    await Promise.allSettled(loops);
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await sweep(service);
  }
});

test('a bad option exits 2 before any container starts, naming the flag', async () => {
  const service = serviceName('badflag');
  const cli = startCli(['--image', DEMO_IMAGE, '--name', service, '--min', '3', '--max', '2']);
  const [code] = (await once(cli.child, 'exit')) as [number | null];
  assert.equal(code, 2);
  assert.match(cli.stderr.join('\n'), /invalid --max .*expected a number not below --min \(3\)/);
  assert.equal((await docker.listContainers({ all: true, labels: [`docker-symphony.service=${service}`] })).length, 0);
});
