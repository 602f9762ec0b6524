import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { forwardRequestHeaders, headerValues, stripHopByHop, upgradeProtocol } from '../../src/proxy/headers.js';

describe('stripHopByHop', () => {
  const rows: { name: string; raw: string[]; upgrade?: string; want: string[] }[] = [
    { name: 'nothing to strip', raw: ['Host', 'x', 'Accept', '*/*'], want: ['Host', 'x', 'Accept', '*/*'] },
    {
      name: 'every standard hop-by-hop header',
      raw: [
        'Connection', 'keep-alive', 'Keep-Alive', 'timeout=5', 'Proxy-Authenticate', 'Basic', 'Proxy-Authorization', 'Basic eA==',
        'TE', 'trailers', 'Trailer', 'X-Sum', 'Transfer-Encoding', 'chunked', 'Upgrade', 'websocket', 'Proxy-Connection', 'keep-alive', 'X-Keep', '1',
      ],
      want: ['X-Keep', '1'],
    },
    { name: 'headers named by Connection', raw: ['Connection', 'X-A, x-b', 'X-A', '1', 'X-B', '2', 'X-C', '3'], want: ['X-C', '3'] },
    { name: 'Connection naming Content-Length or Host never removes them', raw: ['Connection', 'content-length, host, x-a', 'Content-Length', '2', 'Host', 'h', 'X-A', '1'], want: ['Content-Length', '2', 'Host', 'h'] },
    { name: 'several Connection headers', raw: ['Connection', 'x-a', 'connection', 'X-B', 'X-A', '1', 'X-B', '2'], want: [] },
    { name: 'repeated end-to-end headers stay, in order and case', raw: ['Set-Cookie', 'a=1', 'set-cookie', 'b=2'], want: ['Set-Cookie', 'a=1', 'set-cookie', 'b=2'] },
    {
      name: 'upgrade keeps the protocol switch',
      raw: ['Connection', 'keep-alive, Upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k'],
      upgrade: 'websocket',
      want: ['Sec-WebSocket-Key', 'k', 'Connection', 'Upgrade', 'Upgrade', 'websocket'],
    },
  ];
  for (const row of rows) {
    test(row.name, () => assert.deepEqual(stripHopByHop(row.raw, row.upgrade), row.want));
  }
});

describe('upgradeProtocol', () => {
  const rows: { name: string; raw: string[]; want: string | undefined }[] = [
    { name: 'websocket', raw: ['Connection', 'Upgrade', 'Upgrade', 'websocket'], want: 'websocket' },
    { name: 'token among others', raw: ['Connection', 'keep-alive, upgrade', 'Upgrade', 'h2c'], want: 'h2c' },
    { name: 'Upgrade without Connection token', raw: ['Upgrade', 'websocket'], want: undefined },
    { name: 'Connection token without Upgrade', raw: ['Connection', 'Upgrade'], want: undefined },
    { name: 'plain request', raw: ['Host', 'x'], want: undefined },
  ];
  for (const row of rows) test(row.name, () => assert.equal(upgradeProtocol(row.raw), row.want));
});

describe('forwardRequestHeaders: X-Forwarded-*', () => {
  const rows: { name: string; raw: string[]; client: string | undefined; host: string | undefined; want: Record<string, string[]> }[] = [
    {
      name: 'fresh request',
      raw: ['Host', 'api.local'],
      client: '127.0.0.1',
      host: 'api.local',
      want: { 'x-forwarded-for': ['127.0.0.1'], 'x-forwarded-proto': ['http'], 'x-forwarded-host': ['api.local'] },
    },
    {
      name: 'appends to an earlier chain, replaces proto and host',
      raw: ['X-Forwarded-For', '10.0.0.1, 10.0.0.2', 'x-forwarded-for', '10.0.0.3', 'X-Forwarded-Proto', 'https', 'X-Forwarded-Host', 'evil'],
      client: '127.0.0.1',
      host: 'api.local',
      want: { 'x-forwarded-for': ['10.0.0.1, 10.0.0.2, 10.0.0.3, 127.0.0.1'], 'x-forwarded-proto': ['http'], 'x-forwarded-host': ['api.local'] },
    },
    {
      name: 'unknown client address and host',
      raw: ['X-Forwarded-For', '10.0.0.1'],
      client: undefined,
      host: undefined,
      want: { 'x-forwarded-for': ['10.0.0.1'], 'x-forwarded-proto': ['http'], 'x-forwarded-host': [] },
    },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const out = forwardRequestHeaders(row.raw, { clientAddress: row.client, proto: 'http', host: row.host, framing: [] });
      for (const [name, values] of Object.entries(row.want)) assert.deepEqual(headerValues(out, name), values, name);
    });
  }
});

describe('forwardRequestHeaders: what Connection names', () => {
  const base = { clientAddress: undefined, proto: 'http' as const, host: 'h', framing: [] };
  const rows: { name: string; raw: string[]; want: string[] }[] = [
    { name: 'keep-alive names nothing to drop', raw: ['Host', 'h', 'Connection', 'keep-alive', 'X-A', '1'], want: ['Host', 'h', 'X-A', '1'] },
    { name: 'fields it names are dropped, any case, over several Connection fields', raw: ['Host', 'h', 'Connection', 'X-A', 'x-a', '1', 'connection', ' x-B ', 'X-B', '2', 'X-C', '3'], want: ['Host', 'h', 'X-C', '3'] },
    { name: 'a long end-to-end name passes', raw: ['Host', 'h', 'X-A-Very-Long-Field-Name', 'v'], want: ['Host', 'h', 'X-A-Very-Long-Field-Name', 'v'] },
  ];
  for (const row of rows) {
    test(row.name, () => assert.deepEqual(forwardRequestHeaders(row.raw, base).slice(0, row.want.length), row.want));
  }
});
