// Issue 7, defect 1: a request whose framing the proxy cannot forward unambiguously is
// refused and its connection closed; an upstream connection that delivers bytes nobody
// asked for is destroyed, never reused; no response reaches the wrong client.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { UpstreamPool } from '../../src/proxy/pool.js';
import { ProxyServer } from '../../src/proxy/server.js';
import { Upstream } from '../../src/proxy/upstream.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { send, startBackend, startRawMember, until, type RawMember } from './fixtures.js';
import type { Backend, Reply } from './fixtures.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function proxyOver(...members: Upstream[]): Promise<{ port: number; proxy: ProxyServer }> {
  const clock = new FakeClock();
  const pool = new UpstreamPool({ clock });
  for (const m of members) pool.add(m);
  // A long keep-alive, so only the proxy's doubt (never the idle timeout) closes a member connection.
  const proxy = new ProxyServer({ pool, clock, upstreamKeepAliveMs: 600_000 });
  const { port } = await proxy.listen(0);
  cleanups.push(() => proxy.close({ graceMs: 0 }));
  return { port, proxy };
}

/** A node:http member that records what it got (method, url, framing, body) and echoes it. */
async function recordingBackend(): Promise<Backend & { log: { method: string; url: string; cl?: string; te?: string; body: string }[] }> {
  const log: { method: string; url: string; cl?: string; te?: string; body: string }[] = [];
  const b = await startBackend('R', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', body: Buffer.concat(chunks).toString('latin1') };
      const cl = req.headers['content-length'];
      const te = req.headers['transfer-encoding'];
      log.push({ ...entry, ...(cl === undefined ? {} : { cl }), ...(te === undefined ? {} : { te }) });
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ method: req.method, url: req.url }));
    });
  });
  cleanups.push(() => b.close());
  return Object.assign(b, { log });
}

/** Writes raw bytes to the proxy and collects everything until the proxy closes the connection. */
function rawExchange(port: number, bytes: string): Promise<{ text: string; closedByPeer: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    let ended = false;
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (text += d));
    socket.on('end', () => (ended = true));
    socket.on('close', () => resolve({ text, closedByPeer: ended }));
    socket.on('error', reject);
    socket.write(bytes);
  });
}

const crash = 'POST /api/v1/_crash HTTP/1.1\r\nHost: app\r\nContent-Length: 5\r\n\r\nboom!';

describe('refused framing', () => {
  const rows: { name: string; head: string; body: string }[] = [
    { name: 'the issue\'s attack: Connection: Content-Length', head: `GET /api/v1/whoami HTTP/1.1\r\nHost: app\r\nConnection: Content-Length\r\nContent-Length: ${crash.length}`, body: crash },
    { name: 'Connection names Content-Length among others', head: `POST /a HTTP/1.1\r\nHost: app\r\nConnection: keep-alive, content-length\r\nContent-Length: ${crash.length}`, body: crash },
    { name: 'Connection: Transfer-Encoding on a chunked body', head: 'POST /a HTTP/1.1\r\nHost: app\r\nConnection: Transfer-Encoding\r\nTransfer-Encoding: chunked', body: `${crash.length.toString(16)}\r\n${crash}\r\n0\r\n\r\n` },
    { name: 'Connection: Host', head: 'GET /a HTTP/1.1\r\nHost: app\r\nConnection: host', body: '' },
    { name: 'two Host headers', head: 'GET /a HTTP/1.1\r\nHost: app\r\nHost: other', body: '' },
    { name: 'Host with a path', head: 'GET /a HTTP/1.1\r\nHost: app/x', body: '' },
    { name: 'Host with userinfo', head: 'GET /a HTTP/1.1\r\nHost: app:80@evil', body: '' },
    { name: 'Transfer-Encoding: gzip, chunked', head: 'POST /a HTTP/1.1\r\nHost: app\r\nTransfer-Encoding: gzip, chunked', body: '3\r\nabc\r\n0\r\n\r\n' },
    { name: 'chunked on HTTP/1.0', head: 'POST /a HTTP/1.0\r\nHost: app\r\nTransfer-Encoding: chunked', body: '3\r\nabc\r\n0\r\n\r\n' },
    { name: 'empty Transfer-Encoding', head: 'POST /a HTTP/1.1\r\nHost: app\r\nTransfer-Encoding: ', body: crash },
    { name: 'Content-Length with Transfer-Encoding (llhttp)', head: 'POST /a HTTP/1.1\r\nHost: app\r\nContent-Length: 5\r\nTransfer-Encoding: chunked', body: '0\r\n\r\n' },
    { name: 'two differing Content-Length (llhttp)', head: 'POST /a HTTP/1.1\r\nHost: app\r\nContent-Length: 5\r\nContent-Length: 6', body: 'abcdef' },
  ];
  for (const row of rows) {
    test(`${row.name} → 400, connection closed, nothing forwarded`, async () => {
      const b = await recordingBackend();
      const { port } = await proxyOver(new Upstream('R', b.port));
      const { text, closedByPeer } = await rawExchange(port, `${row.head}\r\n\r\n${row.body}`);
      assert.match(text, /^HTTP\/1\.1 400 /);
      assert.equal(closedByPeer, true, 'the proxy closed the connection');
      assert.equal(text.match(/HTTP\/1\.1 /g)?.length, 1, 'exactly one response');
      assert.deepEqual(b.log, [], 'the member received nothing');
    });
  }

  test('the 400 the proxy writes itself has the agreed JSON shape', async () => {
    const b = await recordingBackend();
    const { port } = await proxyOver(new Upstream('R', b.port));
    const { text } = await rawExchange(port, `GET / HTTP/1.1\r\nHost: app\r\nConnection: content-length\r\nContent-Length: 0\r\n\r\n`);
    const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'BAD_REQUEST');
    assert.match(body.error.message, /Connection names content-length/);
  });

  test('the attack next to victims: no victim ever gets the smuggled response, the member never sees _crash', async () => {
    const b = await recordingBackend();
    const { port } = await proxyOver(new Upstream('R', b.port));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
    cleanups.push(() => agent.destroy());
    const attack = `GET /api/v1/whoami HTTP/1.1\r\nHost: app\r\nConnection: Content-Length\r\nContent-Length: ${crash.length}\r\n\r\n${crash}`;
    const victims: Promise<Reply>[] = [];
    const attacks: Promise<{ text: string }>[] = [];
    for (let i = 0; i < 10; i++) {
      attacks.push(rawExchange(port, attack));
      victims.push(send(port, { agent, path: `/victim/${i}` }));
    }
    const replies = await Promise.all(victims);
    replies.forEach((r, i) => assert.deepEqual(r.json(), { method: 'GET', url: `/victim/${i}` }));
    for (const a of await Promise.all(attacks)) assert.match(a.text, /^HTTP\/1\.1 400 /);
    assert.deepEqual(b.log.map((e) => e.url).sort(), Array.from({ length: 10 }, (_, i) => `/victim/${i}`).sort());
  });
});

describe('forwarded framing', () => {
  test('a Content-Length body goes with exactly that length and bytes', async () => {
    const b = await recordingBackend();
    const { port } = await proxyOver(new Upstream('R', b.port));
    const { text } = await rawExchange(port, 'POST /l HTTP/1.1\r\nHost: app\r\nContent-Length: 7\r\nConnection: close\r\n\r\nabc\r\nde');
    assert.match(text, /^HTTP\/1\.1 200 /);
    assert.deepEqual(b.log, [{ method: 'POST', url: '/l', cl: '7', body: 'abc\r\nde' }]);
  });

  test('a chunked body goes chunked (re-chunked), with its bytes and without a length', async () => {
    const b = await recordingBackend();
    const { port } = await proxyOver(new Upstream('R', b.port));
    const { text } = await rawExchange(port, 'POST /c HTTP/1.1\r\nHost: app\r\nTransfer-Encoding: Chunked\r\nConnection: close\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\n\r\n');
    assert.match(text, /^HTTP\/1\.1 200 /);
    assert.deepEqual(b.log, [{ method: 'POST', url: '/c', te: 'chunked', body: 'abcde' }]);
  });

  test('trailers of a chunked body are forwarded, except framing ones', async () => {
    let trailers: string[] = [];
    const b = await startBackend('T', (req, res) => {
      req.resume();
      req.on('end', () => {
        trailers = req.rawTrailers;
        res.end('ok');
      });
    });
    cleanups.push(() => b.close());
    const { port } = await proxyOver(new Upstream('T', b.port));
    const { text } = await rawExchange(port, 'POST /t HTTP/1.1\r\nHost: app\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\nX-Sum: 1\r\nHost: other\r\nX-Two: 2\r\n\r\n');
    assert.match(text, /^HTTP\/1\.1 200 /);
    assert.deepEqual(trailers, ['X-Sum', '1', 'X-Two', '2']);
  });

  test('a request without a body is forwarded without one: GET bare, POST with Content-Length: 0', async () => {
    const b = await recordingBackend();
    const { port } = await proxyOver(new Upstream('R', b.port));
    await rawExchange(port, 'GET /g HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n');
    await rawExchange(port, 'POST /p HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n');
    assert.deepEqual(b.log, [
      { method: 'GET', url: '/g', body: '' },
      { method: 'POST', url: '/p', cl: '0', body: '' },
    ]);
  });
});

/** A raw member: answers every request head with `ok`; for /evil it sends `extra` on the same connection afterwards. */
async function rawMember(extra: string, delayed: boolean): Promise<RawMember> {
  const ok = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
  const member = await startRawMember((head, socket) => {
    const evil = head.startsWith('GET /evil') || head.startsWith('HEAD /evil');
    if (!evil) return ok;
    if (!delayed) return ok + extra;
    setTimeout(() => socket.write(extra), 20);
    return ok;
  });
  cleanups.push(() => member.close());
  return member;
}

describe('upstream connections in doubt are destroyed', () => {
  const smuggled = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nEVIL!';
  const rows: { name: string; method: string; extra: string; delayed: boolean }[] = [
    { name: 'a response arriving on an idle connection', method: 'GET', extra: smuggled, delayed: true },
    { name: 'extra bytes right after a complete response', method: 'GET', extra: smuggled, delayed: false },
    { name: 'a body after the head of a HEAD response', method: 'HEAD', extra: 'hello', delayed: true },
  ];
  for (const row of rows) {
    test(`${row.name}: the connection is closed and the next client gets its own answer`, async () => {
      const m = await rawMember(row.extra, row.delayed);
      const { port } = await proxyOver(new Upstream('M', m.port));
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      cleanups.push(() => agent.destroy());
      const first = await send(port, { agent, method: row.method, path: '/evil' });
      assert.equal(first.status, 200);
      await until(() => m.closed === 1);
      const next = await send(port, { agent, path: '/next' });
      assert.equal(next.body.toString(), 'ok');
      assert.equal(m.connections, 2, 'the doubtful connection was not reused');
    });
  }
});
