import assert from 'node:assert/strict';
import { createServer, request, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { errorBody, errorResponseText, sendError } from '../src/http-error.js';

test('errorBody is {"error":{"code","message"}}', () => {
  assert.equal(errorBody('QUEUE_FULL', 'Too many requests wait; try again.'), '{"error":{"code":"QUEUE_FULL","message":"Too many requests wait; try again."}}');
});

test('errorResponseText is a whole HTTP/1.1 response for a raw socket', () => {
  const body = '{"error":{"code":"HEADERS_TOO_LARGE","message":"Too big."}}';
  assert.equal(
    errorResponseText(431, 'HEADERS_TOO_LARGE', 'Too big.', { 'Retry-After': '1' }),
    `HTTP/1.1 431 Request Header Fields Too Large\r\nRetry-After: 1\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
  );
});

describe('sendError on a real server', () => {
  let server: Server;
  let port = 0;
  // Each test installs what the server does with its one request.
  let handle: (res: ServerResponse) => void = () => {};
  before(async () => {
    server = createServer((_req, res) => handle(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function get(): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject).end();
    });
  }

  test('status, JSON type and length, extra headers, and the body', async () => {
    handle = (res) => sendError(res, 503, 'NO_READY_UPSTREAM', 'No container is ready yet; try again in a moment.', { 'Retry-After': '1' });
    const res = await get();
    assert.equal(res.status, 503);
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(res.headers['retry-after'], '1');
    assert.equal(res.headers['content-length'], String(Buffer.byteLength(res.body)));
    assert.deepEqual(JSON.parse(res.body), { error: { code: 'NO_READY_UPSTREAM', message: 'No container is ready yet; try again in a moment.' } });
  });

  test('a response already started is left alone', async () => {
    handle = (res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('partial ');
      sendError(res, 502, 'BAD_GATEWAY', 'too late to say so');
      res.end('answer');
    };
    const res = await get();
    assert.equal(res.status, 200);
    assert.equal(res.body, 'partial answer');
  });
});
