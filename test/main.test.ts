// The CLI's decisions that need no engine: help, version, option errors (exit 2),
// the config file and the environment. Real starts are in test/e2e/restart.e2e.test.ts.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { packageVersion, runCli, type CliIO } from '../src/main.js';
import * as library from '../src/index.js';

function io(): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    onSignal: () => () => {},
  };
}

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'symphony-cli-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('--help prints the usage and exits 0', async () => {
  const t = io();
  assert.equal(await runCli(['--help'], {}, t), 0);
  assert.match(t.out.join(''), /Usage: docker-symphony --image IMAGE \[options\]/);
});

test('--version prints the package version', async () => {
  const t = io();
  assert.equal(await runCli(['--version'], {}, t), 0);
  assert.equal(t.out.join('').trim(), packageVersion());
  assert.match(packageVersion(), /^\d+\.\d+\.\d+/);
});

const bad: [string, string[], RegExp][] = [
  ['no image', [], /invalid --image undefined: expected an image reference/],
  ['unknown flag', ['--image', 'a', '--replicas', '3'], /invalid --replicas .*expected a known flag/],
  ['min above max', ['--image', 'a', '--min', '3', '--max', '2'], /invalid --max "2": expected a number not below --min \(3\)/],
  ['negative window', ['--image', 'a', '--window', '-1s'], /invalid --window "-1s": expected a duration/],
  ['port out of range', ['--image', 'a', '--container-port', '70000'], /invalid --container-port "70000": expected a port from 1 to 65535/],
  ['malformed image', ['--image', 'UPPER CASE'], /invalid --image "UPPER CASE"/],
  ['open admin port without a token', ['--image', 'a', '--admin-listen', '0.0.0.0:9900'], /--admin-token or SYMPHONY_ADMIN_TOKEN/],
  ['missing config file', ['--image', 'a', '--config', '/nonexistent/symphony.json'], /invalid --config .*expected a readable file \(ENOENT\)/],
];
for (const [name, argv, message] of bad) {
  test(`exits 2 on ${name}, saying what is expected`, async () => {
    const t = io();
    assert.equal(await runCli(argv, {}, t), 2);
    assert.match(t.err.join(''), message);
    assert.equal(t.out.join(''), '', 'nothing started, nothing logged');
  });
}

test('a config file sets options, flags win, and bad JSON or keys are reported', async () => {
  const good = join(dir, 'good.json');
  await writeFile(good, JSON.stringify({ image: 'demo:1', min: 3, max: 2 }));
  const t1 = io();
  assert.equal(await runCli(['--config', good], {}, t1), 2, 'the file is read: its min/max clash');
  assert.match(t1.err.join(''), /--max/);
  const t2 = io();
  // Flags override the file: with --max 4 the file's options are valid, so the CLI gets as far as
  // building the Symphony; an unreachable engine then stops it with status 1.
  assert.equal(await runCli(['--config', good, '--max', '4', '--listen', '127.0.0.1:0', '--admin-listen', 'off'], { DOCKER_HOST: 'unix:///nonexistent.sock' }, t2), 1);
  assert.match(t2.err.join(''), /DOCKER_UNAVAILABLE|No Docker engine/);

  const broken = join(dir, 'broken.json');
  await writeFile(broken, '{ "image": ');
  const t3 = io();
  assert.equal(await runCli(['--config', broken], {}, t3), 2);
  assert.match(t3.err.join(''), /expected valid JSON/);

  const unknown = join(dir, 'unknown.json');
  await writeFile(unknown, JSON.stringify({ image: 'demo:1', replicas: 3 }));
  const t4 = io();
  assert.equal(await runCli(['--config', unknown], {}, t4), 2);
  assert.match(t4.err.join(''), /"replicas"/);
});

test('SYMPHONY_ADMIN_TOKEN from the environment allows an open admin port', async () => {
  const t = io();
  const code = await runCli(['--image', 'demo:1', '--admin-listen', '0.0.0.0:0', '--listen', '127.0.0.1:0'], { SYMPHONY_ADMIN_TOKEN: 'x'.repeat(32), DOCKER_HOST: 'unix:///nonexistent.sock' }, t);
  assert.equal(code, 1, 'options accepted; only the missing engine stops it');
  assert.doesNotMatch(t.err.join(''), /ADMIN_TOKEN_REQUIRED/);
});

test('the library entry point exports the documented API', () => {
  assert.equal(typeof library.Symphony, 'function');
  assert.equal(typeof library.DockerClient, 'function');
  assert.equal(typeof library.configFromOptions, 'function');
  assert.deepEqual(library.desiredReplicas({ count: 45, base: 20, min: 1, max: 10 }), { replicas: 3, reason: 'Rule', proposed: 3, count: 45 });
  assert.throws(() => new library.Symphony({ image: 'demo:1', min: 2, max: 1 }), library.ConfigError);
});
