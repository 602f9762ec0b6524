// `docker-symphony status` against a real admin server on port 0 (serving a fake
// status), and against an address where nothing listens.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { AdminServer } from '../../src/admin/server.js';
import { parseStatusArgs } from '../../src/commands/command-args.js';
import { runStatus, type CommandIO } from '../../src/commands/status.js';
import { FAKE_T0, fakeContainer, fakeStatus } from '../admin/fake-status.js';
import { FakeClock } from '../helpers/fake-clock.js';

const TOKEN = 'status-test-token-0123456789';

function io(): CommandIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, now: () => FAKE_T0 };
}

/** A port where nothing listens: bound by the kernel, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const status = {
  ...fakeStatus({ states: ['ready', 'draining'] }),
  containers: [fakeContainer(1, 'ready', { image: 'demo:1', spec: 'aaaaaaaaaaaaaaaa' }), fakeContainer(2, 'draining', { image: 'demo:1', spec: 'aaaaaaaaaaaaaaaa' })],
};

describe('status against a real admin server', () => {
  const open = new AdminServer({ status: () => status, metrics: () => '', clock: new FakeClock() });
  const locked = new AdminServer({ status: () => status, metrics: () => '', token: TOKEN, clock: new FakeClock() });
  let openUrl = '';
  let lockedUrl = '';
  before(async () => {
    openUrl = `http://127.0.0.1:${(await open.listen(0)).port}`;
    lockedUrl = `http://127.0.0.1:${(await locked.listen(0)).port}`;
  });
  after(async () => {
    await open.close();
    await locked.close();
  });

  test('prints the summary and the container table, exit 0', async () => {
    const t = io();
    assert.equal(await runStatus(['--admin', openUrl], {}, t), 0, t.err.join(''));
    const text = t.out.join('');
    assert.match(text, /^service {3}demo-api: docker-symphony-demo:latest, proxy on 127\.0\.0\.1:8080, up 1h 00m$/m);
    assert.match(text, /^replicas {2}2 desired: Rule, /m);
    assert.match(text, /^CONTAINER ID {3}NAME {14}VERSION {13}HOST PORT {3}STATE {13}IN FLIGHT {3}SERVED {3}LAST CHECK$/m);
    assert.match(text, /^2a2b2c2d2e2f {3}symphony-demo-2 {3}demo:1 @ aaaaaaaa {3}32002 {7}draining {10}2 {11}200 {6}200 in 3 ms, 1s ago$/m);
    assert.equal(t.err.join(''), '');
  });

  test('--json prints the status object as the server sent it', async () => {
    const t = io();
    assert.equal(await runStatus(['--admin', openUrl, '--json'], {}, t), 0);
    assert.deepEqual(JSON.parse(t.out.join('')), JSON.parse(JSON.stringify(status)));
  });

  test('a token from --admin-token or SYMPHONY_ADMIN_TOKEN opens a locked server', async () => {
    const byFlag = io();
    assert.equal(await runStatus(['--admin', lockedUrl, '--admin-token', TOKEN, '--json'], {}, byFlag), 0, byFlag.err.join(''));
    const byEnv = io();
    assert.equal(await runStatus(['--admin', lockedUrl, '--json'], { SYMPHONY_ADMIN_TOKEN: TOKEN }, byEnv), 0, byEnv.err.join(''));
    assert.equal(JSON.parse(byEnv.out.join('')).service.name, 'demo-api');
  });

  test('without the token (or a wrong one): exit 1, saying how to pass it', async () => {
    const none = io();
    assert.equal(await runStatus(['--admin', lockedUrl], {}, none), 1);
    assert.equal(none.err.join(''), 'docker-symphony status: this admin server needs a token: pass --admin-token TOKEN or set SYMPHONY_ADMIN_TOKEN\n');
    const wrong = io();
    assert.equal(await runStatus(['--admin', lockedUrl, '--admin-token', 'x'.repeat(20)], {}, wrong), 1);
    assert.equal(wrong.err.join(''), 'docker-symphony status: the token was refused: pass --admin-token TOKEN or set SYMPHONY_ADMIN_TOKEN\n');
  });

  test('a server that is not Docker Symphony: exit 1, not a crash', async () => {
    const t = io();
    assert.equal(await runStatus(['--admin', `${openUrl}/nowhere`], {}, t), 1);
    assert.match(t.err.join(''), /^docker-symphony status: No route \/nowhere\/api\/status\./);
  });
});

describe('status when no orchestrator answers', () => {
  test('exit 1 with a clear message naming the address and the flag', async () => {
    const port = await closedPort();
    const t = io();
    assert.equal(await runStatus(['--admin', `127.0.0.1:${port}`], {}, t), 1);
    assert.equal(
      t.err.join(''),
      `docker-symphony status: no Docker Symphony admin server answers at http://127.0.0.1:${port} — is it running? (--admin URL) [ECONNREFUSED]\n`,
    );
    assert.equal(t.out.join(''), '');
  });
});

describe('status flags', () => {
  const rows: [string, string[], Record<string, string>, object | 'help' | RegExp][] = [
    ['the defaults', [], {}, { kind: 'status', url: 'http://127.0.0.1:9900', token: null, json: false }],
    ['a bare port', ['--admin', '9901'], {}, { kind: 'status', url: 'http://127.0.0.1:9901', token: null, json: false }],
    ['host:port', ['--admin', '10.0.0.5:9900', '--json'], {}, { kind: 'status', url: 'http://10.0.0.5:9900', token: null, json: true }],
    ['the flag token wins over the environment', ['--admin-token', 'flag-token'], { SYMPHONY_ADMIN_TOKEN: 'env-token' }, { kind: 'status', url: 'http://127.0.0.1:9900', token: 'flag-token', json: false }],
    ['--help', ['--help'], {}, 'help'],
    ['an unknown flag', ['--jsn'], {}, /^Unknown option '--jsn'.*\(see docker-symphony status --help\)$/s],
    ['a stray word', ['now'], {}, /Unexpected argument 'now'.*\(see docker-symphony status --help\)$/s],
    ['a URL of another scheme', ['--admin', 'ftp://127.0.0.1:9900'], {}, /^invalid --admin "ftp:\/\/127\.0\.0\.1:9900": expected an http:\/\/ or https:\/\/ URL$/],
  ];
  for (const [name, argv, env, expected] of rows) {
    test(name, () => {
      if (expected instanceof RegExp) assert.throws(() => parseStatusArgs(argv, env), (err: Error) => expected.test(err.message), name);
      else assert.deepEqual(parseStatusArgs(argv, env), expected, name);
    });
  }

  test('--help prints the usage and asks nothing', async () => {
    const t = io();
    assert.equal(await runStatus(['--help'], {}, t), 0);
    assert.match(t.out.join(''), /^Usage: docker-symphony status \[--admin URL\] \[--admin-token TOKEN\] \[--json\]\n/);
  });

  test('a bad flag exits 2 without asking anything', async () => {
    const t = io();
    assert.equal(await runStatus(['--bogus'], {}, t), 2);
    assert.match(t.err.join(''), /^docker-symphony status: Unknown option '--bogus'/);
  });
});
