// The pooled upstream client against raw members on port 0: a connection is reused only
// after a response read whole with nothing after it; bytes on an idle connection, extra
// bytes, close-delimited bodies, `Connection: close`, a response cut off by the client
// and a timeout all destroy it. A small node:http front hands each request to the client.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../../src/clock.js';
import type { Clock } from '../../src/clock.js';
import { ClientGone } from '../../src/proxy/client-gone.js';
import type { TryResult } from '../../src/proxy/forward.js';
import { UpstreamClient } from '../../src/proxy/upstream-client/client.js';
import type { UpstreamConnection } from '../../src/proxy/upstream-client/connection.js';
import { Upstream } from '../../src/proxy/upstream.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { send, startRawMember, until, type RawMember } from './fixtures.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A raw member: `answer(path)` gives the bytes to write for each request head; it counts connections. */
async function rawMember(answer: (path: string, socket: net.Socket) => string | undefined): Promise<RawMember> {
  const member = await startRawMember((head, socket) => answer(head.split(' ')[1] ?? '', socket));
  cleanups.push(() => member.close());
  return member;
}

/** A node:http front that sends every request through `client` to `upstream` (no retries). */
async function front(client: UpstreamClient, upstream: Upstream): Promise<{ port: number; results: string[] }> {
  const results: string[] = [];
  const server = http.createServer((req, res) => {
    const gone = new ClientGone();
    res.once('close', () => gone.closed(res.writableFinished));
    const exchange = { method: req.method ?? 'GET', req, res, gone, framing: { kind: 'none' } as const, bodyStarted: false };
    const head = `${req.method} ${req.url} HTTP/1.1\r\nHost: m\r\n\r\n`;
    client.send(upstream, exchange, head, (r: TryResult<UpstreamConnection>) => {
      results.push(r.kind === 'failure' ? r.failure : r.kind);
      if (r.kind === 'answer') r.answer.deliver(() => {});
      else {
        res.statusCode = 502;
        res.end(r.kind);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { port: (server.address() as AddressInfo).port, results };
}

async function setup(answer: Parameters<typeof rawMember>[0], clock: Clock = systemClock, keepAliveMs = 60_000, maxIdle?: number) {
  const member = await rawMember(answer);
  const upstream = new Upstream('M', member.port);
  const client = new UpstreamClient({ clock, headTimeoutMs: 2000, keepAliveMs, ...(maxIdle === undefined ? {} : { maxIdle }) });
  cleanups.push(() => client.destroy());
  const { port, results } = await front(client, upstream);
  return { member, upstream, client, port, results };
}

const ok = (body = 'ok'): string => `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

describe('UpstreamClient pool', () => {
  test('a connection is reused after a response read whole', async () => {
    const { member, upstream, client, port } = await setup(() => ok());
    for (let i = 0; i < 3; i++) assert.equal((await send(port)).body.toString(), 'ok');
    assert.equal(member.connections, 1);
    assert.equal(client.idleCount(upstream), 1);
  });

  test('chunked responses are read whole, then the connection is reused', async () => {
    const { member, port } = await setup(() => 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n');
    for (let i = 0; i < 2; i++) assert.equal((await send(port)).body.toString(), 'ok');
    assert.equal(member.connections, 1);
  });

  test('an idle connection that receives a byte is destroyed, never reused', async () => {
    const { member, upstream, client, port } = await setup((path, socket) => {
      if (path === '/late') setTimeout(() => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nEVIL'), 20);
      return ok();
    });
    assert.equal((await send(port, { path: '/late' })).body.toString(), 'ok');
    await until(() => member.closed === 1);
    assert.equal(client.idleCount(upstream), 0);
    assert.equal((await send(port)).body.toString(), 'ok');
    assert.equal(member.connections, 2);
  });

  const notReused: { name: string; bytes: string }[] = [
    { name: 'extra bytes right behind the response', bytes: `${ok()}HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nEVIL` },
    { name: 'Connection: close', bytes: 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok' },
    { name: 'an HTTP/1.0 response', bytes: 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok' },
  ];
  for (const row of notReused) {
    test(`${row.name}: the connection is destroyed, the next request opens another`, async () => {
      const { member, upstream, client, port } = await setup((path) => (path === '/doubt' ? row.bytes : ok()));
      assert.equal((await send(port, { path: '/doubt' })).body.toString(), 'ok');
      await until(() => member.closed === 1);
      assert.equal(client.idleCount(upstream), 0);
      assert.equal((await send(port)).body.toString(), 'ok');
      assert.equal(member.connections, 2);
    });
  }

  test('a close-delimited body is read to EOF and its connection never pooled', async () => {
    const { member, upstream, client, port } = await setup((path, socket) => {
      if (path !== '/close') return ok();
      socket.end('HTTP/1.1 200 OK\r\n\r\nuntil-close');
      return undefined;
    });
    assert.equal((await send(port, { path: '/close' })).body.toString(), 'until-close');
    assert.equal(client.idleCount(upstream), 0);
    assert.equal((await send(port)).body.toString(), 'ok');
    assert.equal(member.connections, 2);
  });

  test('a response the client left in the middle of is not reused', async () => {
    const { member, upstream, client, port, results } = await setup((path, socket) => {
      if (path !== '/slow') return ok();
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\npart');
      return undefined;
    });
    await assert.rejects(send(port, { path: '/slow', onRequest: (r) => r.on('response', () => r.destroy()) }));
    await until(() => member.closed === 1);
    assert.deepEqual(results, ['answer']);
    assert.equal(client.idleCount(upstream), 0);
    assert.equal(client.open, 0);
  });

  test('a response broken off by the member cuts the client response short', async () => {
    const { port } = await setup((_path, socket) => {
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\npart');
      return undefined;
    });
    await assert.rejects(send(port));
  });

  test('an invalid response head fails the try (502) and destroys the connection', async () => {
    const { member, port, results } = await setup(() => 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok');
    const reply = await send(port);
    assert.equal(reply.status, 502);
    assert.deepEqual(results, ['invalid-response']);
    await until(() => member.closed === 1);
  });

  test('idle connections close after keepAliveMs (one sweep, on the clock)', async () => {
    const clock = new FakeClock();
    const { member, upstream, client, port } = await setup(() => ok(), clock, 4000);
    await send(port);
    assert.equal(client.idleCount(upstream), 1);
    clock.advance(3999);
    assert.equal(client.idleCount(upstream), 1);
    clock.advance(500);
    await until(() => member.closed === 1);
    assert.equal(client.idleCount(upstream), 0);
  });

  test('no response head within the timeout: failure "timeout", connection destroyed', async () => {
    const clock = new FakeClock();
    const { member, port, results } = await setup(() => undefined, clock);
    const pending = send(port);
    await until(() => member.connections === 1);
    await until(() => results.length === 0 && clock.pending === 1);
    clock.advance(2000);
    assert.equal((await pending).status, 502);
    assert.deepEqual(results, ['timeout']);
    await until(() => member.closed === 1);
  });

  test('idle connections beyond maxIdle are closed', async () => {
    const waiting: net.Socket[] = [];
    const { member, upstream, client, port } = await setup((_path, socket) => {
      // Both requests are in flight before either is answered: two connections.
      waiting.push(socket);
      if (waiting.length === 2) for (const s of waiting) s.write(ok());
      return undefined;
    }, systemClock, 60_000, 1);
    await Promise.all([send(port), send(port)]);
    assert.equal(member.connections, 2);
    await until(() => member.closed === 1);
    assert.equal(client.idleCount(upstream), 1);
  });

  test('a dead port: failure "connect"', async () => {
    const member = await rawMember(() => ok());
    const upstream = new Upstream('D', member.port);
    const client = new UpstreamClient({ clock: systemClock, headTimeoutMs: 2000, keepAliveMs: 4000 });
    cleanups.push(() => client.destroy());
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const dead = new Upstream('D', (probe.address() as AddressInfo).port);
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const { port, results } = await front(client, dead);
    assert.equal((await send(port)).status, 502);
    assert.deepEqual(results, ['connect']);
    assert.equal(client.idleCount(upstream), 0);
  });
});
