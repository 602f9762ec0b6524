import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RefRequest } from './reference.js';
import { parseStrict } from './strict-parser.js';
import { judge } from './verdict.js';
import type { Observation, ViolationClass } from './verdict.js';

const ref = (method: string, url: string, headers: string[], body = '', complete = true, trailers: string[] = []): RefRequest => ({
  method,
  url,
  httpVersion: '1.1',
  rawHeaders: headers,
  rawTrailers: trailers,
  body: Buffer.from(body, 'latin1'),
  complete,
  connect: method === 'CONNECT',
});
const up = (...streams: string[]): Observation['upstream'] =>
  streams.map((s) => {
    const parse = parseStrict(Buffer.from(s, 'latin1'));
    return { bytes: Buffer.from(s, 'latin1'), parse, answered: parse.requests.filter((r) => r.complete).map((r) => r.target) };
  });
const answer = (url: string): string => `HTTP/1.1 200 OK\r\nContent-Length: 6\r\nX-Echo-Url: ${url}\r\n\r\necho 1`;
const REF_OK = 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nref';
const FWD = 'X-Forwarded-For: 127.0.0.1\r\nX-Forwarded-Proto: http\r\n';

function obs(parts: {
  refs: RefRequest[];
  refResponse?: string;
  refClosed?: boolean;
  upstream?: Observation['upstream'];
  client?: string;
  clientClosed?: boolean;
  victims?: [string, string][];
}): Observation {
  return {
    reference: { requests: parts.refs, response: Buffer.from(parts.refResponse ?? REF_OK, 'latin1'), closed: parts.refClosed ?? false },
    client: { received: Buffer.from(parts.client ?? '', 'latin1'), closed: parts.clientClosed ?? false },
    upstream: parts.upstream ?? [],
    victims: (parts.victims ?? []).map(([url, received]) => ({ url, received: Buffer.from(received, 'latin1') })),
    closeHung: () => false,
  };
}

const rows: { name: string; observation: Observation; expect: ViolationClass[]; forwarded?: number; refused?: boolean }[] = [
  {
    name: 'a body forwarded as sent',
    observation: obs({
      refs: [ref('POST', '/a', ['Host', 'h', 'Content-Length', '5'], 'hello')],
      upstream: up(`POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n${FWD}\r\nhello`),
      client: answer('/a'),
      victims: [['/victim/1', answer('/victim/1')]],
    }),
    expect: [],
    forwarded: 1,
  },
  {
    name: 'hop-by-hop and Connection-listed headers may go, X-Forwarded-* may change',
    observation: obs({
      refs: [ref('GET', '/a', ['Host', 'h', 'Connection', 'X-Hop, keep-alive', 'X-Hop', '1', 'TE', 'trailers', 'X-Forwarded-For', '10.0.0.1', 'X-Keep', 'k'])],
      upstream: up(`GET /a HTTP/1.1\r\nHost: h\r\nX-Keep: k\r\nX-Forwarded-For: 10.0.0.1, 127.0.0.1\r\n\r\n`),
      client: answer('/a'),
    }),
    expect: [],
  },
  {
    name: 'a request the reference never parsed reached the upstream (smuggled)',
    observation: obs({
      refs: [ref('GET', '/a', ['Host', 'h', 'Content-Length', '36'], 'GET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n')],
      upstream: up(`GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n`),
      client: answer('/a'),
      victims: [['/victim/1', answer('/smuggled')]],
    }),
    expect: ['forwarded-not-parsed', 'framing-mismatch', 'misdelivered', 'answer-lost'],
  },
  {
    name: 'trailers forwarded as sent',
    observation: obs({
      refs: [ref('POST', '/a', ['Host', 'h', 'Transfer-Encoding', 'chunked'], 'hello', true, ['X-T', '1'])],
      upstream: up(`POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n`),
      client: answer('/a'),
    }),
    expect: [],
  },
  {
    name: 'a trailer dropped on the way',
    observation: obs({
      refs: [ref('POST', '/a', ['Host', 'h', 'Transfer-Encoding', 'chunked'], 'hello', true, ['X-T', '1'])],
      upstream: up(`POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`),
      client: answer('/a'),
    }),
    expect: ['header-mismatch'],
  },
  {
    name: 'a header dropped on the way',
    observation: obs({ refs: [ref('GET', '/a', ['Host', 'h', 'X-A', '1', 'X-B', '2'])], upstream: up(`GET /a HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n\r\n`), client: answer('/a') }),
    expect: ['header-mismatch'],
  },
  {
    name: 'Host replaced',
    observation: obs({ refs: [ref('GET', '/a', ['Host', 'h', 'Connection', 'Host'])], upstream: up(`GET /a HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n`), client: answer('/a') }),
    expect: ['header-mismatch'],
  },
  {
    name: 'CL and TE forwarded together',
    observation: obs({
      refs: [],
      refResponse: 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n',
      refClosed: true,
      upstream: up(`POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`),
    }),
    expect: ['ambiguous-forwarded'],
  },
  {
    name: 'a partial head left on the upstream connection',
    observation: obs({ refs: [ref('GET', '/a', ['Host', 'h'])], upstream: up(`GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /x HT`), client: answer('/a') }),
    expect: ['stray-bytes'],
  },
  {
    name: 'a body still streaming is a prefix, not a mismatch',
    observation: obs({
      refs: [ref('POST', '/a', ['Host', 'h', 'Content-Length', '10'], 'hello', false)],
      refResponse: '',
      upstream: up(`POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nhel`),
    }),
    expect: [],
  },
  {
    name: 'the upstream got a complete body the client never finished',
    observation: obs({
      refs: [ref('POST', '/a', ['Host', 'h', 'Transfer-Encoding', 'chunked'], 'hello', false)],
      refResponse: '',
      upstream: up(`POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`),
      client: answer('/a'),
    }),
    expect: ['framing-mismatch'],
  },
  {
    name: 'CONNECT closed without an answer',
    observation: obs({ refs: [ref('CONNECT', 'h:443', ['Host', 'h:443'])], refResponse: '', refClosed: true, clientClosed: true }),
    expect: ['silent-close'],
    refused: true,
  },
  {
    name: 'refused with 400 like the reference',
    observation: obs({
      refs: [],
      refResponse: 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n',
      refClosed: true,
      client: 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n',
      clientClosed: true,
      victims: [['/victim/1', answer('/victim/1')]],
    }),
    expect: [],
    forwarded: 0,
    refused: true,
  },
  {
    name: 'an upstream answer that never reached the client',
    observation: obs({ refs: [ref('GET', '/a', ['Host', 'h'])], upstream: up(`GET /a HTTP/1.1\r\nHost: h\r\n\r\n`), client: 'HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n' }),
    expect: ['answer-lost'],
  },
  {
    name: 'an answer dropped the way the reference drops it (bad pipelined request after a good one)',
    observation: obs({
      refs: [ref('GET', '/p1', ['Host', 'h'])],
      refResponse: 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n',
      refClosed: true,
      upstream: up(`GET /p1 HTTP/1.1\r\nHost: h\r\n\r\n`),
      client: 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n',
      clientClosed: true,
    }),
    expect: [],
  },
  {
    name: 'a victim without its answer',
    observation: obs({ refs: [], victims: [['/victim/1', 'HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n']] }),
    expect: ['victim-failed'],
  },
  {
    name: 'the hostile client got a victim response',
    observation: obs({ refs: [ref('GET', '/a', ['Host', 'h'])], upstream: up(`GET /a HTTP/1.1\r\nHost: h\r\n\r\n`), client: answer('/a') + answer('/victim/2') }),
    expect: ['misdelivered'],
  },
];

describe('judge', () => {
  for (const row of rows) {
    test(row.name, () => {
      const verdict = judge(row.observation);
      assert.deepEqual([...new Set(verdict.violations.map((v) => v.class))].sort(), [...row.expect].sort(), JSON.stringify(verdict.violations, null, 1));
      if (row.forwarded !== undefined) assert.equal(verdict.forwarded, row.forwarded);
      if (row.refused !== undefined) assert.equal(verdict.refusedByProxy, row.refused);
    });
  }
});
