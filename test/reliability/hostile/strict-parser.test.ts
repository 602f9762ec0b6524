import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStrict } from './strict-parser.js';

const H = 'Host: h\r\n';
/** [name, bytes, expected: requests as "METHOD target framing body complete", or an error pattern] */
const rows: readonly { name: string; bytes: string; requests?: string[]; pendingHead?: number; error?: RegExp }[] = [
  { name: 'one GET', bytes: `GET /a HTTP/1.1\r\n${H}\r\n`, requests: ['GET /a none "" complete'] },
  { name: 'two GETs', bytes: `GET /a HTTP/1.1\r\n${H}\r\nGET /b HTTP/1.1\r\n${H}\r\n`, requests: ['GET /a none "" complete', 'GET /b none "" complete'] },
  { name: 'length body', bytes: `POST /a HTTP/1.1\r\n${H}Content-Length: 5\r\n\r\nhello`, requests: ['POST /a length:5 "hello" complete'] },
  { name: 'length body short', bytes: `POST /a HTTP/1.1\r\n${H}Content-Length: 5\r\n\r\nhel`, requests: ['POST /a length:5 "hel" partial'] },
  { name: 'chunked with extension and trailer', bytes: `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nX-T: 1\r\n\r\n`, requests: ['POST /a chunked "hello" complete'] },
  { name: 'chunked unfinished', bytes: `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhel`, requests: ['POST /a chunked "hel" partial'] },
  { name: 'head not finished', bytes: `GET /a HTTP/1.1\r\nHo`, requests: [], pendingHead: 19 },
  { name: 'HTTP/1.0 without Host', bytes: 'GET /a HTTP/1.0\r\n\r\n', requests: ['GET /a none "" complete'] },
  { name: 'CL with TE', bytes: `POST /a HTTP/1.1\r\n${H}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n`, error: /Transfer-Encoding together with Content-Length/ },
  { name: 'two CL', bytes: `POST /a HTTP/1.1\r\n${H}Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello`, error: /2 Content-Length/ },
  { name: 'CL sign', bytes: `POST /a HTTP/1.1\r\n${H}Content-Length: +5\r\n\r\nhello`, error: /invalid Content-Length/ },
  { name: 'TE not chunked', bytes: `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: gzip, chunked\r\n\r\n`, error: /other than one "chunked"/ },
  { name: 'two Hosts', bytes: 'GET /a HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', error: /2 Host/ },
  { name: 'Host with userinfo', bytes: 'GET /a HTTP/1.1\r\nHost: u@h\r\n\r\n', error: /invalid Host/ },
  { name: 'Host with a non-numeric port', bytes: 'GET /a HTTP/1.1\r\nHost: h:abc\r\n\r\n', error: /invalid Host/ },
  { name: 'no Host on 1.1', bytes: 'GET /a HTTP/1.1\r\n\r\n', error: /without Host/ },
  { name: 'bare LF', bytes: `GET /a HTTP/1.1\n${H}\r\n`, error: /bare CR, LF or NUL/ },
  { name: 'obs-fold', bytes: `GET /a HTTP/1.1\r\n${H}X: a\r\n b\r\n\r\n`, error: /obs-fold/ },
  { name: 'NUL in value', bytes: `GET /a HTTP/1.1\r\n${H}X: a\0b\r\n\r\n`, error: /bare CR, LF or NUL/ },
  { name: 'garbage', bytes: 'hello world\r\n\r\n', error: /invalid request line/ },
  { name: 'chunk data without CRLF', bytes: `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhelloX0\r\n\r\n`, error: /not followed by CRLF/ },
  { name: 'CL in trailers', bytes: `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n0\r\nContent-Length: 5\r\n\r\n`, error: /framing header content-length in trailers/ },
  { name: 'bad second request after a good one', bytes: `GET /a HTTP/1.1\r\n${H}\r\nGET /b HTTP/1.1\r\n\r\n`, requests: ['GET /a none "" complete'], error: /without Host/ },
];

describe('parseStrict', () => {
  for (const row of rows) {
    test(row.name, () => {
      const parsed = parseStrict(Buffer.from(row.bytes, 'latin1'));
      const seen = parsed.requests.map(
        (r) => `${r.method} ${r.target} ${r.framing.kind === 'length' ? `length:${r.framing.length}` : r.framing.kind} ${JSON.stringify(r.body.toString('latin1'))} ${r.complete ? 'complete' : 'partial'}`,
      );
      if (row.requests !== undefined) assert.deepEqual(seen, row.requests);
      if (row.error === undefined) assert.equal(parsed.error, undefined);
      else assert.match(parsed.error ?? '(no error)', row.error);
      if (row.pendingHead !== undefined) assert.equal(parsed.pendingHead, row.pendingHead);
    });
  }
});
