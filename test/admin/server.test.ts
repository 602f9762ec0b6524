import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { AdminConfigError } from '../../src/admin/auth.js';
import { AdminServer, METRICS_CONTENT_TYPE } from '../../src/admin/server.js';
import { SymphonyMetrics } from '../../src/admin/symphony-metrics.js';
import type { SymphonyStatus } from '../../src/status.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { fakeStatus } from './fake-status.js';

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

/** Opens an SSE stream and collects `data:` payloads as they arrive. */
function openEvents(port: number, headers: Record<string, string> = {}): Promise<{ res: IncomingMessage; data: string[]; next: () => Promise<string> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/events', headers, agent: false }, (res) => {
      const data: string[] = [];
      const waiters: ((d: string) => void)[] = [];
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const line = block.split('\n').find((l) => l.startsWith('data: '));
          if (line === undefined) continue;
          const payload = line.slice('data: '.length);
          const w = waiters.shift();
          if (w) w(payload);
          else data.push(payload);
        }
      });
      const next = (): Promise<string> => {
        const ready = data.shift();
        return ready !== undefined ? Promise.resolve(ready) : new Promise((r) => waiters.push(r));
      };
      resolve({ res, data, next });
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
  const clock = new FakeClock();
  const server = new AdminServer({
    status: () => {
      if (failStatus) throw new Error('owner is gone');
      return current;
    },
    metrics: (s) => metrics.render(s),
    clock,
  });
  let port = 0;

  before(async () => {
    ({ port } = await server.listen(0));
  });
  after(() => server.close());

  test('listens on 127.0.0.1 by default and reports the port', () => {
    assert.ok(port > 0);
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

  test('GET / serves the dashboard with a strict CSP whose nonce matches the inline script', async () => {
    const r = await call(port, '/');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    const csp = String(r.headers['content-security-policy']);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /https?:|\*/, 'no external origins or wildcards');
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce, 'script-src uses a nonce');
    assert.ok(r.body.includes(`<script nonce="${nonce}">`));
    assert.ok(r.body.includes(`<style nonce="${nonce}">`));
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    const again = await call(port, '/');
    assert.notEqual(/nonce-([^']+)/.exec(String(again.headers['content-security-policy']))?.[1], nonce, 'a fresh nonce per response');
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
      assert.equal(JSON.parse(r.body).error.code, 'INTERNAL');
      assert.match(JSON.parse(r.body).error.message, /owner is gone/);
    } finally {
      failStatus = false;
    }
    assert.equal((await call(port, '/healthz')).status, 200);
  });

  test('a non-loopback Host header is refused (DNS rebinding)', async () => {
    const r = await call(port, '/api/status', { headers: { Host: 'attacker.example:9090' } });
    assert.equal(r.status, 403);
    assert.equal(JSON.parse(r.body).error.code, 'FORBIDDEN_HOST');
    assert.equal((await call(port, '/api/status', { headers: { Host: `localhost:${port}` } })).status, 200);
  });

  test('/api/events pushes the status now and again each interval on the clock', async () => {
    current = fakeStatus({ windowCount: 1 });
    const stream = await openEvents(port);
    try {
      assert.equal(stream.res.statusCode, 200);
      assert.match(String(stream.res.headers['content-type']), /^text\/event-stream/);
      assert.equal(JSON.parse(await stream.next()).window.count, 1);
      current = fakeStatus({ windowCount: 2 });
      clock.advance(1000);
      assert.equal(JSON.parse(await stream.next()).window.count, 2);
      assert.equal(server.openStreams, 1);
    } finally {
      stream.res.destroy();
    }
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

  for (const path of ['/', '/api/status', '/metrics', '/healthz', '/api/events', '/nope']) {
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

  test('close() ends open event streams and keep-alive connections', async () => {
    const clock = new FakeClock();
    const server = new AdminServer({ status: () => fakeStatus(), metrics: () => '', clock });
    const { port } = await server.listen(0);
    let closed = false;
    try {
      const stream = await openEvents(port);
      await stream.next();
      const ended = new Promise<void>((resolve) => stream.res.on('close', resolve));
      await server.close();
      closed = true;
      await ended;
      assert.equal(server.openStreams, 0);
      assert.equal(clock.pending, 0, 'no push left scheduled');
    } finally {
      if (!closed) await server.close();
    }
  });
});
