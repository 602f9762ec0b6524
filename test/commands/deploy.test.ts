// `docker-symphony deploy` against a fake admin server on port 0 that answers the
// deploy contract (POST /api/deploy → 202, then /api/status as the deploy moves on).
// Polls are paced by an injected sleep: nothing here waits for real time.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { describe, test } from 'node:test';
import { parseDeployArgs } from '../../src/commands/command-args.js';
import { exitCodeOf, progressLine, startLine } from '../../src/commands/deploy-format.js';
import { runDeploy } from '../../src/commands/deploy.js';
import type { CommandIO } from '../../src/commands/status.js';
import type { DeployStatus } from '../../src/status.js';
import { FAKE_T0, fakeStatus } from '../admin/fake-status.js';

const TOKEN = 'deploy-test-token-0123456789';

function deploy(over: Partial<DeployStatus> = {}): DeployStatus {
  return {
    id: 7,
    state: 'running',
    from: { image: 'demo:1', spec: 'aaaaaaaaaaaaaaaa' },
    to: { image: 'demo:2', spec: 'bbbbbbbbbbbbbbbb' },
    progress: { done: 0, total: 2 },
    reason: null,
    startedAt: new Date(FAKE_T0 - 4000).toISOString(),
    endedAt: null,
    ...over,
  };
}

interface Fake {
  readonly url: string;
  readonly posts: { body: unknown; auth: string | undefined }[];
  statusCalls: number;
  close(): Promise<void>;
}

/**
 * A fake admin server: `post` answers POST /api/deploy; GET /api/status answers the
 * deploys in `sequence` one per call (the last one repeats). With `token`, 401 without it.
 */
async function fakeAdmin(options: {
  post?: (body: unknown) => { status: number; body: unknown };
  sequence?: readonly (DeployStatus | null)[];
  token?: string;
  /** After this many status calls the server stops answering (connections are refused). */
  dieAfter?: number;
}): Promise<Fake> {
  const posts: Fake['posts'] = [];
  const sequence = options.sequence ?? [];
  let server: Server;
  const fake: Fake = {
    url: '',
    posts,
    statusCalls: 0,
    close: () => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve())),
  };
  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      res.setHeader('connection', 'close');
      if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
        json(res, 401, { error: { code: 'UNAUTHORIZED', message: 'This admin server needs a token.' } });
        return;
      }
      if (req.method === 'POST' && req.url === '/api/deploy') {
        const body = JSON.parse(text) as unknown;
        posts.push({ body, auth: req.headers.authorization });
        const answer = options.post?.(body) ?? { status: 202, body: { deploy: deploy() } };
        json(res, answer.status, answer.body);
        return;
      }
      if (req.method === 'GET' && req.url === '/api/status') {
        const i = Math.min(fake.statusCalls, sequence.length - 1);
        fake.statusCalls++;
        json(res, 200, { ...fakeStatus(), deploy: sequence[i] ?? null });
        // Answered; from now on connections are refused.
        if (options.dieAfter !== undefined && fake.statusCalls >= options.dieAfter) server.close();
        return;
      }
      json(res, 404, { error: { code: 'NOT_FOUND', message: `No route ${req.url ?? ''}.` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(fake, { url: `http://127.0.0.1:${(server.address() as { port: number }).port}` });
}

function io(): CommandIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, now: () => FAKE_T0 };
}

/** An injected sleep that records each wait and returns at once. */
function pacing(extra: { maxFailedPolls?: number } = {}) {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms), ...extra };
}

describe('deploy against a fake admin server', () => {
  test('posts the image and env, prints a line each time the deploy moves, exit 0 when it succeeded', async () => {
    const fake = await fakeAdmin({
      sequence: [
        deploy({ progress: { done: 0, total: 2 } }),
        deploy({ progress: { done: 1, total: 2 } }),
        deploy({ progress: { done: 1, total: 2 } }),
        deploy({ state: 'succeeded', progress: { done: 2, total: 2 }, endedAt: new Date(FAKE_T0).toISOString() }),
      ],
    });
    try {
      const t = io();
      const pace = pacing();
      const code = await runDeploy(['--image', 'demo:2', '--env', 'A=1', '--env', 'B=two words', '--admin', fake.url], {}, t, pace);
      assert.equal(code, 0, t.err.join(''));
      assert.deepEqual(fake.posts, [{ body: { image: 'demo:2', env: ['A=1', 'B=two words'] }, auth: undefined }]);
      assert.deepEqual(t.out.join('').trim().split('\n'), [
        'deploy #7 started: demo:1 @ aaaaaaaa → demo:2 @ bbbbbbbb, 2 replica(s) to replace',
        'deploy #7: 0/2 replaced by demo:2 @ bbbbbbbb (4s)',
        'deploy #7: 1/2 replaced by demo:2 @ bbbbbbbb (4s)',
        'deploy #7 succeeded: demo:2 @ bbbbbbbb serves everything (2 replaced in 4s)',
      ]);
      assert.equal(t.err.join(''), '');
      assert.deepEqual(pace.waits, [500, 500, 500, 500], 'one 500 ms pause before each poll');
      assert.equal(fake.statusCalls, 4);
    } finally {
      await fake.close();
    }
  });

  test('exit 1 with the reason when it rolled back', async () => {
    const fake = await fakeAdmin({
      sequence: [
        deploy({ state: 'rolling-back', progress: { done: 1, total: 2 }, reason: 'symphony-demo-9 failed its health check 2s after joining' }),
        deploy({ state: 'rolled-back', progress: { done: 1, total: 2 }, reason: 'symphony-demo-9 failed its health check 2s after joining', endedAt: new Date(FAKE_T0).toISOString() }),
      ],
    });
    try {
      const t = io();
      assert.equal(await runDeploy(['--image', 'demo:2', '--admin', fake.url], {}, t, pacing()), 1);
      assert.deepEqual(fake.posts[0]?.body, { image: 'demo:2' }, 'no env sent: the running env stays');
      assert.match(t.out.join(''), /^deploy #7: rolling back to demo:1 @ aaaaaaaa: symphony-demo-9 failed its health check 2s after joining \(4s\)$/m);
      assert.match(t.out.join(''), /^deploy #7 rolled back: symphony-demo-9 failed .*; demo:1 @ aaaaaaaa serves everything again \(4s\)$/m);
      assert.equal(t.err.join(''), 'docker-symphony deploy: rolled back: symphony-demo-9 failed its health check 2s after joining\n');
    } finally {
      await fake.close();
    }
  });

  test('409: exit 1, a deploy is already running', async () => {
    const fake = await fakeAdmin({ post: () => ({ status: 409, body: { error: { code: 'DEPLOY_IN_PROGRESS', message: 'deploy #6 is running' } } }) });
    try {
      const t = io();
      assert.equal(await runDeploy(['--image', 'demo:2', '--admin', fake.url], {}, t, pacing()), 1);
      assert.match(t.err.join(''), /^docker-symphony deploy: a deploy is already running: deploy #6 is running\n$/);
      assert.equal(fake.statusCalls, 0, 'nothing to follow');
    } finally {
      await fake.close();
    }
  });

  test('400 from the server: its message', async () => {
    const fake = await fakeAdmin({ post: () => ({ status: 400, body: { error: { code: 'BAD_REQUEST', message: 'env must be a list of KEY=VALUE strings' } } }) });
    try {
      const t = io();
      assert.equal(await runDeploy(['--env', 'A=1', '--admin', fake.url], {}, t, pacing()), 1);
      assert.equal(t.err.join(''), 'docker-symphony deploy: env must be a list of KEY=VALUE strings\n');
    } finally {
      await fake.close();
    }
  });

  test('a 202 that does not say which deploy: exit 1, not a crash', async () => {
    const fake = await fakeAdmin({ post: () => ({ status: 202, body: { accepted: true } }) });
    try {
      const t = io();
      assert.equal(await runDeploy(['--image', 'demo:2', '--admin', fake.url], {}, t, pacing()), 1);
      assert.equal(t.err.join(''), 'docker-symphony deploy: the admin server accepted the deploy but did not say which one ({"accepted":true})\n');
    } finally {
      await fake.close();
    }
  });

  test('an orchestrator without the deploy route: exit 1, saying so', async () => {
    const fake = await fakeAdmin({ post: () => ({ status: 404, body: { error: { code: 'NOT_FOUND', message: 'No route /api/deploy.' } } }) });
    try {
      const t = io();
      assert.equal(await runDeploy(['--image', 'demo:2', '--admin', fake.url], {}, t, pacing()), 1);
      assert.match(t.err.join(''), /this orchestrator does not take deploys \(No route \/api\/deploy\.\)/);
    } finally {
      await fake.close();
    }
  });

  test('the token goes with every request; without it, exit 1 saying how to pass it', async () => {
    const fake = await fakeAdmin({ token: TOKEN, sequence: [deploy({ state: 'succeeded', progress: { done: 2, total: 2 }, endedAt: new Date(FAKE_T0).toISOString() })] });
    try {
      const ok = io();
      assert.equal(await runDeploy(['--image', 'demo:2', '--admin', fake.url], { SYMPHONY_ADMIN_TOKEN: TOKEN }, ok, pacing()), 0, ok.err.join(''));
      assert.equal(fake.posts[0]?.auth, `Bearer ${TOKEN}`);
      const refused = io();
      assert.equal(await runDeploy(['--image', 'demo:2', '--admin', fake.url], {}, refused, pacing()), 1);
      assert.match(refused.err.join(''), /this admin server needs a token: pass --admin-token TOKEN or set SYMPHONY_ADMIN_TOKEN/);
    } finally {
      await fake.close();
    }
  });

  test('another deploy in the status (ours was superseded): exit 1', async () => {
    const fake = await fakeAdmin({ sequence: [deploy({ id: 8 })] });
    try {
      const t = io();
      assert.equal(await runDeploy(['--image', 'demo:2', '--admin', fake.url], {}, t, pacing()), 1);
      assert.match(t.err.join(''), /deploy #7 is no longer the orchestrator's deploy: #8 is \(running\)/);
    } finally {
      await fake.close();
    }
  });

  test('the orchestrator goes away while it is followed: a few failed polls are retried, then exit 1', async () => {
    const fake = await fakeAdmin({ sequence: [deploy()], dieAfter: 2 });
    try {
      const t = io();
      const pace = pacing({ maxFailedPolls: 3 });
      assert.equal(await runDeploy(['--image', 'demo:2', '--admin', fake.url], {}, t, pace), 1);
      assert.equal(fake.statusCalls, 2);
      assert.equal(pace.waits.length, 2 + 3, 'two answered polls, then three refused ones');
      assert.match(t.err.join(''), /lost the orchestrator while following deploy #7: no Docker Symphony admin server answers at .*; it may still be running/);
    } finally {
      await fake.close();
    }
  });
});

test('deploy when no orchestrator answers: exit 1 with the clear message', async () => {
  const fake = await fakeAdmin({});
  const url = fake.url;
  await fake.close();
  const t = io();
  assert.equal(await runDeploy(['--image', 'demo:2', '--admin', url], {}, t, pacing()), 1);
  assert.equal(t.err.join(''), `docker-symphony deploy: no Docker Symphony admin server answers at ${url} — is it running? (--admin URL) [ECONNREFUSED]\n`);
});

describe('deploy flags', () => {
  const rows: [string, string[], object | 'help' | RegExp][] = [
    ['image only', ['--image', 'demo:2'], { kind: 'deploy', url: 'http://127.0.0.1:9900', token: null, image: 'demo:2', env: undefined }],
    ['env only (same image, new env)', ['--env', 'A=1'], { kind: 'deploy', url: 'http://127.0.0.1:9900', token: null, image: undefined, env: ['A=1'] }],
    ['an empty value is a value', ['--image', 'demo:2', '--env', 'EMPTY='], { kind: 'deploy', url: 'http://127.0.0.1:9900', token: null, image: 'demo:2', env: ['EMPTY='] }],
    ['--help', ['--help'], 'help'],
    ['nothing to change', [], /^deploy needs --image IMAGE \(and\/or --env KEY=VALUE\): what should change\?$/],
    ['a malformed image', ['--image', 'Demo 2'], /^invalid --image "Demo 2": expected an image reference/],
    ['an env without =', ['--image', 'demo:2', '--env', 'NOVALUE'], /^invalid --env "NOVALUE": expected KEY=VALUE$/],
    ['--image without its value', ['--image'], /^Option '--image <value>' argument missing \(see docker-symphony deploy --help\)$/],
  ];
  for (const [name, argv, expected] of rows) {
    test(name, () => {
      if (expected instanceof RegExp) assert.throws(() => parseDeployArgs(argv, {}), (err: Error) => expected.test(err.message), name);
      else assert.deepEqual(parseDeployArgs(argv, {}), expected, name);
    });
  }

  test('a bad flag exits 2 before anything is sent', async () => {
    const t = io();
    assert.equal(await runDeploy(['--image', 'demo:2', '--env', 'x'], {}, t, pacing()), 2);
    assert.equal(t.err.join(''), 'docker-symphony deploy: invalid --env "x": expected KEY=VALUE\n');
  });
});

describe('deploy progress lines', () => {
  const ended = new Date(FAKE_T0 - 1000).toISOString();
  const rows: [string, DeployStatus, string, 0 | 1 | null][] = [
    ['running', deploy({ progress: { done: 1, total: 3 } }), 'deploy #7: 1/3 replaced by demo:2 @ bbbbbbbb (4s)', null],
    ['rolling back without a reason', deploy({ state: 'rolling-back' }), 'deploy #7: rolling back to demo:1 @ aaaaaaaa: the new version failed (4s)', null],
    ['succeeded: the time it took, not the time since', deploy({ state: 'succeeded', progress: { done: 3, total: 3 }, endedAt: ended }), 'deploy #7 succeeded: demo:2 @ bbbbbbbb serves everything (3 replaced in 3s)', 0],
    ['rolled back', deploy({ state: 'rolled-back', reason: 'not ready in 60s', endedAt: ended }), 'deploy #7 rolled back: not ready in 60s; demo:1 @ aaaaaaaa serves everything again (3s)', 1],
  ];
  for (const [name, d, line, code] of rows) {
    test(name, () => {
      assert.equal(progressLine(d, FAKE_T0), line, name);
      assert.equal(exitCodeOf(d), code, name);
    });
  }

  test('the start line names both versions and the count', () => {
    assert.equal(startLine(deploy({ progress: { done: 0, total: 4 } })), 'deploy #7 started: demo:1 @ aaaaaaaa → demo:2 @ bbbbbbbb, 4 replica(s) to replace');
  });
});
