// The load generator counts what it is told to count: the weighted pick (named rows),
// and runs against servers on port 0 that answer, fail, and cut connections.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { failedOf, pick, runLoad, type LoadRequest } from './load.js';

const GET: LoadRequest = { method: 'GET', path: '/a' };
const POST: LoadRequest = { method: 'POST', path: '/api/v1/echo', bodyBytes: 10, weight: 3 };

test('pick: a request of the mix by weight', () => {
  const rows: { name: string; mix: LoadRequest[]; r: number; want: LoadRequest }[] = [
    { name: 'one kind always', mix: [GET], r: 0.99, want: GET },
    { name: 'low r picks the first', mix: [GET, POST], r: 0, want: GET },
    { name: 'weight 1 of 4 covers [0, 0.25)', mix: [GET, POST], r: 0.24, want: GET },
    { name: 'weight 3 of 4 covers [0.25, 1)', mix: [GET, POST], r: 0.25, want: POST },
    { name: 'r just below 1 picks the last', mix: [GET, POST], r: 0.999999, want: POST },
  ];
  for (const row of rows) assert.equal(pick(row.mix, row.r), row.want, row.name);
});

/** A server on port 0 whose handler decides; closed by the caller. */
async function server(handler: http.RequestListener): Promise<{ port: number; close(): void }> {
  const s = http.createServer(handler);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return {
    port: (s.address() as AddressInfo).port,
    close() {
      s.closeAllConnections();
      s.close();
    },
  };
}

test('runLoad: counts answers by status and method, and stops at maxRequests', async () => {
  let n = 0;
  const s = await server((req, res) => {
    let bytes = 0;
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => {
      n++;
      // Every fifth request fails; echo answers end with their bodyLength.
      res.writeHead(n % 5 === 0 ? 503 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ bodyLength: bytes }));
    });
  });
  try {
    const result = await runLoad({ port: s.port, clients: 3, durationMs: 30_000, maxRequests: 50, mix: [GET, POST] });
    assert.equal(result.sent, 50);
    assert.equal(result.answered, 50);
    assert.equal(result.byStatus['503'], 10);
    assert.deepEqual(result.failedByStatus, { 503: 10 });
    assert.equal(result.connectionErrors, 0);
    assert.equal(result.badBodies, 0);
    assert.equal((result.byMethod['GET']?.sent ?? 0) + (result.byMethod['POST']?.sent ?? 0), 50);
    assert.equal(failedOf(result, 'GET') + failedOf(result, 'POST'), 10);
    assert.equal(result.timeline.reduce((a, p) => a + p.sent, 0), 50);
  } finally {
    s.close();
  }
});

test('runLoad: a cut connection is a connection error, a wrong echo length a bad body', async () => {
  let n = 0;
  const s = await server((req, res) => {
    req.resume();
    req.on('end', () => {
      n++;
      if (n % 2 === 0) return req.socket.destroy();
      res.end(JSON.stringify({ bodyLength: 1 }));
    });
  });
  try {
    const result = await runLoad({ port: s.port, clients: 1, durationMs: 30_000, maxRequests: 10, mix: [{ method: 'POST', path: '/api/v1/echo', bodyBytes: 100 }] });
    assert.equal(result.sent, 10);
    assert.equal(result.connectionErrors, 5);
    assert.equal(result.byStatus['200'], 5);
    assert.equal(result.badBodies, 5);
    assert.equal(failedOf(result, 'POST'), 5);
  } finally {
    s.close();
  }
});

test('runLoad: an abort ends the run; nothing runs on after it', async () => {
  const s = await server((_req, res) => res.end('{}'));
  try {
    const abort = new AbortController();
    abort.abort();
    const result = await runLoad({ port: s.port, clients: 4, durationMs: 60_000 }, abort.signal);
    assert.equal(result.sent, 0);
  } finally {
    s.close();
  }
});
