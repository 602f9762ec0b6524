import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { AdminConfigError } from '../../src/admin/auth.js';
import type { HistorySnapshot } from '../../src/admin/history.js';
import { AdminServer, CONTENT_SECURITY_POLICY, METRICS_CONTENT_TYPE } from '../../src/admin/server.js';
import { SymphonyMetrics } from '../../src/admin/symphony-metrics.js';
import { SymphonyError } from '../../src/errors.js';
import type { DeployStatus, SymphonyStatus } from '../../src/status.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { FAKE_T0, fakeStatus } from './fake-status.js';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request to 127.0.0.1:port, body read in full. */
function call(port: number, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function sampleValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  assert.ok(line, `missing sample ${series}`);
  return Number(line.slice(series.length + 1));
}

describe('AdminServer without a token', () => {
  const metrics = new SymphonyMetrics();
  let current: SymphonyStatus = fakeStatus();
  let failStatus = false;
  // The fake statuses' events are stamped around FAKE_T0; the clock runs from there.
  const clock = new FakeClock(FAKE_T0);
  const server = new AdminServer({
    status: () => {
      if (failStatus) throw new Error('owner is gone');
      return current;
    },
    metrics: (s) => metrics.render(s),
    clock,
  });
  let port = 0;
  let host = '';

  before(async () => {
    ({ port, host } = await server.listen(0));
  });
  after(() => server.close());

  test('listens on 127.0.0.1 by default and reports the port the kernel chose', async () => {
    assert.equal(host, '127.0.0.1');
    assert.equal((await call(port, '/healthz')).status, 200, 'the reported port is the one it answers on');
  });

  test('GET /api/status returns the status as JSON', async () => {
    current = fakeStatus({ windowCount: 61, desired: 4 });
    const r = await call(port, '/api/status');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.deepEqual(JSON.parse(r.body), JSON.parse(JSON.stringify(current)));
  });

  test('GET /metrics has the Prometheus content type and HELP/TYPE lines', async () => {
    const r = await call(port, '/metrics');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], METRICS_CONTENT_TYPE);
    assert.equal(METRICS_CONTENT_TYPE, 'text/plain; version=0.0.4; charset=utf-8');
    assert.match(r.body, /^# HELP symphony_requests_total .+$/m);
    assert.match(r.body, /^# TYPE symphony_requests_total counter$/m);
    assert.match(r.body, /^# TYPE symphony_request_duration_seconds histogram$/m);
    assert.match(r.body, /^# TYPE symphony_containers gauge$/m);
  });

  test('counters only grow across scrapes; gauges follow the status', async () => {
    current = fakeStatus({ states: ['ready', 'ready', 'ready'] });
    const first = (await call(port, '/metrics')).body;
    metrics.requestDone(200, 5, false);
    metrics.requestDone(200, 7, false);
    metrics.healthCheck(false);
    current = fakeStatus({ states: ['ready'] });
    const second = (await call(port, '/metrics')).body;
    const third = (await call(port, '/metrics')).body;
    const ok1 = sampleValue(first, 'symphony_requests_total{code_class="2xx"}');
    assert.equal(sampleValue(second, 'symphony_requests_total{code_class="2xx"}'), ok1 + 2);
    assert.equal(sampleValue(third, 'symphony_requests_total{code_class="2xx"}'), ok1 + 2);
    assert.equal(sampleValue(second, 'symphony_health_check_failures_total'), sampleValue(first, 'symphony_health_check_failures_total') + 1);
    assert.equal(sampleValue(first, 'symphony_containers{state="ready"}'), 3);
    assert.equal(sampleValue(second, 'symphony_containers{state="ready"}'), 1);
  });

  test('GET /healthz answers ok', async () => {
    const r = await call(port, '/healthz');
    assert.equal(r.status, 200);
    assert.equal(r.body.trim(), 'ok');
  });

  const assets: { path: string; type: string }[] = [
    { path: '/', type: 'text/html; charset=utf-8' },
    { path: '/dashboard.js', type: 'text/javascript; charset=utf-8' },
    { path: '/dashboard.css', type: 'text/css; charset=utf-8' },
  ];
  for (const asset of assets) {
    test(`GET ${asset.path} serves the dashboard file as ${asset.type.split(';')[0]}, under the strict CSP`, async () => {
      const r = await call(port, asset.path);
      assert.equal(r.status, 200);
      assert.equal(r.headers['content-type'], asset.type);
      assert.ok(r.body.length > 500, 'the file itself, not an error');
      assert.equal(r.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
      assert.equal(r.headers['x-frame-options'], 'DENY');
    });
  }

  test('the CSP allows scripts and styles from the server only: nothing inline, nothing from elsewhere', () => {
    const directives = new Map(CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
    assert.equal(directives.get('default-src'), "'none'");
    assert.equal(directives.get('script-src'), "'self'");
    assert.equal(directives.get('style-src'), "'self'");
    assert.equal(directives.get('frame-ancestors'), "'none'");
  });

  test('unknown routes get 404 JSON', async () => {
    const r = await call(port, '/nope');
    assert.equal(r.status, 404);
    assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(JSON.parse(r.body).error.code, 'NOT_FOUND');
  });

  test('wrong methods get 405 with Allow', async () => {
    for (const method of ['POST', 'DELETE', 'PUT']) {
      const r = await call(port, '/api/status', { method });
      assert.equal(r.status, 405, method);
      assert.equal(r.headers['allow'], 'GET, HEAD');
      assert.equal(JSON.parse(r.body).error.code, 'METHOD_NOT_ALLOWED');
    }
  });

  test('HEAD is answered without a body', async () => {
    const r = await call(port, '/api/status', { method: 'HEAD' });
    assert.equal(r.status, 200);
    assert.equal(r.body, '');
  });

  test('a failing status provider gives 500 JSON, and the server keeps serving', async () => {
    failStatus = true;
    try {
      const r = await call(port, '/api/status');
      assert.equal(r.status, 500);
      assert.equal(JSON.parse(r.body).error.code, 'INTERNAL_ERROR');
      assert.match(JSON.parse(r.body).error.message, /owner is gone/);
    } finally {
      failStatus = false;
    }
    assert.equal((await call(port, '/healthz')).status, 200);
  });

  test('a non-loopback Host header is refused (DNS rebinding)', async () => {
    const r = await call(port, '/api/status', { headers: { Host: 'attacker.example:9090' } });
    assert.equal(r.status, 403);
    assert.equal(JSON.parse(r.body).error.code, 'FORBIDDEN');
    assert.equal((await call(port, '/api/status', { headers: { Host: `localhost:${port}` } })).status, 200);
  });

  test('a Host that only starts like a loopback name is refused (userinfo, path, suffix)', async () => {
    for (const host of [`localhost:${port}@evil.com`, `127.0.0.1:${port}/evil.com`, 'localhost.evil.com', `127.0.0.1.nip.io:${port}`, `[::1]:${port}@evil.com`]) {
      const r = await call(port, '/api/status', { headers: { Host: host } });
      assert.equal(r.status, 403, `Host ${host} must be refused`);
    }
    assert.equal((await call(port, '/api/status', { headers: { Host: `[::1]:${port}` } })).status, 200);
  });

  test('GET /api/history: a sample at listen and one per second on the clock, oldest first, with marks', async () => {
    // This server's history began at listen(); read what it holds now, then add to it.
    const before = (JSON.parse((await call(port, '/api/history')).body) as HistorySnapshot).samples.length;
    current = fakeStatus({ windowCount: 7, requests: 100, states: ['ready'], events: [] });
    clock.advance(1000);
    current = fakeStatus({
      windowCount: 9,
      requests: 104,
      states: ['ready', 'starting'],
      events: [{ time: clock.now() + 500, level: 'info', event: 'scale.decision', message: 'scale to 2', fields: { previous: 1, desired: 2 } }],
    });
    clock.advance(1000);
    clock.advance(999); // not yet a second: no sample
    const r = await call(port, '/api/history');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
    const h = JSON.parse(r.body) as HistorySnapshot;
    assert.equal(h.intervalMs, 1000);
    assert.equal(h.spanMs, 300_000);
    assert.equal(h.samples.length, before + 2);
    const [a, b] = h.samples.slice(-2);
    assert.deepEqual(
      [a?.count, b?.count, b?.running, b?.ready, b?.rate],
      [7, 9, 2, 1, 4],
    );
    assert.equal((b?.t ?? 0) - (a?.t ?? 0), 1000);
    assert.deepEqual(
      h.marks.map((m) => m.kind),
      ['scale-up'],
    );
  });

  test('a status that throws leaves a gap in the history, and sampling goes on', async () => {
    const count = async (): Promise<number> => (JSON.parse((await call(port, '/api/history')).body) as HistorySnapshot).samples.length;
    const before = await count();
    failStatus = true;
    try {
      clock.advance(1000);
    } finally {
      failStatus = false;
    }
    assert.equal(await count(), before, 'no sample for the failed second');
    clock.advance(1000);
    assert.equal(await count(), before + 1);
  });
});

describe('AdminServer with a token', () => {
  const token = 'correct-horse-battery';
  const server = new AdminServer({ status: () => fakeStatus(), metrics: (s) => new SymphonyMetrics().render(s), token });
  let port = 0;

  before(async () => {
    ({ port } = await server.listen(0));
  });
  after(() => server.close());

  for (const path of ['/', '/dashboard.js', '/dashboard.css', '/api/status', '/api/history', '/metrics', '/healthz', '/nope']) {
    test(`${path} without a token → 401 with WWW-Authenticate`, async () => {
      const r = await call(port, path);
      assert.equal(r.status, 401);
      assert.match(String(r.headers['www-authenticate']), /^Bearer /);
      assert.equal(JSON.parse(r.body).error.code, 'UNAUTHORIZED');
    });
  }

  test('wrong token → 401', async () => {
    const r = await call(port, '/api/status', { headers: { Authorization: 'Bearer correct-horse-batterz' } });
    assert.equal(r.status, 401);
  });

  for (const path of ['/', '/api/status', '/metrics', '/healthz']) {
    test(`${path} with the bearer token → 200`, async () => {
      const r = await call(port, path, { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(r.status, 200);
    });
  }

  test('GET /?token= sets an HttpOnly cookie (not the token itself) that then authorizes the page fetches', async () => {
    const page = await call(port, `/?token=${token}`);
    assert.equal(page.status, 200);
    const setCookie = page.headers['set-cookie']?.[0];
    assert.ok(setCookie, 'a cookie is set');
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    assert.ok(!setCookie.includes(token), 'the raw token is not stored in the cookie');
    const cookie = setCookie.split(';')[0] ?? '';
    assert.equal((await call(port, '/api/status', { headers: { Cookie: cookie } })).status, 200);
    assert.equal((await call(port, '/api/status', { headers: { Cookie: `${cookie}x` } })).status, 401);
  });

  test('a wrong ?token= on / → 401, and ?token= is not accepted on other routes', async () => {
    assert.equal((await call(port, '/?token=nope')).status, 401);
    assert.equal((await call(port, `/api/status?token=${token}`)).status, 401);
  });

  test('with a token, other Host names are allowed (it may listen beyond loopback)', async () => {
    const r = await call(port, '/healthz', { headers: { Host: 'symphony.internal', Authorization: `Bearer ${token}` } });
    assert.equal(r.status, 200);
  });
});

describe('AdminServer security and lifecycle', () => {
  test('listening beyond loopback without a token is refused before binding', async () => {
    const server = new AdminServer({ status: () => fakeStatus(), metrics: () => '' });
    await assert.rejects(server.listen(0, '0.0.0.0'), (err: unknown) => err instanceof AdminConfigError && err.code === 'ADMIN_TOKEN_REQUIRED');
    await server.close();
  });

  test('close() stops the history timer and does not wait for idle keep-alive connections', async () => {
    const clock = new FakeClock();
    const server = new AdminServer({ status: () => fakeStatus(), metrics: () => '', clock });
    const { port } = await server.listen(0);
    const agent = new Agent({ keepAlive: true });
    let closed = false;
    try {
      assert.equal(clock.pending, 1, 'the next history sample is scheduled');
      // A finished request leaves its socket idle in the agent's pool.
      const socket = await new Promise<Socket>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/healthz', agent }, (res) => {
          const socket = res.socket;
          res.resume();
          res.on('end', () => resolve(socket));
        });
        req.on('error', reject).end();
      });
      socket.ref(); // the agent unrefs idle sockets; keep the process up to see this one close
      const socketClosed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      await server.close();
      closed = true;
      await socketClosed;
      assert.equal(clock.pending, 0, 'no sample left scheduled');
    } finally {
      agent.destroy();
      if (!closed) await server.close();
    }
  });
});

describe('POST /api/deploy', () => {
  const started: DeployStatus = {
    id: 1,
    state: 'running',
    from: { image: 'demo:1', spec: '1111111111111111' },
    to: { image: 'demo:2', spec: '2222222222222222' },
    progress: { done: 0, total: 2 },
    reason: null,
    startedAt: new Date(FAKE_T0).toISOString(),
    endedAt: null,
  };
  const asked: unknown[] = [];
  let refuse: Error | null = null;
  const token = 'a-deploy-token-of-24-chars';
  const server = new AdminServer({
    status: () => fakeStatus(),
    metrics: () => '',
    token,
    deploy: (changes) => {
      if (refuse) throw refuse;
      asked.push(changes);
      return started;
    },
    clock: new FakeClock(FAKE_T0),
  });
  let port = 0;
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

  /** A POST with a body, read in full. */
  function post(path: string, body: string, headers: Record<string, string> = auth): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers, agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }
  const errorCode = (r: Reply): unknown => (JSON.parse(r.body) as { error: { code: string } }).error.code;

  before(async () => {
    ({ port } = await server.listen(0));
  });
  after(() => server.close());

  test('starts a deploy with the fields given and answers 202 with it as it starts', async () => {
    asked.length = 0;
    const r = await post('/api/deploy', JSON.stringify({ image: 'demo:2', env: ['APP_VERSION=2'] }));
    assert.equal(r.status, 202);
    assert.match(String(r.headers['content-type']), /^application\/json/);
    assert.deepEqual(JSON.parse(r.body), { deploy: started });
    assert.deepEqual(asked, [{ image: 'demo:2', env: ['APP_VERSION=2'] }]);
  });

  test('only env: the image is left out of the changes', async () => {
    asked.length = 0;
    assert.equal((await post('/api/deploy', '{"env":[]}')).status, 202);
    assert.deepEqual(asked, [{ env: [] }]);
  });

  test('a deploy already running → 409 DEPLOY_IN_PROGRESS with its message', async () => {
    refuse = new SymphonyError('DEPLOY_IN_PROGRESS', 'deploy 1 (demo:1 → demo:2) is running; wait for it to end');
    try {
      const r = await post('/api/deploy', '{"image":"demo:3"}');
      assert.equal(r.status, 409);
      assert.deepEqual(JSON.parse(r.body), { error: { code: 'DEPLOY_IN_PROGRESS', message: 'deploy 1 (demo:1 → demo:2) is running; wait for it to end' } });
    } finally {
      refuse = null;
    }
  });

  test('values the options table refuses → 400 BAD_REQUEST', async () => {
    refuse = new SymphonyError('CONFIG_INVALID', 'invalid image "Bad Image!"');
    try {
      const r = await post('/api/deploy', '{"image":"Bad Image!"}');
      assert.equal(r.status, 400);
      assert.equal(errorCode(r), 'BAD_REQUEST');
    } finally {
      refuse = null;
    }
  });

  const badBodies: { name: string; body: string; message: RegExp }[] = [
    { name: 'not JSON', body: '{image', message: /not JSON/ },
    { name: 'an array', body: '["demo:2"]', message: /not a JSON object/ },
    { name: 'an unknown field', body: '{"image":"demo:2","replicas":3}', message: /Unknown field\(s\) "replicas"/ },
    { name: 'image not a string', body: '{"image":2}', message: /"image" must be a non-empty string/ },
    { name: 'env not a list of strings', body: '{"env":"A=1"}', message: /"env" must be an array/ },
    { name: 'nothing to change', body: '{}', message: /Nothing to deploy/ },
    { name: 'over 64 KiB', body: JSON.stringify({ image: 'x'.repeat(70_000) }), message: /over 65536 bytes/ },
  ];
  for (const row of badBodies) {
    test(`a bad body → 400 BAD_REQUEST: ${row.name}`, async () => {
      asked.length = 0;
      const r = await post('/api/deploy', row.body);
      assert.equal(r.status, 400);
      assert.equal(errorCode(r), 'BAD_REQUEST');
      assert.match((JSON.parse(r.body) as { error: { message: string } }).error.message, row.message);
      assert.deepEqual(asked, [], 'no deploy was asked for');
    });
  }

  test('needs the token like every route', async () => {
    const r = await post('/api/deploy', '{"image":"demo:2"}', { 'content-type': 'application/json' });
    assert.equal(r.status, 401);
  });

  test('GET → 405 with Allow: POST', async () => {
    const r = await call(port, '/api/deploy', { headers: { authorization: `Bearer ${token}` } });
    assert.equal(r.status, 405);
    assert.equal(r.headers.allow, 'POST');
  });

  test('a server without a deploy function stays read-only: 404', async () => {
    const readOnly = new AdminServer({ status: () => fakeStatus(), metrics: () => '', clock: new FakeClock(FAKE_T0) });
    const { port: p } = await readOnly.listen(0);
    try {
      const r = await new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: p, path: '/api/deploy', method: 'POST', agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end('{"image":"demo:2"}');
      });
      assert.equal(r, 404);
    } finally {
      await readOnly.close();
    }
  });
});
