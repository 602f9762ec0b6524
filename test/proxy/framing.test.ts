import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { framingHeaders, requestFraming } from '../../src/proxy/framing.js';
import type { Framing } from '../../src/proxy/framing.js';
import { forwardRequestHeaders } from '../../src/proxy/headers.js';

describe('requestFraming', () => {
  const many = (n: number): string[] => Array.from({ length: n }, (_, i) => [`X-${i}`, '1']).flat();
  const rows: { name: string; raw: string[]; version?: string; want: Framing | 400 | 431 }[] = [
    { name: 'no body', raw: ['Host', 'a'], want: { kind: 'none' } },
    { name: 'a length', raw: ['Host', 'a', 'Content-Length', '12'], want: { kind: 'length', length: 12 } },
    { name: 'length 0', raw: ['Host', 'a', 'content-length', '0'], want: { kind: 'length', length: 0 } },
    { name: 'chunked, any case and spaces', raw: ['Host', 'a', 'Transfer-Encoding', ' Chunked '], want: { kind: 'chunked' } },
    { name: 'HTTP/1.0 without Host', raw: [], version: '1.0', want: { kind: 'none' } },
    { name: 'Host with port and IPv6 literal', raw: ['Host', '[::1]:8080'], want: { kind: 'none' } },
    { name: 'Connection: content-length', raw: ['Host', 'a', 'Connection', 'Content-Length', 'Content-Length', '3'], want: 400 },
    { name: 'Connection: transfer-encoding', raw: ['Host', 'a', 'Connection', 'close, transfer-encoding', 'Transfer-Encoding', 'chunked'], want: 400 },
    { name: 'Connection: host', raw: ['Host', 'a', 'Connection', 'host'], want: 400 },
    { name: 'CL and TE', raw: ['Host', 'a', 'Content-Length', '3', 'Transfer-Encoding', 'chunked'], want: 400 },
    { name: 'gzip, chunked', raw: ['Host', 'a', 'Transfer-Encoding', 'gzip, chunked'], want: 400 },
    { name: 'chunked twice', raw: ['Host', 'a', 'Transfer-Encoding', 'chunked', 'Transfer-Encoding', 'chunked'], want: 400 },
    { name: 'empty TE', raw: ['Host', 'a', 'Transfer-Encoding', ''], want: 400 },
    { name: 'chunked on HTTP/1.0', raw: ['Host', 'a', 'Transfer-Encoding', 'chunked'], version: '1.0', want: 400 },
    { name: 'two equal lengths', raw: ['Host', 'a', 'Content-Length', '3', 'Content-Length', '3'], want: 400 },
    { name: 'length with a sign', raw: ['Host', 'a', 'Content-Length', '+3'], want: 400 },
    { name: 'length beyond a safe integer', raw: ['Host', 'a', 'Content-Length', '99999999999999999999'], want: 400 },
    { name: 'two Hosts', raw: ['Host', 'a', 'host', 'b'], want: 400 },
    { name: 'no Host on HTTP/1.1', raw: [], want: 400 },
    { name: 'Host with a non-numeric port', raw: ['Host', 'h:abc'], want: 400 },
    { name: 'Host with two ports', raw: ['Host', 'h:80:90'], want: 400 },
    { name: 'Host with a no-break space (obs-text, not whitespace)', raw: ['Host', '\u00a0h'], want: 400 },
    { name: 'chunked followed by a no-break space', raw: ['Host', 'a', 'Transfer-Encoding', 'chunked\u00a0'], want: 400 },
    { name: 'Host with userinfo', raw: ['Host', 'localhost:80@evil.com'], want: 400 },
    { name: '1,000 fields', raw: ['Host', 'a', ...many(999)], want: { kind: 'none' } },
    { name: '1,001 fields', raw: ['Host', 'a', ...many(1000)], want: 431 },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const got = requestFraming(row.raw, row.version ?? '1.1');
      if (typeof row.want === 'number') assert.equal(got.ok ? 'accepted' : got.status, row.want);
      else assert.deepEqual(got, { ok: true, framing: row.want });
    });
  }
});

describe('framingHeaders', () => {
  const rows: { name: string; framing: Framing; method: string; want: string[] }[] = [
    { name: 'chunked', framing: { kind: 'chunked' }, method: 'POST', want: ['Transfer-Encoding', 'chunked'] },
    { name: 'a length', framing: { kind: 'length', length: 5 }, method: 'PUT', want: ['Content-Length', '5'] },
    { name: 'GET without a body: nothing', framing: { kind: 'none' }, method: 'GET', want: [] },
    { name: 'POST without a body: length 0, not an empty chunked body', framing: { kind: 'none' }, method: 'POST', want: ['Content-Length', '0'] },
  ];
  for (const row of rows) test(row.name, () => assert.deepEqual(framingHeaders(row.framing, row.method), row.want));
});

describe('forwardRequestHeaders', () => {
  const base = { clientAddress: '127.0.0.1', proto: 'http' as const, host: 'a' };
  test('Host first, then framing, then end-to-end fields; client framing and hop-by-hop dropped', () => {
    const raw = ['X-A', '1', 'Transfer-Encoding', 'chunked', 'Host', 'a', 'Connection', 'keep-alive, X-B', 'X-B', '2', 'Keep-Alive', '5', 'X-Forwarded-For', '10.0.0.1'];
    assert.deepEqual(forwardRequestHeaders(raw, { ...base, framing: ['Transfer-Encoding', 'chunked'] }), [
      'Host', 'a', 'Transfer-Encoding', 'chunked', 'X-A', '1',
      'X-Forwarded-For', '10.0.0.1, 127.0.0.1', 'X-Forwarded-Proto', 'http', 'X-Forwarded-Host', 'a',
    ]);
  });
  test('Expect is answered by the proxy (node:http sent 100 Continue), not forwarded', () => {
    const raw = ['Host', 'a', 'Expect', '100-continue', 'X-A', 'caf\u00c3\u00a9'];
    assert.deepEqual(forwardRequestHeaders(raw, { ...base, framing: [] }).slice(0, 4), ['Host', 'a', 'X-A', 'caf\u00c3\u00a9']);
  });
  test('the length is the one the proxy chose, never a second copy', () => {
    const raw = ['Host', 'a', 'Content-Length', '3'];
    assert.deepEqual(forwardRequestHeaders(raw, { ...base, framing: ['Content-Length', '3'] }).filter((v) => v.toLowerCase() === 'content-length').length, 1);
  });
  test('an upgrade keeps its protocol switch', () => {
    const raw = ['Host', 'a', 'Connection', 'Upgrade', 'Upgrade', 'websocket'];
    assert.deepEqual(forwardRequestHeaders(raw, { ...base, framing: [], upgrade: 'websocket' }).slice(-4), ['Connection', 'Upgrade', 'Upgrade', 'websocket']);
  });
});
