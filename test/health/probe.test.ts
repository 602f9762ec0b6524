import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { probeHealth } from '../../src/health/probe.js';

// One server, its behaviour picked by path.
const seen: { path: string; connection: string | undefined }[] = [];
const server = http.createServer((req, res) => {
  seen.push({ path: req.url ?? '', connection: req.headers.connection });
  switch (req.url) {
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
    assert.equal(r.ok, true);
    assert.equal(r.status, 200);
    assert.equal(r.error, undefined);
    assert.ok(r.durationMs >= 0 && r.durationMs < 2000);
    assert.equal(seen.at(-1)?.connection, 'close');
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

  test('no answer in time is a timeout', async () => {
    const r = await probeHealth({ port, path: '/hang', timeoutMs: 100 });
    assert.deepEqual({ ok: r.ok, status: r.status, error: r.error }, { ok: false, status: undefined, error: 'timeout' });
    assert.ok(r.durationMs >= 90, `took ${r.durationMs} ms`);
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

  test('aborting ends the probe at once', async () => {
    const controller = new AbortController();
    const pending = probeHealth({ port, path: '/hang', timeoutMs: 10_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    const r = await pending;
    assert.deepEqual({ ok: r.ok, error: r.error }, { ok: false, error: 'aborted' });
    assert.ok(r.durationMs < 5000);
  });

  test('an already aborted signal sends nothing', async () => {
    const before = seen.length;
    const r = await probeHealth({ port, path: '/ok', timeoutMs: 2000, signal: AbortSignal.abort() });
    assert.deepEqual({ ok: r.ok, error: r.error }, { ok: false, error: 'aborted' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(seen.length, before);
  });
});
