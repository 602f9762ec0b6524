// Issue 7 defects 5, 7 and 9 and issue 8's drift between requests and upgrades: what
// the proxy refuses whole, CONNECT, half-close, waiting when every member is confirmed
// gone, and upgrades answered with the same codes as requests.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { UpstreamPool } from '../../src/proxy/pool.js';
import { ProxyServer } from '../../src/proxy/server.js';
import type { ProxyServerOptions } from '../../src/proxy/server.js';
import { Upstream } from '../../src/proxy/upstream.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { deadPort, errorCode, send, startBackend, until } from './fixtures.js';
import type { Backend, Reply } from './fixtures.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function backend(name: string, handler?: http.RequestListener): Promise<Backend> {
  const b = await startBackend(name, handler);
  cleanups.push(() => b.close());
  return b;
}

async function proxyOver(members: Upstream[], options: Partial<ProxyServerOptions> = {}) {
  const clock = new FakeClock();
  const pool = new UpstreamPool({ clock });
  for (const m of members) pool.add(m);
  const timeouts: string[] = [];
  const proxy = new ProxyServer({ pool, clock, observer: { upstreamTimeout: (id) => timeouts.push(id) }, ...options });
  const { port } = await proxy.listen(0);
  cleanups.push(() => proxy.close({ graceMs: 0 }));
  return { proxy, pool, clock, port, timeouts };
}

/** Sends raw bytes; resolves with what came back once the proxy closes (or after `halfClose`, once it answers and closes). */
function raw(port: number, bytes: string, halfClose = false): Promise<{ text: string; closedByPeer: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let text = '';
    let ended = false;
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (text += d));
    socket.on('end', () => {
      ended = true;
      socket.end();
    });
    socket.on('close', () => resolve({ text, closedByPeer: ended }));
    socket.on('error', reject);
    if (halfClose) socket.end(bytes);
    else socket.write(bytes);
  });
}

const bodyOf = (text: string): Reply['body'] => Buffer.from(text.slice(text.indexOf('\r\n\r\n') + 4), 'latin1');
const codeOf = (text: string): string => (JSON.parse(bodyOf(text).toString()) as { error: { code: string } }).error.code;

describe('refused whole, never forwarded in part (defect 5)', () => {
  const headers = (n: number): string => Array.from({ length: n }, (_, i) => `X-H${i}: ${i}\r\n`).join('');

  test('1,001 header fields → 431 HEADERS_TOO_LARGE, connection closed, nothing forwarded', async () => {
    const b = await backend('B');
    const { port } = await proxyOver([new Upstream('B', b.port)]);
    const { text, closedByPeer } = await raw(port, `POST /h HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n${headers(998)}\r\nhello`);
    assert.match(text, /^HTTP\/1\.1 431 /);
    assert.equal(codeOf(text), 'HEADERS_TOO_LARGE');
    assert.equal(closedByPeer, true);
    assert.equal(b.received.length, 0);
  });

  test('fields that fit are forwarded whole, the body with them', async () => {
    let got: { count: number; body: string } | undefined;
    const b = await backend('B', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        got = { count: req.rawHeaders.length / 2, body: Buffer.concat(chunks).toString() };
        res.end('ok');
      });
    });
    const { port } = await proxyOver([new Upstream('B', b.port)]);
    const { text } = await raw(port, `POST /h HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nConnection: close\r\n${headers(990)}\r\nhello`);
    assert.match(text, /^HTTP\/1\.1 200 /);
    // Host, Content-Length, the 990 fields, X-Forwarded-For/-Proto/-Host, Connection: keep-alive (the proxy's).
    assert.deepEqual(got, { count: 996, body: 'hello' });
  });

  for (const [name, head] of [
    ['more than 1,000 response header fields', `HTTP/1.1 200 OK\r\nContent-Length: 2\r\n${headers(1200)}\r\nok`],
    ['a response transfer coding other than chunked', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzz'],
  ] as const) {
    test(`${name} → 502 BAD_GATEWAY and that connection destroyed`, async () => {
      let closed = 0;
      const member = net.createServer((socket) => {
        socket.on('error', () => {});
        socket.on('close', () => closed++);
        socket.once('data', () => socket.write(head));
      });
      await new Promise<void>((resolve) => member.listen(0, '127.0.0.1', resolve));
      cleanups.push(() => new Promise<void>((resolve) => member.close(() => resolve())));
      const { port } = await proxyOver([new Upstream('M', (member.address() as AddressInfo).port)], { maxAttempts: 1 });
      const reply = await send(port, { method: 'POST', body: 'x' });
      assert.equal(reply.status, 502);
      assert.equal(errorCode(reply), 'BAD_GATEWAY');
      await until(() => closed === 1);
    });
  }
});

describe('CONNECT and half-close (defect 9)', () => {
  test('CONNECT → 405 METHOD_NOT_ALLOWED with Allow, then the connection closes', async () => {
    const b = await backend('B');
    const { port, proxy } = await proxyOver([new Upstream('B', b.port)]);
    const { text, closedByPeer } = await raw(port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    assert.match(text, /^HTTP\/1\.1 405 Method Not Allowed\r\n/);
    assert.match(text, /\r\nAllow: GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS, TRACE\r\n/);
    assert.equal(codeOf(text), 'METHOD_NOT_ALLOWED');
    assert.equal(closedByPeer, true);
    assert.equal(b.received.length, 0);
    assert.equal(proxy.requests, 1);
  });

  test('a client that half-closes after a complete request still gets the response', async () => {
    const b = await backend('B', (req, res) => {
      req.resume();
      // Answer later than the client's FIN arrives.
      setTimeout(() => res.end('late answer'), 20);
    });
    const { port, proxy } = await proxyOver([new Upstream('B', b.port)]);
    const { text } = await raw(port, 'POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc', true);
    assert.match(text, /^HTTP\/1\.1 200 /);
    assert.equal(bodyOf(text).toString(), 'late answer');
    assert.equal(proxy.clientAborted, 0);
  });

  test('a connection reset while waiting counts as clientAborted', async () => {
    const held: http.ServerResponse[] = [];
    const b = await backend('B', (_req, res) => void held.push(res));
    const { port, proxy } = await proxyOver([new Upstream('B', b.port)]);
    let clientReq: http.ClientRequest | undefined;
    const pending = send(port, { onRequest: (r) => (clientReq = r) }).catch((e: Error) => e);
    await until(() => held.length === 1);
    clientReq!.socket!.resetAndDestroy();
    assert.ok((await pending) instanceof Error);
    await until(() => proxy.clientAborted === 1);
  });
});

describe('bad bytes after a pipelined request', () => {
  test('a complete request before garbage still gets its answer, then the connection closes', async () => {
    const b = await backend('B');
    const { port } = await proxyOver([new Upstream('B', b.port)]);
    const { text, closedByPeer } = await raw(port, 'GET /p1 HTTP/1.1\r\nHost: h\r\n\r\nthis is not http\r\n\r\n');
    assert.match(text, /^HTTP\/1\.1 200 /);
    assert.match(text, /"url":"\/p1"/);
    assert.equal(closedByPeer, true);
  });

  test('CONNECT pipelined after a GET: the GET is answered first, then 405', async () => {
    const b = await backend('B', (req, res) => setTimeout(() => res.end(`answer ${req.url}`), 10));
    const { port } = await proxyOver([new Upstream('B', b.port)]);
    const { text } = await raw(port, 'GET /p1 HTTP/1.1\r\nHost: h\r\n\r\nCONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n');
    assert.match(text, /^HTTP\/1\.1 200 [\s\S]*answer \/p1HTTP\/1\.1 405 /);
  });

  test('an upgrade pipelined after a request waits for its answer (refused or not)', async () => {
    const b = await backend('B', (req, res) => setTimeout(() => res.end(`answer ${req.url}`), 10));
    const { port } = await proxyOver([new Upstream('B', b.port)]);
    const { text } = await raw(port, 'GET /p1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 5\r\n\r\nhello');
    assert.match(text, /^HTTP\/1\.1 200 [\s\S]*answer \/p1HTTP\/1\.1 400 /);
  });

  test('a body broken mid-way after the request went upstream: 400, earlier answers intact', async () => {
    const b = await backend('B');
    const { port } = await proxyOver([new Upstream('B', b.port)]);
    const { text } = await raw(port, 'GET /p1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /p2 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n');
    assert.match(text, /^HTTP\/1\.1 200 [\s\S]*"url":"\/p1"[\s\S]*HTTP\/1\.1 400 /);
  });
});

describe('every member confirmed gone: idempotent requests wait for a ready one (defect 7)', () => {
  test('GET: three members answer 503 and are confirmed unhealthy; the request waits and a new member serves it', async () => {
    const sick = await Promise.all(['S1', 'S2', 'S3'].map((n) => backend(n, (req, res) => { req.resume(); res.writeHead(503).end('down'); })));
    const good = await backend('G');
    const { port, pool, proxy } = await proxyOver(sick.map((s) => new Upstream(s.name, s.port)), {
      maxAttempts: 3,
      confirmUnhealthy: async (u) => {
        pool.remove(u.id);
        return true;
      },
    });
    const pending = send(port, { path: '/w' });
    await until(() => proxy.queued === 1);
    assert.equal(pool.size, 0);
    pool.add(new Upstream('G', good.port));
    const reply = await pending;
    assert.equal(reply.status, 200);
    assert.equal(reply.json().name, 'G');
  });

  test('GET: connection refused on every member, each confirmed gone → waits, then served', async () => {
    const good = await backend('G');
    const { port, pool, proxy } = await proxyOver([new Upstream('d1', await deadPort()), new Upstream('d2', await deadPort())], {
      maxAttempts: 2,
      confirmUnhealthy: async (u) => {
        pool.remove(u.id);
        return true;
      },
    });
    const pending = send(port);
    await until(() => proxy.queued === 1);
    pool.add(new Upstream('G', good.port));
    assert.equal((await pending).status, 200);
  });

  test('the wait is bounded by the queue timeout: 503 NO_READY_UPSTREAM', async () => {
    const s = await backend('S', (req, res) => { req.resume(); res.writeHead(500).end('x'); });
    const { port, pool, proxy, clock } = await proxyOver([new Upstream('S', s.port)], {
      queueTimeoutMs: 1000,
      confirmUnhealthy: async (u) => {
        pool.remove(u.id);
        return true;
      },
    });
    const pending = send(port);
    await until(() => proxy.queued === 1);
    await clock.tick(1000);
    const reply = await pending;
    assert.equal(reply.status, 503);
    assert.equal(errorCode(reply), 'NO_READY_UPSTREAM');
  });

  test('POST: a 5xx is passed through, never retried or held', async () => {
    const s = await backend('S', (req, res) => { req.resume(); res.writeHead(500).end('app error'); });
    const asked: string[] = [];
    const { port } = await proxyOver([new Upstream('S', s.port)], {
      confirmUnhealthy: async (u) => {
        asked.push(u.id);
        return true;
      },
    });
    const reply = await send(port, { method: 'POST', body: 'once' });
    assert.equal(reply.status, 500);
    assert.equal(reply.body.toString(), 'app error');
    assert.deepEqual(asked, []);
  });

  test('unconfirmed failures still use up attempts: 502 after maxAttempts', async () => {
    const r = await Promise.all(['R1', 'R2', 'R3'].map((n) => backend(n, (req) => req.socket.destroy())));
    const { port } = await proxyOver(r.map((b) => new Upstream(b.name, b.port)), { maxAttempts: 2, confirmUnhealthy: async () => false });
    const reply = await send(port);
    assert.equal(reply.status, 502);
    assert.equal(r.reduce((n, b) => n + b.received.length, 0), 2);
  });
});

/** Sends an upgrade request; resolves with the raw answer once the proxy closes. */
const upgrade = (port: number, extra = ''): Promise<{ text: string }> =>
  raw(port, `GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: echo\r\n${extra}\r\n`);

describe('upgrades answer like requests (issue 8 drift)', () => {
  test('an upgrade with a body → 400 BAD_REQUEST', async () => {
    const b = await backend('B');
    const { port } = await proxyOver([new Upstream('B', b.port)]);
    const { text } = await raw(port, 'POST /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: echo\r\nContent-Length: 5\r\n\r\nhello');
    assert.match(text, /^HTTP\/1\.1 400 /);
    assert.equal(codeOf(text), 'BAD_REQUEST');
    assert.equal(b.received.length, 0);
  });

  test('an HTTP/1.1 upgrade without Host → 400 BAD_REQUEST', async () => {
    const b = await backend('B');
    const { port } = await proxyOver([new Upstream('B', b.port)]);
    const { text } = await raw(port, 'GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n');
    assert.equal(codeOf(text), 'BAD_REQUEST');
    assert.equal(b.received.length, 0);
  });

  test('queue full → 503 QUEUE_FULL; closing → 503 SHUTTING_DOWN', async () => {
    const { port, proxy } = await proxyOver([], { queueSize: 1 });
    const first = upgrade(port);
    await until(() => proxy.queued === 1);
    const second = await upgrade(port);
    assert.match(second.text, /^HTTP\/1\.1 503 /);
    assert.equal(codeOf(second.text), 'QUEUE_FULL');
    void proxy.close({ graceMs: 0 });
    assert.equal(codeOf((await first).text), 'SHUTTING_DOWN');
  });

  test('a declined upgrade closes its connection, so close() ends even if the client keeps sending', { timeout: 5000 }, async () => {
    const b = await backend('B', (_req, res) => res.end('declined'));
    const { port, proxy } = await proxyOver([new Upstream('B', b.port)]);
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    cleanups.push(() => void socket.destroy());
    socket.on('error', () => {});
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (text += d));
    socket.write('GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
    await until(() => text.endsWith('declined'));
    socket.write('GET /x HTTP/1.1\r\nHost: h\r\n\r\n');
    await proxy.close({ graceMs: 0 });
    assert.match(text, /^HTTP\/1\.1 200 [\s\S]*Connection: close/);
    assert.equal(b.received.length, 1, 'the bytes after it were never read as a request');
  });

  test('no handshake answer within upstreamTimeoutMs → 504 GATEWAY_TIMEOUT, reported', async () => {
    const held: net.Socket[] = [];
    const b = await backend('B');
    b.server.on('upgrade', (_req: http.IncomingMessage, socket: net.Socket) => void held.push(socket));
    // An upgraded socket is the test's own: the server's close() would wait for it.
    cleanups.push(() => held.forEach((s) => s.destroy()));
    const { port, clock, timeouts } = await proxyOver([new Upstream('B', b.port)], { upstreamTimeoutMs: 2000 });
    const pending = upgrade(port);
    await until(() => held.length === 1);
    await clock.tick(2000);
    const { text } = await pending;
    assert.match(text, /^HTTP\/1\.1 504 /);
    assert.equal(codeOf(text), 'GATEWAY_TIMEOUT');
    assert.deepEqual(timeouts, ['B']);
  });
});
