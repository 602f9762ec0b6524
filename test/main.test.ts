// The CLI's decisions that need no engine: help, version, option errors (exit 2),
// the config file and the environment. Real starts are in test/e2e/restart.e2e.test.ts.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { packageVersion, runCli, type CliIO } from '../src/main.js';
import * as library from '../src/index.js';
import { startFakeEngine } from './helpers/fake-engine.js';

function io(): CliIO & { out: string[]; err: string[]; signal: (name: string) => void } {
  const out: string[] = [];
  const err: string[] = [];
  let handler: (signal: string) => void = () => assert.fail('no signal handler is installed');
  return {
    out,
    err,
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    onSignal: (h) => {
      handler = h;
      return () => (handler = () => assert.fail('the signal handler was removed'));
    },
    signal: (name) => handler(name),
    now: () => Date.UTC(2026, 10, 25),
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

const bad: [string, string[], string][] = [
  ['no image', [], '--image is required: an image reference such as my-api:latest'],
  ['a typo in a flag', ['--image', 'a', '--widnow', '30s'], 'unknown option --widnow; did you mean --window?'],
  ['an unknown flag', ['--image', 'a', '--replicas', '3'], 'unknown option --replicas (see docker-symphony --help)'],
  ['min above max', ['--image', 'a', '--min', '3', '--max', '2'], 'invalid --max "2": expected a number not below --min (3)'],
  ['negative window', ['--image', 'a', '--window', '-1s'], 'invalid --window "-1s": expected a duration such as 1500ms, 10s or 2m'],
  ['port out of range', ['--image', 'a', '--container-port', '70000'], 'invalid --container-port "70000": expected a port from 1 to 65535'],
  ['malformed image', ['--image', 'UPPER CASE'], 'invalid --image "UPPER CASE": expected an image reference such as my-api:latest or registry:5000/team/api:1.2'],
  ['two mistakes', ['--image', 'a', '--min', '0', '--pull', 'always'], '2 problems with the options:\n  - invalid --min "0": expected a whole number ≥ 1\n  - invalid --pull "always": expected one of missing, never'],
  ['missing config file', ['--image', 'a', '--config', '/nonexistent/symphony.json'], 'invalid --config "/nonexistent/symphony.json": expected a readable file (ENOENT)'],
];
for (const [name, argv, message] of bad) {
  test(`exits 2 on ${name}, saying what is expected`, async () => {
    const t = io();
    assert.equal(await runCli(argv, {}, t), 2);
    assert.equal(t.err.join(''), `docker-symphony: ${message}\n`);
    assert.equal(t.out.join(''), '', 'nothing started, nothing logged');
  });
}

test('exits 2 on an open admin port without a token, saying how to set one', async () => {
  const t = io();
  assert.equal(await runCli(['--image', 'a', '--admin-listen', '0.0.0.0:9900'], {}, t), 2);
  assert.match(t.err.join(''), /^docker-symphony: The admin server would listen on 0\.0\.0\.0 without a token.*--admin-token or SYMPHONY_ADMIN_TOKEN/);
});

test('a config file sets options, flags win, and every problem in it is reported at once, naming the file', async () => {
  const good = join(dir, 'good.json');
  await writeFile(good, JSON.stringify({ image: 'demo:1', min: 3, max: 2 }));
  const t1 = io();
  assert.equal(await runCli(['--config', good], {}, t1), 2, 'the file is read: its min/max clash');
  assert.equal(t1.err.join(''), `docker-symphony: ${good}: invalid "max" 2: expected a number not below "min" (3)\n`);
  const t2 = io();
  // Flags override the file: with --max 4 the file's options are valid, so the CLI gets as far as
  // building the Symphony; an unreachable engine then stops it with status 1.
  assert.equal(await runCli(['--config', good, '--max', '4', '--listen', '127.0.0.1:0', '--admin-listen', 'off'], { DOCKER_HOST: 'unix:///nonexistent.sock' }, t2), 1);
  assert.match(t2.err.join(''), /No Docker engine socket at \/nonexistent\.sock.*\[DOCKER_UNAVAILABLE\]/);

  const broken = join(dir, 'broken.json');
  await writeFile(broken, '{ "image": ');
  const t3 = io();
  assert.equal(await runCli(['--config', broken], {}, t3), 2);
  assert.match(t3.err.join(''), new RegExp(`^docker-symphony: invalid --config "${broken}": expected valid JSON \\(`));

  const unknown = join(dir, 'unknown.json');
  await writeFile(unknown, JSON.stringify({ image: 'demo:1', replicas: 3, windw: '10s', max: 'many' }));
  const t4 = io();
  assert.equal(await runCli(['--config', unknown], {}, t4), 2);
  assert.equal(
    t4.err.join(''),
    [
      'docker-symphony: 3 problems with the options:',
      `  - ${unknown}: unknown option "replicas" (see docker-symphony --help)`,
      `  - ${unknown}: unknown option "windw"; did you mean "window"?`,
      `  - ${unknown}: invalid "max" "many": expected a whole number ≥ 1`,
      '',
    ].join('\n'),
  );
});

test('SYMPHONY_ADMIN_TOKEN from the environment allows an open admin port', async () => {
  const t = io();
  const code = await runCli(['--image', 'demo:1', '--admin-listen', '0.0.0.0:0', '--listen', '127.0.0.1:0'], { SYMPHONY_ADMIN_TOKEN: 'x'.repeat(32), DOCKER_HOST: 'unix:///nonexistent.sock' }, t);
  assert.equal(code, 1, 'options accepted; only the missing engine stops it');
  assert.doesNotMatch(t.err.join(''), /ADMIN_TOKEN_REQUIRED/);
});

test('the library refuses what it would otherwise ignore, with errors of one shape', () => {
  const refused = (options: unknown): unknown => {
    try {
      new library.Symphony(options as { image: string }, { docker: new library.DockerClient({ host: { kind: 'unix', socketPath: '/nonexistent.sock' } }) });
    } catch (err) {
      return err;
    }
    return assert.fail('the Symphony was built');
  };
  const misspelled = refused({ image: 'demo:1', windw: 30 });
  assert.ok(misspelled instanceof library.ConfigError && misspelled instanceof library.SymphonyError, String(misspelled));
  assert.equal(misspelled.message, 'unknown option "windw"; did you mean "windowMs" (milliseconds)?');
  const open = refused({ image: 'demo:1', adminListen: { host: '0.0.0.0', port: 0 } });
  assert.ok(open instanceof library.AdminConfigError && open instanceof library.SymphonyError, String(open));
  assert.equal(open.code, 'ADMIN_TOKEN_REQUIRED');
  assert.deepEqual(library.desiredReplicas({ count: 45, base: 20, min: 1, max: 10 }), { replicas: 3, reason: 'Rule', proposed: 3, count: 45 });
  assert.throws(() => library.desiredReplicas({ count: 1, base: 0, min: 1, max: 1 }), { name: 'ScaleRuleError', code: 'SCALE_RULE_INVALID' });
  for (const swarmError of [library.NotSwarmManagerError, library.SwarmUnsupportedError, library.SwarmStartError]) {
    assert.ok(swarmError.prototype instanceof library.SymphonyError, `${swarmError.name} is a SymphonyError`);
  }
});

/** A stand-in engine on which `demo:pull-forever` is missing and its pull never ends; `pulling` resolves once it began. */
async function pullForeverEngine(): Promise<{ engine: Awaited<ReturnType<typeof startFakeEngine>>; pulling: Promise<void> }> {
  let pullStarted = (): void => {};
  const pulling = new Promise<void>((resolve) => (pullStarted = resolve));
  const engine = await startFakeEngine({
    'GET /v1.41/images/demo:pull-forever/json': (_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"message":"No such image"}');
    },
    'POST /v1.41/images/create': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`${JSON.stringify({ status: 'Pulling fs layer', id: 'abc' })}\n`);
      pullStarted();
    },
  });
  return { engine, pulling };
}

test('SIGTERM during start (an image pull) shuts down cleanly, and the shutdown line is JSON in a JSON log', async () => {
  const { engine, pulling } = await pullForeverEngine();
  try {
    const t = io();
    const argv = ['--image', 'demo:pull-forever', '--listen', '127.0.0.1:0', '--admin-listen', 'off', '--log-format', 'json'];
    const exit = runCli(argv, { DOCKER_HOST: `unix://${engine.socketPath}`, DOCKER_API_VERSION: '1.41' }, t);
    await pulling;
    t.signal('SIGTERM');
    assert.equal(await exit, 0, `a clean shutdown (stderr: ${t.err.join('')})`);
    assert.equal(t.err.join(''), '');
    const records = t.out.join('').trim().split('\n').map((line) => JSON.parse(line) as { event: string; message: string; level: string; time: string });
    const line = records.find((r) => r.event === 'cli.signal');
    assert.deepEqual(line, {
      time: '2026-11-25T00:00:00.000Z',
      level: 'info',
      event: 'cli.signal',
      message: 'SIGTERM: shutting down (SIGTERM again to exit at once)',
      fields: { signal: 'SIGTERM' },
    });
  } finally {
    await engine.close();
  }
});

test('status and deploy are subcommands: they talk to the admin server and never start an orchestrator', async () => {
  const refused = io();
  // Port 1 on loopback: nothing listens there.
  assert.equal(await runCli(['status', '--admin', 'http://127.0.0.1:1'], {}, refused), 1);
  assert.equal(refused.err.join(''), 'docker-symphony status: no Docker Symphony admin server answers at http://127.0.0.1:1 — is it running? (--admin URL) [ECONNREFUSED]\n');
  const help = io();
  assert.equal(await runCli(['deploy', '--help'], {}, help), 0);
  assert.match(help.out.join(''), /^Usage: docker-symphony deploy --image IMAGE \[--env KEY=VALUE …\]/);
  const bad = io();
  assert.equal(await runCli(['deploy'], {}, bad), 2);
  assert.match(bad.err.join(''), /deploy needs --image IMAGE/);
  const typo = io();
  assert.equal(await runCli(['stauts'], {}, typo), 2);
  assert.equal(typo.err.join(''), 'docker-symphony: unknown command "stauts"; did you mean status? (commands: status, deploy; see --help)\n');
  const top = io();
  assert.equal(await runCli(['--help'], {}, top), 0);
  assert.match(top.out.join(''), /docker-symphony status \[--admin URL\] \[--json\]/);
  assert.match(top.out.join(''), /SIGHUP reads --config again and deploys a changed image or env/);
});

test('SIGHUP while the orchestrator is still starting is logged and ignored; it keeps its course', async () => {
  const { engine, pulling } = await pullForeverEngine();
  const file = join(dir, 'sighup.json');
  await writeFile(file, JSON.stringify({ image: 'demo:pull-forever', listen: '127.0.0.1:0', adminListen: 'off', logFormat: 'json' }));
  try {
    const t = io();
    const exit = runCli(['--config', file], { DOCKER_HOST: `unix://${engine.socketPath}`, DOCKER_API_VERSION: '1.41' }, t);
    await pulling;
    await writeFile(file, JSON.stringify({ image: 'demo:2', listen: '127.0.0.1:0', adminListen: 'off', logFormat: 'json' }));
    t.signal('SIGHUP');
    await new Promise((resolve) => setImmediate(resolve));
    t.signal('SIGTERM');
    assert.equal(await exit, 0, `a clean shutdown, not a SIGHUP death (stderr: ${t.err.join('')})`);
    const records = t.out.join('').trim().split('\n').map((line) => JSON.parse(line) as { event: string; message: string; level: string });
    const reload = records.find((r) => r.event === 'cli.reload_skipped');
    assert.equal(reload?.message, 'SIGHUP: ignored while starting; send it again once it runs');
    assert.equal(reload?.level, 'warn');
    assert.ok(records.some((r) => r.event === 'cli.signal'), 'SIGTERM still shuts down');
  } finally {
    await engine.close();
  }
});

test('--scale-down-delay takes 0 (the default: at once) or a duration, and nothing else', async () => {
  const rows: [string, string, number, RegExp][] = [
    ['zero', '0', 1, /DOCKER_UNAVAILABLE/],
    ['five minutes', '5m', 1, /DOCKER_UNAVAILABLE/],
    ['negative', '-1s', 2, /^docker-symphony: invalid --scale-down-delay "-1s": expected a duration such as 1500ms, 10s or 2m\n$/],
    ['a bare number', '30', 2, /^docker-symphony: invalid --scale-down-delay "30": expected a duration such as 1500ms, 10s or 2m\n$/],
  ];
  for (const [name, value, code, stderr] of rows) {
    const t = io();
    const argv = ['--image', 'demo:1', '--scale-down-delay', value, '--listen', '127.0.0.1:0', '--admin-listen', 'off'];
    assert.equal(await runCli(argv, { DOCKER_HOST: 'unix:///nonexistent.sock' }, t), code, `${name}: ${t.err.join('')}`);
    assert.match(t.err.join(''), stderr, name);
  }
});
