import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { probeHealth } from '../../src/health/probe.js';
import { FakeClock } from '../helpers/fake-clock.js';

// One server, its behaviour picked by path.
const seen: { path: string; connection: string | undefined }[] = [];
let connections = 0;
// Resolvers waiting for the next request to arrive, and /held answers waiting for the test.
const arrivals: (() => void)[] = [];
const held: ((body: string) => void)[] = [];
/** Resolves when the server has received the next request. */
const nextArrival = () => new Promise<void>((resolve) => arrivals.push(resolve));
const server = http.createServer((req, res) => {
  seen.push({ path: req.url ?? '', connection: req.headers.connection });
  for (const wake of arrivals.splice(0)) wake();
  switch (req.url) {
    case '/held':
      held.push((body) => res.end(body));
      return;
    case '/ok':
      res.end('{"status":"ok"}');
      return;
    case '/big':
      res.end('x'.repeat(1024 * 1024));
      return;
    case '/500':
      res.statusCode = 500;
      res.end('down');
      return;
    case '/204':
      res.statusCode = 204;
      res.end();
      return;
    case '/hang':
      return; // never answers
    case '/reset':
      req.socket.destroy();
      return;
    case '/cut':
      // Headers and half a body, then the connection drops.
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial', () => req.socket.destroy());
      return;
    default:
      res.statusCode = 404;
      res.end();
  }
});
server.on('connection', () => connections++);
let port = 0;

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('probeHealth', () => {
  test('200 is ok, and the probe uses a fresh connection it closes', async () => {
    const r = await probeHealth({ port, path: '/ok', timeoutMs: 2000 });
    assert.deepEqual({ ok: r.ok, status: r.status, error: r.error }, { ok: true, status: 200, error: undefined });
    assert.equal(seen.at(-1)?.connection, 'close');
  });

  test('the duration is measured on the given clock, from start to the last byte', async () => {
    const clock = new FakeClock();
    const arrived = nextArrival();
    const pending = probeHealth({ port, path: '/held', timeoutMs: 2000, clock });
    await arrived;
    clock.advance(120);
    held.shift()?.('{"status":"ok"}');
    const r = await pending;
    assert.deepEqual(r, { ok: true, status: 200, durationMs: 120 });
    assert.equal(clock.pending, 0, 'its timeout timer is cleared');
  });

  test('a large body is read to the end', async () => {
    const r = await probeHealth({ port, path: '/big', timeoutMs: 2000 });
    assert.deepEqual({ ok: r.ok, status: r.status }, { ok: true, status: 200 });
  });

  const statuses: { name: string; path: string; status: number }[] = [
    { name: '500 is not ok', path: '/500', status: 500 },
    { name: '204 is not ok: only exactly 200 counts', path: '/204', status: 204 },
    { name: '404 is not ok', path: '/missing', status: 404 },
  ];
  for (const row of statuses) {
    test(row.name, async () => {
      const r = await probeHealth({ port, path: row.path, timeoutMs: 2000 });
      assert.deepEqual({ ok: r.ok, status: r.status, error: r.error }, { ok: false, status: row.status, error: undefined });
    });
  }

  test('no answer in time is a timeout, fired by the clock it was given', async () => {
    const clock = new FakeClock();
    const arrived = nextArrival();
    let done = false;
    const pending = probeHealth({ port, path: '/hang', timeoutMs: 500, clock }).finally(() => (done = true));
    await arrived; // the request is at the server, which will never answer
    clock.advance(499);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(done, false, 'not before the timeout');
    clock.advance(1);
    const r = await pending;
    assert.deepEqual(r, { ok: false, error: 'timeout', durationMs: 500 });
  });

  test('a closed port is ECONNREFUSED', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const r = await probeHealth({ port: closedPort, path: '/ok', timeoutMs: 2000 });
    assert.deepEqual({ ok: r.ok, error: r.error }, { ok: false, error: 'ECONNREFUSED' });
  });

  test('a connection dropped before an answer is ECONNRESET', async () => {
    const r = await probeHealth({ port, path: '/reset', timeoutMs: 2000 });
    assert.deepEqual({ ok: r.ok, status: r.status, error: r.error }, { ok: false, status: undefined, error: 'ECONNRESET' });
  });

  test('a 200 cut off mid-body is not ok', async () => {
    const r = await probeHealth({ port, path: '/cut', timeoutMs: 2000 });
    assert.equal(r.ok, false);
    assert.equal(r.status, 200);
    assert.equal(r.error, 'ECONNRESET');
  });

  test('aborting ends the probe at once, long before its timeout', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const arrived = nextArrival();
    const pending = probeHealth({ port, path: '/hang', timeoutMs: 10_000, signal: controller.signal, clock });
    await arrived;
    controller.abort();
    const r = await pending;
    assert.deepEqual(r, { ok: false, error: 'aborted', durationMs: 0 });
    assert.equal(clock.pending, 0, 'its timeout timer is cleared');
  });

  test('an already aborted signal opens no connection', async () => {
    const before = { connections, requests: seen.length };
    const r = await probeHealth({ port, path: '/ok', timeoutMs: 2000, signal: AbortSignal.abort() });
    assert.deepEqual(r, { ok: false, error: 'aborted', durationMs: 0 });
    // A probe after it, fully answered: a connection the aborted one had opened would have been accepted first.
    await probeHealth({ port, path: '/ok', timeoutMs: 2000 });
    assert.deepEqual({ connections: connections - before.connections, requests: seen.length - before.requests }, { connections: 1, requests: 1 });
  });
});
