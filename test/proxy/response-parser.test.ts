// The upstream response parser, table-driven: every framing it forwards, and every way
// a response can be in doubt, each fed whole, split at every byte boundary, and one byte
// at a time — the verdict must not depend on how the bytes arrive.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ResponseParser } from '../../src/proxy/upstream-client/response-parser.js';
import type { BodyKind, ParserLimits } from '../../src/proxy/upstream-client/response-head.js';

const LIMITS: ParserLimits = { maxHeadBytes: 16 * 1024, maxHeaders: 1000 };

interface Parsed {
  readonly status?: number;
  readonly reason?: string;
  readonly headers?: readonly string[];
  readonly body?: string;
  readonly kind?: BodyKind;
  readonly keepAlive?: boolean;
  readonly complete: boolean;
  /** Bytes left after the end of the response (a second response, garbage). */
  readonly extra: number;
  readonly error?: string;
}

/** Feeds `pieces` as a connection would (stopping after the head, then going on), then EOF if `eof`. */
function parse(pieces: readonly Buffer[], options: { head?: boolean; eof?: boolean; limits?: ParserLimits } = {}): Parsed {
  const body: Buffer[] = [];
  const parser = new ResponseParser({ onBody: (c) => void body.push(Buffer.from(c)) }, options.limits ?? LIMITS);
  parser.begin(options.head === true);
  let extra = 0;
  for (const piece of pieces) {
    if (parser.complete) {
      extra += piece.length;
      continue;
    }
    let pos = 0;
    while (pos < piece.length && !parser.failed && !parser.complete) pos = parser.execute(piece, pos);
    if (parser.failed) break;
    if (parser.complete) extra += piece.length - pos;
  }
  if (options.eof === true && !parser.failed) parser.finish();
  const head = parser.head;
  return {
    ...(head === undefined ? {} : { status: head.status, reason: head.reason, headers: head.headers, kind: head.body, keepAlive: head.keepAlive }),
    ...(parser.failed ? { error: parser.error ?? '?' } : { body: Buffer.concat(body).toString('latin1') }),
    complete: parser.complete,
    extra,
  };
}

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

/** The same bytes whole, in two pieces cut at every offset, and one byte per piece. */
function everySplit(text: string): Buffer[][] {
  const b = bytes(text);
  const ways: Buffer[][] = [[b]];
  for (let i = 1; i < b.length; i++) ways.push([b.subarray(0, i), b.subarray(i)]);
  ways.push([...b].map((x) => Buffer.from([x])));
  return ways;
}

const OK = 'HTTP/1.1 200 OK\r\n';

describe('responses it forwards', () => {
  const rows: { name: string; text: string; head?: boolean; eof?: boolean; want: Partial<Parsed> }[] = [
    { name: 'Content-Length body', text: `${OK}Content-Length: 5\r\nX-A: b\r\n\r\nhello`, want: { status: 200, reason: 'OK', headers: ['Content-Length', '5', 'X-A', 'b'], body: 'hello', kind: 'length', keepAlive: true, complete: true, extra: 0 } },
    { name: 'hop-by-hop fields and those Connection names are left out', text: `${OK}Connection: keep-alive, X-Hop\r\nKeep-Alive: timeout=5\r\nX-Hop: 1\r\nContent-Length: 0\r\nX-End: 2\r\n\r\n`, want: { headers: ['Content-Length', '0', 'X-End', '2'], kind: 'none', keepAlive: true, complete: true } },
    { name: 'chunked, with extensions and trailers (trailers read, not forwarded)', text: `${OK}Transfer-Encoding: chunked\r\n\r\n3;a=b\r\nabc\r\n2 ; x="y"\r\nde\r\nA\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n`, want: { headers: [], body: 'abcde0123456789', kind: 'chunked', keepAlive: true, complete: true, extra: 0 } },
    { name: 'chunked with leading zeros in a size and " chunked " as the coding', text: `${OK}Transfer-Encoding:  Chunked \r\n\r\n0003\r\nabc\r\n0\r\n\r\n`, want: { body: 'abc', kind: 'chunked', complete: true } },
    { name: 'close-delimited: until EOF, never kept alive', text: `${OK}X-A: b\r\n\r\nabc`, eof: true, want: { body: 'abc', kind: 'close', keepAlive: false, complete: true } },
    { name: 'HEAD: no body whatever the length says', text: `${OK}Content-Length: 10\r\n\r\n`, head: true, want: { kind: 'none', keepAlive: true, complete: true, extra: 0 } },
    { name: 'HEAD answered with a body: the bytes after the head are extra', text: `${OK}Content-Length: 5\r\n\r\nhello`, head: true, want: { kind: 'none', complete: true, extra: 5 } },
    { name: '204 has no body', text: 'HTTP/1.1 204 No Content\r\nX-A: b\r\n\r\n', want: { status: 204, kind: 'none', keepAlive: true, complete: true } },
    { name: '304 has no body, its Content-Length is the representation\'s', text: 'HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n', want: { status: 304, kind: 'none', complete: true, extra: 0 } },
    { name: '100 Continue is dropped, the final response follows', text: `HTTP/1.1 100 Continue\r\n\r\n${OK}Content-Length: 2\r\n\r\nok`, want: { status: 200, body: 'ok', complete: true } },
    { name: '103 Early Hints with fields is dropped', text: `HTTP/1.1 103 Early Hints\r\nLink: </a>; rel=preload\r\n\r\n${OK}Content-Length: 2\r\n\r\nok`, want: { status: 200, headers: ['Content-Length', '2'], body: 'ok' } },
    { name: 'HTTP/1.0: not kept alive', text: 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok', want: { body: 'ok', keepAlive: false, complete: true } },
    { name: 'Connection: close: not kept alive', text: `${OK}Connection: close\r\nContent-Length: 2\r\n\r\nok`, want: { headers: ['Content-Length', '2'], keepAlive: false, complete: true } },
    { name: 'no reason phrase; obs-text in the reason', text: 'HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n', want: { status: 200, reason: '', complete: true } },
    { name: 'obs-text in the reason and a value; OWS around values trimmed', text: 'HTTP/1.1 200 Gr\xfc\xdfe\r\nX-A: \t caf\xe9 \t\r\nX-Empty:\r\nContent-Length: 0\r\n\r\n', want: { reason: 'Gr\xfc\xdfe', headers: ['X-A', 'caf\xe9', 'X-Empty', '', 'Content-Length', '0'] } },
    { name: 'a second response right behind: extra bytes', text: `${OK}Content-Length: 2\r\n\r\nok${OK}Content-Length: 4\r\n\r\nEVIL`, want: { body: 'ok', complete: true, extra: `${OK}Content-Length: 4\r\n\r\nEVIL`.length } },
    { name: 'bytes after the last chunk: extra', text: `${OK}Transfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\nX`, want: { body: 'a', complete: true, extra: 1 } },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const expected = parse([bytes(row.text)], row);
      for (const [k, v] of Object.entries(row.want)) assert.deepEqual(expected[k as keyof Parsed], v, `${k} (whole)`);
      assert.equal(expected.error, undefined);
      for (const pieces of everySplit(row.text)) assert.deepEqual(parse(pieces, row), expected, `cut into ${pieces.length} pieces at ${pieces[0]?.length}`);
    });
  }
});

describe('responses it refuses (502, connection destroyed)', () => {
  const big = (n: number): string => Array.from({ length: n }, (_, i) => `X-${i}: ${i}\r\n`).join('');
  const rows: { name: string; text: string; eof?: boolean; limits?: ParserLimits; error: RegExp }[] = [
    { name: 'obs-fold', text: `${OK}X-A: b\r\n c\r\nContent-Length: 0\r\n\r\n`, error: /folding/ },
    { name: 'bare LF line ends', text: 'HTTP/1.1 200 OK\nContent-Length: 1\n\nx', error: /bare LF/ },
    { name: 'bare LF inside the head', text: `${OK}X-A: b\nContent-Length: 1\r\n\r\nx`, error: /bare LF/ },
    { name: 'bare CR in a value', text: `${OK}X-A: b\rc\r\nContent-Length: 0\r\n\r\n`, error: /bare CR/ },
    { name: 'NUL in a value', text: `${OK}X-A: b\x00c\r\nContent-Length: 0\r\n\r\n`, error: /invalid byte/ },
    { name: 'DEL in a value', text: `${OK}X-A: b\x7fc\r\nContent-Length: 0\r\n\r\n`, error: /invalid byte/ },
    { name: 'whitespace before the colon', text: `${OK}Content-Length : 5\r\n\r\nhello`, error: /field name/ },
    { name: 'an empty field name', text: `${OK}: x\r\nContent-Length: 0\r\n\r\n`, error: /field name/ },
    { name: 'a space in a field name', text: `${OK}X A: b\r\nContent-Length: 0\r\n\r\n`, error: /field name/ },
    { name: 'a line without a colon', text: `${OK}Garbage\r\nContent-Length: 0\r\n\r\n`, error: /field name/ },
    { name: 'two Content-Length, even equal', text: `${OK}Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello`, error: /more than one Content-Length/ },
    { name: 'a Content-Length list', text: `${OK}Content-Length: 5, 5\r\n\r\nhello`, error: /decimal/ },
    { name: 'Content-Length +5', text: `${OK}Content-Length: +5\r\n\r\nhello`, error: /decimal/ },
    { name: 'Content-Length -1', text: `${OK}Content-Length: -1\r\n\r\n`, error: /decimal/ },
    { name: 'Content-Length 0x5', text: `${OK}Content-Length: 0x5\r\n\r\nhello`, error: /decimal/ },
    { name: 'an empty Content-Length', text: `${OK}Content-Length:\r\n\r\n`, error: /decimal/ },
    { name: 'a Content-Length beyond 2^53', text: `${OK}Content-Length: 99999999999999999999\r\n\r\n`, error: /decimal/ },
    { name: 'Transfer-Encoding with Content-Length', text: `${OK}Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n`, error: /both/ },
    { name: 'Transfer-Encoding: gzip', text: `${OK}Transfer-Encoding: gzip\r\n\r\nzz`, error: /Transfer-Encoding "gzip"/ },
    { name: 'Transfer-Encoding: gzip, chunked', text: `${OK}Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n`, error: /Transfer-Encoding/ },
    { name: 'Transfer-Encoding: chunked twice', text: `${OK}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, error: /Transfer-Encoding/ },
    { name: 'Transfer-Encoding on HTTP/1.0', text: 'HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', error: /HTTP\/1\.0/ },
    { name: 'HTTP/2.0 status line', text: 'HTTP/2.0 200 OK\r\n\r\n', error: /status line/ },
    { name: 'HTTP/1.2', text: 'HTTP/1.2 200 OK\r\n\r\n', error: /version/ },
    { name: 'lower-case version', text: 'http/1.1 200 OK\r\n\r\n', error: /status line/ },
    { name: 'a two-digit status', text: 'HTTP/1.1 20 OK\r\n\r\n', error: /status/ },
    { name: 'a four-digit status', text: 'HTTP/1.1 2000 OK\r\n\r\n', error: /status line/ },
    { name: 'status 099', text: 'HTTP/1.1 099 X\r\n\r\n', error: /status code/ },
    { name: 'two spaces before the status', text: 'HTTP/1.1  200 OK\r\n\r\n', error: /status/ },
    { name: 'a CTL in the reason', text: 'HTTP/1.1 200 O\x01K\r\n\r\n', error: /invalid byte/ },
    { name: 'garbage instead of a status line', text: 'hello\r\n\r\n', error: /status line/ },
    { name: '101 to a request that asked for no switch', text: 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n', error: /101/ },
    { name: 'a negative chunk size', text: `${OK}Transfer-Encoding: chunked\r\n\r\n-1\r\n\r\n`, error: /hexadecimal/ },
    { name: 'a chunk size with hex garbage', text: `${OK}Transfer-Encoding: chunked\r\n\r\n5g\r\nhello\r\n0\r\n\r\n`, error: /hexadecimal/ },
    { name: 'a chunk size 0x5', text: `${OK}Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n`, error: /hexadecimal/ },
    { name: 'an empty chunk size', text: `${OK}Transfer-Encoding: chunked\r\n\r\n\r\n`, error: /hexadecimal/ },
    { name: 'a huge chunk size', text: `${OK}Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFF\r\n`, error: /too large/ },
    { name: 'a chunk size just past 2^53', text: `${OK}Transfer-Encoding: chunked\r\n\r\n20000000000000\r\n`, error: /too large/ },
    { name: 'a chunk size line ended by bare LF',  text: `${OK}Transfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n`, error: /hexadecimal/ },
    { name: 'chunk data longer than its size', text: `${OK}Transfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n`, error: /longer/ },
    { name: 'chunk data not ended by CRLF', text: `${OK}Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r0\r\n\r\n`, error: /CRLF/ },
    { name: 'a CTL in a chunk extension', text: `${OK}Transfer-Encoding: chunked\r\n\r\n3;a\x01\r\nabc\r\n0\r\n\r\n`, error: /extension/ },
    { name: 'a bare LF after chunk extensions', text: `${OK}Transfer-Encoding: chunked\r\n\r\n3;a\nabc\r\n0\r\n\r\n`, error: /extension/ },
    { name: 'bytes after a chunk size and space', text: `${OK}Transfer-Encoding: chunked\r\n\r\n3 x\r\nabc\r\n0\r\n\r\n`, error: /after a chunk size/ },
    { name: 'obs-fold in a trailer', text: `${OK}Transfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\r\n 2\r\n\r\n`, error: /folding/ },
    { name: 'the final CRLF missing, then EOF', text: `${OK}Transfer-Encoding: chunked\r\n\r\n0\r\n`, eof: true, error: /closed before/ },
    { name: 'the last CRLF cut in half, then EOF', text: `${OK}Transfer-Encoding: chunked\r\n\r\n0\r\n\r`, eof: true, error: /closed before/ },
    { name: 'a Content-Length body cut short by EOF', text: `${OK}Content-Length: 5\r\n\r\nabc`, eof: true, error: /closed before/ },
    { name: 'a head cut short by EOF', text: `${OK}Content-Len`, eof: true, error: /closed before/ },
    { name: 'more header fields than the limit', text: `${OK}${big(6)}\r\n`, limits: { maxHeadBytes: 16 * 1024, maxHeaders: 5 }, error: /more than 5 header fields/ },
    { name: 'a head larger than the limit', text: `${OK}${big(40)}\r\n`, limits: { maxHeadBytes: 200, maxHeaders: 1000 }, error: /larger than the limit/ },
    { name: 'a head that never ends, past the limit', text: `${OK}X-A: ${'a'.repeat(300)}`, limits: { maxHeadBytes: 200, maxHeaders: 1000 }, error: /larger than the limit/ },
  ];
  for (const row of rows) {
    test(row.name, () => {
      for (const pieces of everySplit(row.text)) {
        const r = parse(pieces, row);
        assert.match(r.error ?? `no error: ${JSON.stringify(r)}`, row.error, `cut into ${pieces.length} pieces at ${pieces[0]?.length}`);
        assert.equal(r.complete, false);
      }
    });
  }
});

describe('one parser, many responses', () => {
  test('begin() resets it: a keep-alive connection reads response after response', () => {
    const body: string[] = [];
    const parser = new ResponseParser({ onBody: (c) => void body.push(c.toString()) }, LIMITS);
    for (const [i, text] of [`${OK}Content-Length: 1\r\n\r\na`, `${OK}Transfer-Encoding: chunked\r\n\r\n1\r\nb\r\n0\r\n\r\n`, 'HTTP/1.1 204 No Content\r\n\r\n'].entries()) {
      parser.begin(false);
      const b = bytes(text);
      let pos = 0;
      while (pos < b.length && !parser.complete) pos = parser.execute(b, pos);
      assert.equal(parser.complete, true, `response ${i}`);
      assert.equal(pos, b.length);
    }
    assert.deepEqual(body, ['a', 'b']);
  });
});
