// The CLI as users run it: SIGKILL and restart adopts what is running (no
// duplicates, nothing orphaned); SIGTERM leaves no container behind.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEMO_IMAGE, docker, request, serviceName, sweep, waitFor } from './harness.js';

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

interface Cli {
  readonly child: ChildProcess;
  readonly records: { event: string; container?: string; fields?: Record<string, unknown> }[];
  readonly stderr: string[];
  waitEvent(event: string, count?: number, timeoutMs?: number): Promise<void>;
}

function startCli(args: string[]): Cli {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const records: Cli['records'] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      records.push(JSON.parse(line) as Cli['records'][number]);
    } catch {
      stderr.push(`stdout: ${line}`);
    }
  });
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  return {
    child,
    records,
    stderr,
    waitEvent: (event, count = 1, timeoutMs = 40_000) =>
      waitFor(() => records.filter((r) => r.event === event).length, (n) => n >= count, timeoutMs, `${count}× ${event} (stderr: ${stderr.join(' | ')})`).then(() => {}),
  };
}

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
    // Give the owner a few reconcile rounds: it must not start more.
    await new Promise((r) => setTimeout(r, 2_500));
    assert.equal(second.records.filter((r) => r.event === 'container.created').length, 0, 'no container created on restart');
    const after = (await docker.listContainers({ all: true, labels: [`docker-symphony.service=${service}`] })).map((c) => c.id).sort();
    assert.deepEqual(after, before, 'the same two containers, no duplicates, no orphans');

    second.child.kill('SIGTERM');
    const [code] = (await once(second.child, 'exit')) as [number | null];
    assert.equal(code, 0, `clean exit (stderr: ${second.stderr.join(' | ')})`);
    const left = await docker.listContainers({ all: true, labels: [`docker-symphony.service=${service}`] });
    assert.equal(left.length, 0, 'SIGTERM left no container');
  } finally {
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
