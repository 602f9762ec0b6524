import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { ServerResponse } from 'node:http';
import { ListenError } from '../../src/errors.js';
import { UpstreamPool } from '../../src/proxy/pool.js';
import { ProxyServer } from '../../src/proxy/server.js';
import type { ProxyServerOptions, RequestOutcome } from '../../src/proxy/server.js';
import { Upstream } from '../../src/proxy/upstream.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { deadPort, errorCode, send, startBackend, until } from './fixtures.js';
import type { Backend } from './fixtures.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** Starts backends (closed after the test). */
async function backends(...list: [string, http.RequestListener?][]): Promise<Backend[]> {
  const started = await Promise.all(list.map(([name, handler]) => startBackend(name, handler)));
  for (const b of started) cleanups.push(() => b.close());
  return started;
}

/** Events the proxy reported to its observer. */
interface Seen {
  done: RequestOutcome[];
  connectErrors: string[];
  retries: string[];
  timeouts: string[];
  queueWaits: boolean[];
  rejected: number;
  requests: string[];
}

/** A proxy on 127.0.0.1:0 over the given members, driven by a FakeClock. */
async function proxyOver(members: Upstream[], options: Partial<ProxyServerOptions> = {}) {
  const clock = new FakeClock();
  const pool = new UpstreamPool({ clock });
  for (const m of members) pool.add(m);
  const seen: Seen = { done: [], connectErrors: [], retries: [], timeouts: [], queueWaits: [], rejected: 0, requests: [] };
  const proxy = new ProxyServer({
    pool,
    clock,
    onRequest: (r) => seen.requests.push(`${r.method} ${r.path}`),
    observer: {
      requestDone: (o) => seen.done.push(o),
      connectError: (id) => seen.connectErrors.push(id),
      retry: (id) => seen.retries.push(id),
      upstreamTimeout: (id) => seen.timeouts.push(id),
      queueWaitDone: (_ms, got) => seen.queueWaits.push(got),
      queueRejected: () => seen.rejected++,
    },
    ...options,
  });
  const { port } = await proxy.listen(0);
  cleanups.push(() => proxy.close({ graceMs: 0 }));
  return { proxy, pool, clock, port, seen };
}

const member = (b: Backend): Upstream => new Upstream(b.name, b.port);

/** A handler that keeps each response open until the test releases it. */
function holding(): { handler: http.RequestListener; held: ServerResponse[] } {
  const held: ServerResponse[] = [];
  return { held, handler: (_req, res) => void held.push(res) };
}

describe('ProxyServer', () => {
  test('strict round robin A,B,C,A,B,C over one keep-alive client connection', async () => {
    const bs = await backends(['A'], ['B'], ['C']);
    const { port, seen } = await proxyOver(bs.map(member));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    cleanups.push(() => agent.destroy());
    const sockets = new Set<unknown>();
    const names: unknown[] = [];
    for (let i = 0; i < 6; i++) {
      const reply = await send(port, { agent, path: `/n/${i}`, onRequest: (r) => r.on('socket', (s) => sockets.add(s)) });
      names.push(reply.json().name);
    }
    assert.deepEqual(names, ['A', 'B', 'C', 'A', 'B', 'C']);
    assert.equal(sockets.size, 1, 'all requests went over one client connection');
    assert.deepEqual(seen.requests.slice(0, 2), ['GET /n/0', 'GET /n/1']);
  });

  test('forwards method, path with query, headers; strips hop-by-hop; sets X-Forwarded-*', async () => {
    const [b] = await backends([
      'A',
      (req, res) => {
        req.resume();
        res.writeHead(201, 'Made It', [
          'X-Custom', 'yes', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2',
          'Connection', 'X-Upstream-Hop', 'X-Upstream-Hop', 'secret', 'Keep-Alive', 'timeout=5', 'Content-Type', 'text/plain',
        ]);
        res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers }));
      },
    ]);
    const { port, proxy } = await proxyOver([member(b!)]);
    const reply = await send(port, {
      method: 'PATCH',
      path: '/a/b?x=1&y=%20z&x=2',
      headers: {
        Host: 'api.example',
        Connection: 'keep-alive, X-Client-Hop',
        'X-Client-Hop': 'drop me',
        'Proxy-Authorization': 'Basic eDp5',
        TE: 'trailers',
        'X-Forwarded-For': '10.1.2.3',
        'X-Keep': 'kept',
      },
    });
    assert.equal(reply.status, 201);
    assert.equal(proxy.requests, 1);
    const seen = JSON.parse(reply.body.toString()) as { method: string; url: string; headers: Record<string, string> };
    assert.equal(seen.method, 'PATCH');
    assert.equal(seen.url, '/a/b?x=1&y=%20z&x=2');
    assert.equal(seen.headers['host'], 'api.example');
    assert.equal(seen.headers['x-keep'], 'kept');
    assert.equal(seen.headers['x-client-hop'], undefined);
    assert.equal(seen.headers['proxy-authorization'], undefined);
    assert.equal(seen.headers['te'], undefined);
    assert.equal(seen.headers['x-forwarded-for'], '10.1.2.3, 127.0.0.1');
    assert.equal(seen.headers['x-forwarded-proto'], 'http');
    assert.equal(seen.headers['x-forwarded-host'], 'api.example');
    // Response side: status, repeated headers and content type unchanged; hop-by-hop gone.
    assert.equal(reply.headers['x-custom'], 'yes');
    assert.deepEqual(reply.headers['set-cookie'], ['a=1', 'b=2']);
    assert.equal(reply.headers['content-type'], 'text/plain');
    assert.equal(reply.headers['x-upstream-hop'], undefined);
  });

  test('streams a multi-MB body both ways, with a length and chunked', async () => {
    const [b] = await backends([
      'A',
      (req, res) => {
        // Echo the body as it arrives, so both directions stream.
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
        req.pipe(res);
      },
    ]);
    const { port } = await proxyOver([member(b!)]);
    const big = randomBytes(8 * 1024 * 1024);
    const sha = (x: Buffer): string => createHash('sha256').update(x).digest('hex');

    const withLength = await send(port, { method: 'POST', path: '/echo', body: big });
    assert.equal(withLength.status, 200);
    assert.equal(withLength.body.length, big.length);
    assert.equal(sha(withLength.body), sha(big));

    const chunks = Array.from({ length: 16 }, (_, i) => big.subarray(i * 512 * 1024, (i + 1) * 512 * 1024));
    const chunked = await send(port, { method: 'PUT', path: '/echo', body: chunks });
    assert.equal(chunked.status, 200);
    assert.equal(sha(chunked.body), sha(big));
    assert.equal(b!.received[1]?.headers['transfer-encoding'], 'chunked');
  });

  test('connect failure on a dead port: the next member serves, for GET and for POST with its body', async () => {
    const [b] = await backends([
      'B',
      (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => res.end(`B got ${req.method} ${Buffer.concat(chunks).toString()}`));
      },
    ]);
    const dead = new Upstream('dead', await deadPort());
    const { port, pool, seen } = await proxyOver([dead, member(b!)]);

    const get = await send(port, { path: '/x' });
    assert.equal(get.status, 200);
    assert.equal(get.body.toString(), 'B got GET ');

    assert.equal(pool.members()[0]?.id, 'dead');
    // Round robin is back at the dead member for the POST.
    const post = await send(port, { method: 'POST', path: '/x', body: 'payload-123' });
    assert.equal(post.status, 200);
    assert.equal(post.body.toString(), 'B got POST payload-123');
    assert.deepEqual(seen.connectErrors, ['dead', 'dead']);
    assert.deepEqual(seen.done.map((d) => [d.status, d.attempts, d.upstreamId]), [
      [200, 2, 'B'],
      [200, 2, 'B'],
    ]);
    assert.equal(dead.inFlight, 0);
    assert.equal(dead.served, 0);
  });

  test('every member refusing connections gives 502 with a JSON body', async () => {
    const { port, seen } = await proxyOver([new Upstream('d1', await deadPort()), new Upstream('d2', await deadPort())]);
    const reply = await send(port);
    assert.equal(reply.status, 502);
    assert.equal(reply.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(errorCode(reply), 'BAD_GATEWAY');
    assert.equal(seen.done[0]?.attempts, 2);
  });

  test('reset before the response: GET is retried on the next member, POST gets 502', async () => {
    const [resetter, b] = await backends(['R', (req) => req.socket.destroy()], ['B']);
    const r = member(resetter!);
    {
      const { port, seen } = await proxyOver([r, member(b!)]);
      const get = await send(port);
      assert.equal(get.status, 200);
      assert.equal(get.json().name, 'B');
      assert.deepEqual(seen.retries, ['R']);
    }
    {
      const { port, seen } = await proxyOver([r, member(b!)]);
      const post = await send(port, { method: 'POST', body: 'once only' });
      assert.equal(post.status, 502);
      assert.equal(errorCode(post), 'BAD_GATEWAY');
      assert.deepEqual(seen.retries, []);
      assert.equal(b!.received.filter((q) => q.method === 'POST').length, 0, 'the POST never reached B');
    }
    assert.equal(r.inFlight, 0);
  });

  test('5xx on GET: confirmed unhealthy → retried on the next member', async () => {
    const [sick, b] = await backends(['S', (_req, res) => res.writeHead(503).end('sick')], ['B']);
    const confirmed: string[] = [];
    const s = member(sick!);
    const { port, pool } = await proxyOver([s, member(b!)], {
      confirmUnhealthy: async (u) => {
        confirmed.push(u.id);
        pool.remove(u.id);
        return true;
      },
    });
    const reply = await send(port);
    assert.equal(reply.status, 200);
    assert.equal(reply.json().name, 'B');
    assert.deepEqual(confirmed, ['S']);
    assert.equal(pool.get('S'), undefined);
    assert.equal(s.inFlight, 0);
  });

  test('5xx on GET: not confirmed → the 5xx passes through unchanged; POST 5xx is never held', async () => {
    const [sick, b] = await backends(['S', (req, res) => { req.resume(); res.writeHead(500, { 'X-App': 'S' }).end('app error'); }], ['B']);
    const confirmed: string[] = [];
    const { port } = await proxyOver([member(sick!), member(b!)], {
      confirmUnhealthy: async (u) => {
        confirmed.push(u.id);
        return false;
      },
    });
    const get = await send(port);
    assert.equal(get.status, 500);
    assert.equal(get.headers['x-app'], 'S');
    assert.equal(get.body.toString(), 'app error');
    assert.deepEqual(confirmed, ['S']);

    await send(port); // B, to bring the cursor back to S
    const post = await send(port, { method: 'POST', body: 'x' });
    assert.equal(post.status, 500);
    assert.deepEqual(confirmed, ['S'], 'POST is not idempotent, so no probe');
  });

  test('queue: with no member the request waits and is served once one is added', async () => {
    const [b] = await backends(['B']);
    const { port, pool, proxy, seen } = await proxyOver([]);
    const pending = send(port, { path: '/q' });
    await until(() => proxy.queued === 1);
    assert.equal(proxy.inFlight, 1);
    pool.add(member(b!));
    const reply = await pending;
    assert.equal(reply.status, 200);
    assert.equal(proxy.queued, 0);
    assert.deepEqual(seen.queueWaits, [true]);
  });

  test('queue timeout → 503 with Retry-After and a JSON body', async () => {
    const { port, proxy, clock, seen } = await proxyOver([], { queueTimeoutMs: 5000 });
    const pending = send(port);
    await until(() => proxy.queued === 1);
    await clock.tick(4999);
    assert.equal(proxy.queued, 1, 'still waiting before the timeout');
    await clock.tick(1);
    const reply = await pending;
    assert.equal(reply.status, 503);
    assert.equal(reply.headers['retry-after'], '1');
    assert.equal(errorCode(reply), 'NO_READY_UPSTREAM');
    assert.deepEqual(seen.queueWaits, [false]);
  });

  test('queue full → 503 at once', async () => {
    const [b] = await backends(['B']);
    const { port, proxy, pool, seen } = await proxyOver([], { queueSize: 1 });
    const first = send(port);
    await until(() => proxy.queued === 1);
    const second = await send(port);
    assert.equal(second.status, 503);
    assert.equal(second.headers['retry-after'], '1');
    assert.equal(errorCode(second), 'QUEUE_FULL');
    assert.equal(seen.rejected, 1);
    pool.add(member(b!));
    assert.equal((await first).status, 200);
  });

  test('client abort (connection reset) → the upstream request is aborted and reported as 499', async () => {
    const { handler, held } = holding();
    const [b] = await backends(['B', handler]);
    const u = member(b!);
    const { port, seen } = await proxyOver([u]);
    let clientReq: http.ClientRequest | undefined;
    const pending = send(port, { onRequest: (r) => (clientReq = r) }).catch((e: Error) => e);
    await until(() => held.length === 1);
    const upstreamClosed = new Promise<void>((resolve) => held[0]!.on('close', resolve));
    assert.equal(u.inFlight, 1);
    // A reset, not a FIN: a FIN after a complete request is a half-close, still answered.
    clientReq!.socket!.resetAndDestroy();
    await upstreamClosed;
    assert.ok((await pending) instanceof Error);
    await until(() => seen.done.length === 1);
    assert.equal(seen.done[0]?.status, 499);
    assert.equal(seen.done[0]?.clientAborted, true);
    assert.equal(u.inFlight, 0);
    assert.equal(u.served, 0);
  });

  test('response head slower than upstreamTimeoutMs → 504', async () => {
    const { handler, held } = holding();
    const [b] = await backends(['B', handler]);
    const u = member(b!);
    const { port, clock, seen } = await proxyOver([u], { upstreamTimeoutMs: 2000 });
    const pending = send(port);
    await until(() => held.length === 1);
    await clock.tick(2000);
    const reply = await pending;
    assert.equal(reply.status, 504);
    assert.equal(errorCode(reply), 'GATEWAY_TIMEOUT');
    assert.deepEqual(seen.timeouts, ['B']);
    assert.equal(u.inFlight, 0);
  });

  test('a response broken off mid-body truncates the client response (no retry)', async () => {
    const [b] = await backends([
      'B',
      (_req, res) => {
        res.writeHead(200, { 'Content-Length': '100' });
        res.write('partial');
        setImmediate(() => res.socket?.destroy());
      },
    ]);
    const u = member(b!);
    const { port } = await proxyOver([u]);
    await assert.rejects(send(port));
    await until(() => u.inFlight === 0);
    assert.equal(u.served, 0);
    assert.equal(b!.received.length, 1);
  });

  test('websocket-style upgrade passes bytes both ways', async () => {
    const [b] = await backends(['B']);
    let upstreamHeaders: http.IncomingHttpHeaders | undefined;
    b!.server.on('upgrade', (req: http.IncomingMessage, socket: import('node:stream').Duplex) => {
      upstreamHeaders = req.headers;
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n');
      socket.pipe(socket);
    });
    const u = member(b!);
    const { port, proxy } = await proxyOver([u]);
    const socket = await new Promise<import('node:stream').Duplex>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/ws', headers: { Connection: 'Upgrade', Upgrade: 'echo' } });
      req.on('upgrade', (res: http.IncomingMessage, s: import('node:stream').Duplex) => {
        assert.equal(res.statusCode, 101);
        assert.equal(res.headers['upgrade'], 'echo');
        resolve(s);
      });
      req.on('error', reject);
      req.end();
    });
    const echoed = new Promise<string>((resolve) => {
      let got = '';
      socket.on('data', (d: Buffer) => {
        got += d.toString();
        if (got.length >= 9) resolve(got);
      });
    });
    socket.write('ping-');
    socket.write('pong');
    assert.equal(await echoed, 'ping-pong');
    assert.equal(upstreamHeaders?.['upgrade'], 'echo');
    assert.equal(upstreamHeaders?.['x-forwarded-for'], '127.0.0.1');
    assert.equal(u.inFlight, 1, 'an open tunnel counts as in flight');
    assert.equal(proxy.inFlight, 0);
    socket.destroy();
    await until(() => u.inFlight === 0);
  });

  test('close() lets an in-flight slow request finish, then resolves', async () => {
    const { handler, held } = holding();
    const [b] = await backends(['B', handler]);
    const { port, proxy } = await proxyOver([member(b!)]);
    const pending = send(port);
    await until(() => held.length === 1);
    let closed = false;
    const closing = proxy.close({ graceMs: 60_000 }).then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(closed, false, 'close waits for the in-flight request');
    held[0]!.end('late but whole');
    const reply = await pending;
    assert.equal(reply.status, 200);
    assert.equal(reply.body.toString(), 'late but whole');
    await closing;
    assert.equal(closed, true);
    assert.equal(proxy.inFlight, 0);
    await assert.rejects(send(port), /ECONNREFUSED/);
  });

  test('close() after the grace period drops what is still in flight', async () => {
    const { handler, held } = holding();
    const [b] = await backends(['B', handler]);
    const { port, proxy, clock } = await proxyOver([member(b!)]);
    const pending = send(port).catch((e: Error) => e);
    await until(() => held.length === 1);
    const closing = proxy.close({ graceMs: 1000 });
    await clock.tick(1000);
    await closing;
    assert.ok((await pending) instanceof Error);
  });

  test('inFlight, served and whenIdle are exact', async () => {
    const { handler, held } = holding();
    const [b] = await backends(['B', handler]);
    const u = member(b!);
    const { port, proxy, pool } = await proxyOver([u]);
    const first = send(port);
    const second = send(port);
    await until(() => held.length === 2);
    assert.equal(u.inFlight, 2);
    assert.equal(proxy.inFlight, 2);
    // The orchestrator's drain: out of rotation, then wait.
    pool.remove(u.id);
    let idle = false;
    const drained = u.whenIdle().then(() => (idle = true));
    held[0]!.end('one');
    assert.equal((await first).status, 200);
    assert.equal(u.inFlight, 1);
    assert.equal(idle, false);
    held[1]!.end('two');
    assert.equal((await second).status, 200);
    await drained;
    assert.equal(u.inFlight, 0);
    assert.equal(u.served, 2);
    await until(() => proxy.inFlight === 0);
  });

  test('listen on a port in use fails with LISTEN_FAILED and says what to do', async () => {
    const [b] = await backends(['B']);
    const proxy = new ProxyServer({ pool: new UpstreamPool() });
    const error = await proxy.listen(b!.port).then(
      () => assert.fail('listen should fail'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ListenError);
    assert.equal(error.code, 'LISTEN_FAILED');
    assert.match(error.message, /^The proxy could not listen on 127\.0\.0\.1:\d+ \(--listen, EADDRINUSE\): something else already listens there; stop it or choose another port\.$/);
    await proxy.close({ graceMs: 0 });
  });

  test('close() answers queued requests with 503 shutting_down', async () => {
    const { port, proxy } = await proxyOver([]);
    const pending = send(port);
    await until(() => proxy.queued === 1);
    const closing = proxy.close({ graceMs: 60_000 });
    const reply = await pending;
    assert.equal(reply.status, 503);
    assert.equal(errorCode(reply), 'SHUTTING_DOWN');
    await closing;
  });

  test('an upgrade the member declines is relayed as its response', async () => {
    const [b] = await backends(['B', (_req, res) => res.writeHead(426, { 'X-Why': 'no' }).end('upgrade refused')]);
    const { port } = await proxyOver([member(b!)]);
    const reply = await send(port, { headers: { Connection: 'Upgrade', Upgrade: 'echo' } });
    assert.equal(reply.status, 426);
    assert.equal(reply.headers['x-why'], 'no');
    assert.equal(reply.body.toString(), 'upgrade refused');
  });

  test('an upgrade with only dead members gets a 502 JSON answer', async () => {
    const { port, seen } = await proxyOver([new Upstream('d1', await deadPort())]);
    const reply = await send(port, { headers: { Connection: 'Upgrade', Upgrade: 'echo' } });
    assert.equal(reply.status, 502);
    assert.equal(errorCode(reply), 'BAD_GATEWAY');
    assert.deepEqual(seen.connectErrors, ['d1']);
  });
});
