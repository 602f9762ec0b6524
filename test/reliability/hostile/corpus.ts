// The hostile corpus, as data: one row per input, [class, name, exact bytes]. Bytes are
// written as latin1 strings so CR, LF, NUL and high bytes are explicit; `<<|>>` marks
// where a row is cut into separate writes (and is not sent). The few inputs too big to
// write out are built by the helpers at the bottom. Longer than our usual files because
// it is one table of data, a row per input; split up it would only be harder to scan.
import type { HostileCase } from './harness.js';
import type { RecordingUpstreamOptions } from './recording-upstream.js';

const H = 'Host: h\r\n';
/** A request that is (as a whole) the body of another: what a smuggler hopes is read as a second request. */
const SMUGGLED = 'POST /_crash HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n';
const SMUGGLED_GET = 'GET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n';

const rows: readonly (readonly [string, string, string])[] = [
  // Baselines: well-formed requests that must pass through unchanged.
  ['baseline', 'get', `GET /a?x=1 HTTP/1.1\r\n${H}\r\n`],
  ['baseline', 'post-content-length', `POST /a HTTP/1.1\r\n${H}Content-Length: 5\r\n\r\nhello`],
  ['baseline', 'post-chunked', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`],
  ['baseline', 'head', `HEAD /a HTTP/1.1\r\n${H}\r\n`],
  ['baseline', 'content-length-zero', `POST /a HTTP/1.1\r\n${H}Content-Length: 0\r\n\r\n`],
  ['baseline', 'body-holding-a-request', `POST /a HTTP/1.1\r\n${H}Content-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`],

  // Transfer-Encoding spellings and CL/TE conflicts.
  ['cl-te', 'te-chunked-identity', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked, identity\r\n\r\n5\r\nhello\r\n0\r\n\r\n`],
  ['cl-te', 'te-identity-chunked', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: identity, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`],
  ['cl-te', 'te-leading-spaces', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding:   chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`],
  ['cl-te', 'te-space-value', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked \r\n\r\n5\r\nhello\r\n0\r\n\r\n`],
  ['cl-te', 'te-tab', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding:\tchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`],
  ['cl-te', 'te-upper', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: CHUNKED\r\n\r\n5\r\nhello\r\n0\r\n\r\n`],
  ['cl-te', 'te-xchunked', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: xchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`],
  ['cl-te', 'te-chunkedx', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunkedx\r\n\r\n5\r\nhello\r\n0\r\n\r\n`],
  ['cl-te', 'te-quoted', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: "chunked"\r\n\r\n5\r\nhello\r\n0\r\n\r\n`],
  ['cl-te', 'te-twice-chunked', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`],
  ['cl-te', 'te-identity-then-chunked', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: identity\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`],
  ['cl-te', 'te-chunked-then-identity', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n5\r\nhello\r\n0\r\n\r\n`],
  ['cl-te', 'te-gzip-chunked', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`],
  ['cl-te', 'te-chunked-gzip', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked, gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n`],
  ['cl-te', 'te-comma-chunked', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: , chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`],
  ['cl-te', 'te-chunked-comma', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked,\r\n\r\n5\r\nhello\r\n0\r\n\r\n`],
  ['cl-te', 'te-empty-with-cl', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: \r\nContent-Length: 5\r\n\r\nhello`],
  ['cl-te', 'te-vertical-tab', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding:\x0bchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`],
  ['cl-te', 'te-space-before-colon', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding : chunked\r\nContent-Length: 5\r\n\r\nhello`],
  ['cl-te', 'te-obs-fold', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding:\r\n chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`],
  ['cl-te', 'te-nul', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\0\r\n\r\n5\r\nhello\r\n0\r\n\r\n`],
  ['cl-te', 'te-then-cl-clte', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n${SMUGGLED_GET}`],
  ['cl-te', 'cl-then-te-clte', `POST /a HTTP/1.1\r\n${H}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED_GET}`],
  ['cl-te', 'te-cl-tecl', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n1\r\nZ\r\n0\r\n\r\n`],
  ['cl-te', 'te-identity-cl', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: identity\r\nContent-Length: 5\r\n\r\nhello`],
  ['cl-te', 'te-in-http10', `POST /a HTTP/1.0\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`],
  ['cl-te', 'te-on-get', `GET /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
  ['cl-te', 'te-chunked-smuggle-after', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`],

  // Content-Length spellings.
  ['content-length', 'cl-leading-spaces', `POST /a HTTP/1.1\r\n${H}Content-Length:    5\r\n\r\nhello`],
  ['content-length', 'cl-plus', `POST /a HTTP/1.1\r\n${H}Content-Length: +5\r\n\r\nhello`],
  ['content-length', 'cl-minus', `POST /a HTTP/1.1\r\n${H}Content-Length: -1\r\n\r\nhello`],
  ['content-length', 'cl-minus-zero', `POST /a HTTP/1.1\r\n${H}Content-Length: -0\r\n\r\n`],
  ['content-length', 'cl-leading-zeros', `POST /a HTTP/1.1\r\n${H}Content-Length: 0005\r\n\r\nhello`],
  ['content-length', 'cl-hex', `POST /a HTTP/1.1\r\n${H}Content-Length: 0x5\r\n\r\nhello`],
  ['content-length', 'cl-decimal-point', `POST /a HTTP/1.1\r\n${H}Content-Length: 5.0\r\n\r\nhello`],
  ['content-length', 'cl-overflow', `POST /a HTTP/1.1\r\n${H}Content-Length: 99999999999999999999999\r\n\r\nhello`],
  ['content-length', 'cl-2-pow-64', `POST /a HTTP/1.1\r\n${H}Content-Length: 18446744073709551621\r\n\r\nhello`],
  ['content-length', 'cl-past-safe-integer', `POST /a HTTP/1.1\r\n${H}Content-Length: 9007199254740993\r\n\r\nhello`],
  ['content-length', 'cl-dup-equal', `POST /a HTTP/1.1\r\n${H}Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello`],
  ['content-length', 'cl-dup-different', `POST /a HTTP/1.1\r\n${H}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!`],
  ['content-length', 'cl-list-equal', `POST /a HTTP/1.1\r\n${H}Content-Length: 5, 5\r\n\r\nhello`],
  ['content-length', 'cl-list-different', `POST /a HTTP/1.1\r\n${H}Content-Length: 5, 6\r\n\r\nhello!`],
  ['content-length', 'cl-space-inside', `POST /a HTTP/1.1\r\n${H}Content-Length: 5 5\r\n\r\nhello`],
  ['content-length', 'cl-trailing-garbage', `POST /a HTTP/1.1\r\n${H}Content-Length: 5x\r\n\r\nhello`],
  ['content-length', 'cl-empty', `POST /a HTTP/1.1\r\n${H}Content-Length: \r\n\r\nhello`],
  ['content-length', 'cl-fullwidth-digit', `POST /a HTTP/1.1\r\n${H}Content-Length: \xef\xbc\x95\r\n\r\nhello`],
  ['content-length', 'cl-mixed-case-name', `POST /a HTTP/1.1\r\n${H}cOnTeNt-LeNgTh: 5\r\n\r\nhello`],
  ['content-length', 'cl-tab', `POST /a HTTP/1.1\r\n${H}Content-Length:\t5\t\r\n\r\nhello`],
  ['content-length', 'cl-body-short', `POST /a HTTP/1.1\r\n${H}Content-Length: 10\r\n\r\nhello`],
  ['content-length', 'cl-body-long', `POST /a HTTP/1.1\r\n${H}Content-Length: 2\r\n\r\nhello`],
  ['content-length', 'cl-body-long-is-request', `POST /a HTTP/1.1\r\n${H}Content-Length: 2\r\n\r\nok${SMUGGLED_GET}`],
  ['content-length', 'cl-on-get-smuggled-body', `GET /a HTTP/1.1\r\n${H}Content-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`],
  ['content-length', 'cl-name-space-before-colon', `POST /a HTTP/1.1\r\n${H}Content-Length : 5\r\n\r\nhello`],
  ['content-length', 'cl-obs-fold', `POST /a HTTP/1.1\r\n${H}Content-Length:\r\n 5\r\n\r\nhello`],

  // Connection naming headers that matter: framing, routing and forwarding headers.
  ['connection-listing', 'conn-content-length-smuggle', `GET /api/v1/whoami HTTP/1.1\r\n${H}Connection: Content-Length\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`],
  ['connection-listing', 'conn-keepalive-content-length', `GET /api/v1/whoami HTTP/1.1\r\n${H}Connection: keep-alive, Content-Length\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`],
  ['connection-listing', 'conn-content-length-upper', `POST /a HTTP/1.1\r\n${H}Connection: CONTENT-LENGTH\r\nContent-Length: 5\r\n\r\nhello`],
  ['connection-listing', 'conn-content-length-second-header', `POST /a HTTP/1.1\r\n${H}Connection: keep-alive\r\nConnection: content-length\r\nContent-Length: 5\r\n\r\nhello`],
  ['connection-listing', 'conn-content-length-padded-list', `POST /a HTTP/1.1\r\n${H}Connection: , , content-length ,\r\nContent-Length: 5\r\n\r\nhello`],
  ['connection-listing', 'conn-transfer-encoding', `POST /a HTTP/1.1\r\n${H}Connection: Transfer-Encoding\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`],
  ['connection-listing', 'conn-transfer-encoding-smuggle', `POST /a HTTP/1.1\r\n${H}Connection: Transfer-Encoding\r\nTransfer-Encoding: chunked\r\n\r\n${(SMUGGLED.length).toString(16)}\r\n${SMUGGLED}\r\n0\r\n\r\n`],
  ['connection-listing', 'conn-host', `GET /a HTTP/1.1\r\n${H}Connection: Host\r\n\r\n`],
  ['connection-listing', 'conn-host-http10', `GET /a HTTP/1.0\r\n${H}Connection: Host, keep-alive\r\n\r\n`],
  ['connection-listing', 'conn-x-forwarded-for', `GET /a HTTP/1.1\r\n${H}Connection: X-Forwarded-For\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n`],
  ['connection-listing', 'conn-x-forwarded-host', `GET /a HTTP/1.1\r\n${H}Connection: X-Forwarded-Host, X-Forwarded-Proto\r\nX-Forwarded-Host: evil\r\nX-Forwarded-Proto: https\r\n\r\n`],
  ['connection-listing', 'conn-upgrade-no-upgrade-header', `GET /a HTTP/1.1\r\n${H}Connection: Upgrade\r\n\r\n`],
  ['connection-listing', 'conn-close', `GET /a HTTP/1.1\r\n${H}Connection: close\r\n\r\n`],
  ['connection-listing', 'conn-te', `GET /a HTTP/1.1\r\n${H}Connection: TE\r\nTE: trailers\r\n\r\n`],
  ['connection-listing', 'conn-trailer', `POST /a HTTP/1.1\r\n${H}Connection: Trailer\r\nTrailer: X-T\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\r\n\r\n`],
  ['connection-listing', 'conn-expect', `POST /a HTTP/1.1\r\n${H}Connection: Expect\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello`],
  ['connection-listing', 'conn-content-type', `POST /a HTTP/1.1\r\n${H}Connection: Content-Type\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello`],
  ['connection-listing', 'conn-authorization', `GET /a HTTP/1.1\r\n${H}Connection: Authorization\r\nAuthorization: Bearer t\r\n\r\n`],
  ['connection-listing', 'conn-cookie', `GET /a HTTP/1.1\r\n${H}Connection: Cookie\r\nCookie: a=1\r\n\r\n`],
  ['connection-listing', 'conn-content-encoding', `POST /a HTTP/1.1\r\n${H}Connection: Content-Encoding\r\nContent-Encoding: gzip\r\nContent-Length: 5\r\n\r\nhello`],
  ['connection-listing', 'conn-keep-alive-header', `GET /a HTTP/1.1\r\n${H}Connection: Keep-Alive\r\nKeep-Alive: timeout=5\r\n\r\n`],
  ['connection-listing', 'conn-proxy-authorization', `GET /a HTTP/1.1\r\n${H}Connection: Proxy-Authorization\r\nProxy-Authorization: Basic eDp5\r\n\r\n`],
  ['connection-listing', 'conn-connection', `GET /a HTTP/1.1\r\n${H}Connection: Connection\r\n\r\n`],
  ['connection-listing', 'conn-all-framing', `POST /a HTTP/1.1\r\n${H}Connection: content-length, transfer-encoding, host, upgrade\r\nContent-Length: 5\r\n\r\nhello`],

  // Duplicate and oversized headers.
  ['headers', 'hdr-999', many('GET', 999, '')],
  ['headers', 'hdr-1000', many('GET', 1000, '')],
  ['headers', 'hdr-1001-get', many('GET', 1001, '')],
  ['headers', 'hdr-1001-post-cl-last', many('POST', 1001, 'hello')],
  ['headers', 'hdr-1500-post-cl-last', many('POST', 1500, 'hello')],
  ['headers', 'hdr-2001-get', many('GET', 2001, '')],
  ['headers', 'hdr-2001-post-cl-last', many('POST', 2001, 'hello')],
  ['headers', 'hdr-value-100kb', `GET /a HTTP/1.1\r\n${H}X-Big: ${'a'.repeat(100 * 1024)}\r\n\r\n`],
  ['headers', 'hdr-name-100kb', `GET /a HTTP/1.1\r\n${H}X${'b'.repeat(100 * 1024)}: 1\r\n\r\n`],
  ['headers', 'hdr-just-under-16k', `GET /a HTTP/1.1\r\n${H}X-Big: ${'a'.repeat(15_900)}\r\n\r\n`],
  ['headers', 'hdr-just-over-16k', `GET /a HTTP/1.1\r\n${H}X-Big: ${'a'.repeat(16_400)}\r\n\r\n`],
  ['headers', 'hdr-dup-same', `GET /a HTTP/1.1\r\n${H}X-A: 1\r\nX-A: 1\r\n\r\n`],
  ['headers', 'hdr-dup-different', `GET /a HTTP/1.1\r\n${H}X-A: 1\r\nX-A: 2\r\nSet-Cookie: a\r\nSet-Cookie: b\r\n\r\n`],
  ['headers', 'hdr-empty-name', `GET /a HTTP/1.1\r\n${H}: value\r\n\r\n`],
  ['headers', 'hdr-no-colon', `GET /a HTTP/1.1\r\n${H}NoColon\r\n\r\n`],
  ['headers', 'hdr-space-in-name', `GET /a HTTP/1.1\r\n${H}X A: b\r\n\r\n`],
  ['headers', 'hdr-trailing-space-value', `GET /a HTTP/1.1\r\n${H}X-A: b   \r\n\r\n`],
  ['headers', 'hdr-empty-value', `GET /a HTTP/1.1\r\n${H}X-A:\r\n\r\n`],
  ['headers', 'hdr-latin1-value', `GET /a HTTP/1.1\r\n${H}X-A: caf\xe9\r\n\r\n`],
  ['headers', 'hdr-utf8-value', `GET /a HTTP/1.1\r\n${H}X-A: caf\xc3\xa9\r\n\r\n`],
  ['headers', 'hdr-del-value', `GET /a HTTP/1.1\r\n${H}X-A: a\x7fb\r\n\r\n`],
  ['headers', 'hdr-ctl-value', `GET /a HTTP/1.1\r\n${H}X-A: a\x01b\r\n\r\n`],
  ['headers', 'hdr-utf8-name', `GET /a HTTP/1.1\r\n${H}X-\xc3\xa9: 1\r\n\r\n`],
  ['headers', 'hdr-colon-in-name', `GET /a HTTP/1.1\r\n${H}X:A: b\r\n\r\n`],

  // Chunked bodies: sizes, extensions, data, trailers.
  ['chunked', 'chunk-ext', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5;foo=bar\r\nhello\r\n0\r\n\r\n`],
  ['chunked', 'chunk-ext-quoted', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5;foo="b a r"\r\nhello\r\n0\r\n\r\n`],
  ['chunked', 'chunk-ext-bare', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5;foo\r\nhello\r\n0\r\n\r\n`],
  ['chunked', 'chunk-ext-20kb', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5;x=${'y'.repeat(20_000)}\r\nhello\r\n0\r\n\r\n`],
  ['chunked', 'chunk-ext-bare-lf', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5;x\nhello\r\n0\r\n\r\n`],
  ['chunked', 'chunk-ext-cr-inside', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5;x\ry\r\nhello\r\n0\r\n\r\n`],
  ['chunked', 'chunk-last-with-ext', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0;end=1\r\n\r\n`],
  ['chunked', 'chunk-size-overflow', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nhello\r\n0\r\n\r\n`],
  ['chunked', 'chunk-size-17-hex-digits', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n10000000000000005\r\nhello\r\n0\r\n\r\n`],
  ['chunked', 'chunk-size-leading-zeros', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n0000000000000000000005\r\nhello\r\n0\r\n\r\n`],
  ['chunked', 'chunk-size-leading-space', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n`],
  ['chunked', 'chunk-size-trailing-space', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n`],
  ['chunked', 'chunk-size-plus', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n`],
  ['chunked', 'chunk-size-0x', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n`],
  ['chunked', 'chunk-size-negative', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n`],
  ['chunked', 'chunk-size-upper-hex', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n`],
  ['chunked', 'chunk-size-bare-lf', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n`],
  ['chunked', 'chunk-size-bare-cr', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\rhello\r\n0\r\n\r\n`],
  ['chunked', 'chunk-size-nul', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\0\r\nhello\r\n0\r\n\r\n`],
  ['chunked', 'chunk-data-short', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhel\r\n0\r\n\r\n`],
  ['chunked', 'chunk-data-long', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n`],
  ['chunked', 'chunk-data-no-crlf', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n`],
  ['chunked', 'chunk-data-bare-lf-after', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n`],
  ['chunked', 'chunk-data-nul', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhe\0lo\r\n0\r\n\r\n`],
  ['chunked', 'chunk-data-bare-cr-after', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r0\r\n\r\n`],
  ['chunked', 'chunk-data-crlf', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nh\r\nlo\r\n0\r\n\r\n`],
  ['chunked', 'chunk-data-is-request', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n${SMUGGLED_GET.length.toString(16)}\r\n${SMUGGLED_GET}\r\n0\r\n\r\n`],
  ['chunked', 'chunk-missing-last', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n`],
  ['chunked', 'chunk-last-missing-crlf', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n`],
  ['chunked', 'chunk-many-small', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n${'1\r\nx\r\n'.repeat(500)}0\r\n\r\n`],
  ['trailers', 'trailer-simple', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n`],
  ['trailers', 'trailer-declared', `POST /a HTTP/1.1\r\n${H}Trailer: X-T\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n`],
  ['trailers', 'trailer-content-length', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nContent-Length: 50\r\n\r\n`],
  ['trailers', 'trailer-transfer-encoding', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nTransfer-Encoding: chunked\r\n\r\n`],
  ['trailers', 'trailer-host', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nHost: evil\r\n\r\n`],
  ['trailers', 'trailer-obs-fold', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n folded\r\n\r\n`],
  ['trailers', 'trailer-bare-lf', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: 1\n\r\n`],
  ['trailers', 'trailer-no-colon', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nnocolon\r\n\r\n`],
  ['trailers', 'trailer-20kb', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: ${'t'.repeat(20_000)}\r\n\r\n`],
  ['trailers', 'trailer-is-request', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n0\r\n${SMUGGLED_GET}`],

  // Pipelining: several requests in one write.
  ['pipelining', 'pipe-2-get', `GET /p1 HTTP/1.1\r\n${H}\r\nGET /p2 HTTP/1.1\r\n${H}\r\n`],
  ['pipelining', 'pipe-3-get', `GET /p1 HTTP/1.1\r\n${H}\r\nGET /p2 HTTP/1.1\r\n${H}\r\nGET /p3 HTTP/1.1\r\n${H}\r\n`],
  ['pipelining', 'pipe-get-post-cl', `GET /p1 HTTP/1.1\r\n${H}\r\nPOST /p2 HTTP/1.1\r\n${H}Content-Length: 5\r\n\r\nhello`],
  ['pipelining', 'pipe-post-chunked-get', `POST /p1 HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /p2 HTTP/1.1\r\n${H}\r\n`],
  ['pipelining', 'pipe-cl-chunked-cl', `POST /p1 HTTP/1.1\r\n${H}Content-Length: 3\r\n\r\nabcPOST /p2 HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\nPOST /p3 HTTP/1.1\r\n${H}Content-Length: 2\r\n\r\nfg`],
  ['pipelining', 'pipe-get-garbage', `GET /p1 HTTP/1.1\r\n${H}\r\nthis is not http\r\n\r\n`],
  ['pipelining', 'pipe-get-then-bad-cl', `GET /p1 HTTP/1.1\r\n${H}\r\nPOST /p2 HTTP/1.1\r\n${H}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!`],
  ['pipelining', 'pipe-close-then-get', `GET /p1 HTTP/1.1\r\n${H}Connection: close\r\n\r\nGET /p2 HTTP/1.1\r\n${H}\r\n`],
  ['pipelining', 'pipe-http10-then-get', `GET /p1 HTTP/1.0\r\n\r\nGET /p2 HTTP/1.1\r\n${H}\r\n`],
  ['pipelining', 'pipe-head-get', `HEAD /p1 HTTP/1.1\r\n${H}\r\nGET /p2 HTTP/1.1\r\n${H}\r\n`],
  ['pipelining', 'pipe-get-then-connect', `GET /p1 HTTP/1.1\r\n${H}\r\nCONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n`],
  ['pipelining', 'pipe-get-then-bad-te', `GET /p1 HTTP/1.1\r\n${H}\r\nGET /p2 HTTP/1.1\r\n${H}Transfer-Encoding: gzip\r\n\r\n`],
  ['pipelining', 'pipe-post-then-bad-te-body', `POST /p1 HTTP/1.1\r\n${H}Content-Length: 3\r\n\r\nabcPOST /p2 HTTP/1.1\r\n${H}Transfer-Encoding: hunked\r\n\r\n2\r\nde\r\n0\r\n\r\n`],
  ['pipelining', 'pipe-get-then-upgrade', `GET /p1 HTTP/1.1\r\n${H}\r\nGET /ws HTTP/1.1\r\n${H}Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n`],
  ['pipelining', 'pipe-get-then-upgrade-with-body', `GET /p1 HTTP/1.1\r\n${H}\r\nPOST /ws HTTP/1.1\r\n${H}Connection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 5\r\n\r\nhello`],
  ['pipelining', 'pipe-post-then-upgrade-no-host', `POST /p1 HTTP/1.1\r\n${H}Content-Length: 3\r\n\r\nabcGET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`],
  ['pipelining', 'pipe-get-then-partial', `GET /p1 HTTP/1.1\r\n${H}\r\nGET /p2 HTTP/1.1\r\nHo`],
  ['pipelining', 'pipe-conn-cl-then-get', `GET /p1 HTTP/1.1\r\n${H}Connection: Content-Length\r\nContent-Length: 3\r\n\r\nabcGET /p2 HTTP/1.1\r\n${H}\r\n`],

  // Methods.
  ['method', 'method-lower', `get /a HTTP/1.1\r\n${H}\r\n`],
  ['method', 'method-unknown', `FOO /a HTTP/1.1\r\n${H}\r\n`],
  ['method', 'method-long', `${'X'.repeat(200)} /a HTTP/1.1\r\n${H}\r\n`],
  ['method', 'method-empty', ` /a HTTP/1.1\r\n${H}\r\n`],
  ['method', 'method-nul', `GE\0T /a HTTP/1.1\r\n${H}\r\n`],
  ['method', 'method-cr', `GE\rT /a HTTP/1.1\r\n${H}\r\n`],
  ['method', 'method-lf', `GE\nT /a HTTP/1.1\r\n${H}\r\n`],
  ['method', 'method-utf8', `G\xc3\x89T /a HTTP/1.1\r\n${H}\r\n`],
  ['method', 'method-tab-separator', `GET\t/a HTTP/1.1\r\n${H}\r\n`],
  ['method', 'method-double-space', `GET  /a HTTP/1.1\r\n${H}\r\n`],
  ['method', 'method-h2-preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
  ['method', 'method-trace', `TRACE /a HTTP/1.1\r\n${H}\r\n`],
  ['method', 'method-purge', `PURGE /a HTTP/1.1\r\n${H}\r\n`],
  ['method', 'method-propfind', `PROPFIND /a HTTP/1.1\r\n${H}Content-Length: 0\r\n\r\n`],
  ['method', 'method-delete-body', `DELETE /a HTTP/1.1\r\n${H}Content-Length: 5\r\n\r\nhello`],
  ['method', 'method-options', `OPTIONS /a HTTP/1.1\r\n${H}\r\n`],

  // Request targets.
  ['target', 'absolute-form', `GET http://h/a HTTP/1.1\r\n${H}\r\n`],
  ['target', 'absolute-form-other-host', `GET http://evil.test/a HTTP/1.1\r\n${H}\r\n`],
  ['target', 'absolute-form-userinfo', `GET http://u:p@h/a HTTP/1.1\r\n${H}\r\n`],
  ['target', 'absolute-form-https', `GET https://h/a HTTP/1.1\r\n${H}\r\n`],
  ['target', 'asterisk-options', `OPTIONS * HTTP/1.1\r\n${H}\r\n`],
  ['target', 'asterisk-get', `GET * HTTP/1.1\r\n${H}\r\n`],
  ['target', 'authority-form-get', `GET h:80 HTTP/1.1\r\n${H}\r\n`],
  ['target', 'target-empty', `GET  HTTP/1.1\r\n${H}\r\n`],
  ['target', 'target-no-slash', `GET a HTTP/1.1\r\n${H}\r\n`],
  ['target', 'target-fragment', `GET /a#frag HTTP/1.1\r\n${H}\r\n`],
  ['target', 'target-dot-segments', `GET /../../etc/passwd HTTP/1.1\r\n${H}\r\n`],
  ['target', 'target-percent-nul', `GET /a%00b HTTP/1.1\r\n${H}\r\n`],
  ['target', 'target-space', `GET /a b HTTP/1.1\r\n${H}\r\n`],
  ['target', 'target-nul', `GET /a\0b HTTP/1.1\r\n${H}\r\n`],
  ['target', 'target-cr', `GET /a\rb HTTP/1.1\r\n${H}\r\n`],
  ['target', 'target-lf', `GET /a\nb HTTP/1.1\r\n${H}\r\n`],
  ['target', 'target-utf8', `GET /caf\xc3\xa9 HTTP/1.1\r\n${H}\r\n`],
  ['target', 'target-del', `GET /a\x7f HTTP/1.1\r\n${H}\r\n`],
  ['target', 'target-tab', `GET /a\tb HTTP/1.1\r\n${H}\r\n`],
  ['target', 'target-20kb', `GET /${'a'.repeat(20_000)} HTTP/1.1\r\n${H}\r\n`],

  // Versions.
  ['version', 'http10-no-host', 'GET /a HTTP/1.0\r\n\r\n'],
  ['version', 'http10-host', `GET /a HTTP/1.0\r\n${H}\r\n`],
  ['version', 'http10-keep-alive', `GET /a HTTP/1.0\r\n${H}Connection: keep-alive\r\n\r\n`],
  ['version', 'http10-post-cl', `POST /a HTTP/1.0\r\nContent-Length: 5\r\n\r\nhello`],
  ['version', 'http09', 'GET /a\r\n'],
  ['version', 'http09-blank', 'GET /a\r\n\r\n'],
  ['version', 'http20', `GET /a HTTP/2.0\r\n${H}\r\n`],
  ['version', 'http12', `GET /a HTTP/1.2\r\n${H}\r\n`],
  ['version', 'http-lower', `GET /a http/1.1\r\n${H}\r\n`],
  ['version', 'version-extra-token', `GET /a HTTP/1.1 x\r\n${H}\r\n`],
  ['version', 'version-nul', `GET /a HTTP/1.\0\r\n${H}\r\n`],
  ['version', 'version-cr', `GET /a HTTP/1.1\r\r\n${H}\r\n`],
  ['version', 'version-lf', `GET /a HTTP/1\n.1\r\n${H}\r\n`],
  ['version', 'version-no-minor', `GET /a HTTP/1\r\n${H}\r\n`],
  ['version', 'version-multi-digit', `GET /a HTTP/11.1\r\n${H}\r\n`],
  ['version', 'version-trailing-space', `GET /a HTTP/1.1 \r\n${H}\r\n`],

  // Host.
  ['host', 'host-missing', 'GET /a HTTP/1.1\r\n\r\n'],
  ['host', 'host-two-different', 'GET /a HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'],
  ['host', 'host-two-same', 'GET /a HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n'],
  ['host', 'host-list', 'GET /a HTTP/1.1\r\nHost: a, b\r\n\r\n'],
  ['host', 'host-empty', 'GET /a HTTP/1.1\r\nHost:\r\n\r\n'],
  ['host', 'host-userinfo', 'GET /a HTTP/1.1\r\nHost: user@h\r\n\r\n'],
  ['host', 'host-localhost-at-evil', 'GET /a HTTP/1.1\r\nHost: localhost:80@evil.test\r\n\r\n'],
  ['host', 'host-with-path', 'GET /a HTTP/1.1\r\nHost: h/x\r\n\r\n'],
  ['host', 'host-space', 'GET /a HTTP/1.1\r\nHost: h h\r\n\r\n'],
  ['host', 'host-bad-port', 'GET /a HTTP/1.1\r\nHost: h:abc\r\n\r\n'],
  ['host', 'host-leading-colon', 'GET /a HTTP/1.1\r\nHost: :h\r\n\r\n'],
  ['host', 'host-two-ports', 'GET /a HTTP/1.1\r\nHost: h:80:90\r\n\r\n'],
  ['host', 'host-nbsp', 'GET /a HTTP/1.1\r\nHost:\xa0h\r\n\r\n'],
  ['host', 'host-ipv6', 'GET /a HTTP/1.1\r\nHost: [::1]:80\r\n\r\n'],
  ['host', 'host-nul', 'GET /a HTTP/1.1\r\nHost: h\0x\r\n\r\n'],
  ['host', 'host-10kb', `GET /a HTTP/1.1\r\nHost: ${'h'.repeat(10_000)}\r\n\r\n`],
  ['host', 'host-http10-two', 'GET /a HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n'],

  // NUL, CR and LF in header names and values; line endings; obs-fold.
  ['control-chars', 'name-nul', `GET /a HTTP/1.1\r\n${H}X\0A: b\r\n\r\n`],
  ['control-chars', 'name-cr', `GET /a HTTP/1.1\r\n${H}X\rA: b\r\n\r\n`],
  ['control-chars', 'name-lf', `GET /a HTTP/1.1\r\n${H}X\nA: b\r\n\r\n`],
  ['control-chars', 'value-nul', `GET /a HTTP/1.1\r\n${H}X-A: a\0b\r\n\r\n`],
  ['control-chars', 'value-cr', `GET /a HTTP/1.1\r\n${H}X-A: a\rX-B: c\r\n\r\n`],
  ['control-chars', 'value-lf-injects-cl', `POST /a HTTP/1.1\r\n${H}X-A: a\nContent-Length: 5\r\n\r\nhello`],
  ['control-chars', 'value-lf-injects-te', `POST /a HTTP/1.1\r\n${H}Content-Length: 5\r\nX-A: a\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
  ['control-chars', 'bare-lf-everywhere', 'GET /a HTTP/1.1\nHost: h\n\n'],
  ['control-chars', 'bare-lf-request-line', `GET /a HTTP/1.1\n${H}\r\n`],
  ['control-chars', 'bare-lf-end-of-head', `GET /a HTTP/1.1\r\n${H}\n`],
  ['control-chars', 'bare-lf-between-headers', `POST /a HTTP/1.1\r\n${H}X-A: 1\nContent-Length: 5\r\n\r\nhello`],
  ['control-chars', 'bare-cr-everywhere', 'GET /a HTTP/1.1\rHost: h\r\r'],
  ['control-chars', 'crlf-before-request', `\r\nGET /a HTTP/1.1\r\n${H}\r\n`],
  ['control-chars', 'many-crlf-before-request', `${'\r\n'.repeat(50)}GET /a HTTP/1.1\r\n${H}\r\n`],
  ['control-chars', 'obs-fold', `GET /a HTTP/1.1\r\n${H}X-A: a\r\n b\r\n\r\n`],
  ['control-chars', 'obs-fold-tab', `GET /a HTTP/1.1\r\n${H}X-A: a\r\n\tb\r\n\r\n`],
  ['control-chars', 'obs-fold-first-line', `GET /a HTTP/1.1\r\n X-A: a\r\n${H}\r\n`],
  ['control-chars', 'space-before-colon', 'GET /a HTTP/1.1\r\nHost : h\r\n\r\n'],
  ['control-chars', 'whitespace-line-in-head', `GET /a HTTP/1.1\r\n${H} \r\n\r\n`],
  ['control-chars', 'nul-first-byte', `\0GET /a HTTP/1.1\r\n${H}\r\n`],

  // Expect.
  ['expect', 'expect-100-with-body', `POST /a HTTP/1.1\r\n${H}Expect: 100-continue\r\nContent-Length: 5\r\n\r\nhello`],
  ['expect', 'expect-100-no-body', `GET /a HTTP/1.1\r\n${H}Expect: 100-continue\r\n\r\n`],
  ['expect', 'expect-100-chunked', `POST /a HTTP/1.1\r\n${H}Expect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`],
  ['expect', 'expect-100-upper', `POST /a HTTP/1.1\r\n${H}Expect: 100-CONTINUE\r\nContent-Length: 5\r\n\r\nhello`],
  ['expect', 'expect-unknown', `POST /a HTTP/1.1\r\n${H}Expect: 200-ok\r\nContent-Length: 5\r\n\r\nhello`],
  ['expect', 'expect-100-http10', `POST /a HTTP/1.0\r\n${H}Expect: 100-continue\r\nContent-Length: 5\r\n\r\nhello`],
  ['expect', 'expect-100-obs-text-value', `POST /a HTTP/1.1\r\n${H}Expect: 100-continue\r\nX-A: caf\xe9\r\nContent-Length: 5\r\n\r\nhello`],
  ['expect', 'expect-100-body-withheld', `POST /a HTTP/1.1\r\n${H}Expect: 100-continue\r\nContent-Length: 5\r\n\r\n`],
  ['expect', 'expect-100-body-is-request', `POST /a HTTP/1.1\r\n${H}Expect: 100-continue\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`],

  // Upgrades.
  ['upgrade', 'websocket', `GET /ws HTTP/1.1\r\n${H}Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`],
  ['upgrade', 'websocket-no-connection', `GET /ws HTTP/1.1\r\n${H}Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`],
  ['upgrade', 'websocket-keep-alive-upgrade', `GET /ws HTTP/1.1\r\n${H}Connection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n`],
  ['upgrade', 'websocket-with-body', `POST /ws HTTP/1.1\r\n${H}Connection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 5\r\n\r\nhello`],
  ['upgrade', 'websocket-then-request', `GET /ws HTTP/1.1\r\n${H}Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n${SMUGGLED_GET}`],
  ['upgrade', 'websocket-connection-lists-cl', `GET /ws HTTP/1.1\r\n${H}Connection: Upgrade, Content-Length\r\nUpgrade: websocket\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`],
  ['upgrade', 'h2c', `GET /a HTTP/1.1\r\n${H}Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n`],
  ['upgrade', 'h2c-post-body', `POST /a HTTP/1.1\r\n${H}Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\nContent-Length: 5\r\n\r\nhello`],
  ['upgrade', 'upgrade-empty', `GET /a HTTP/1.1\r\n${H}Connection: Upgrade\r\nUpgrade:\r\n\r\n`],
  ['upgrade', 'upgrade-twice', `GET /ws HTTP/1.1\r\n${H}Connection: Upgrade\r\nUpgrade: websocket\r\nUpgrade: h2c\r\n\r\n`],
  ['upgrade', 'upgrade-no-host', 'GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n'],
  ['upgrade', 'upgrade-post-no-body', `POST /ws HTTP/1.1\r\n${H}Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n`],
  ['upgrade', 'upgrade-http10', `GET /ws HTTP/1.0\r\n${H}Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n`],

  // The same kinds of input arriving in several writes (a pause at each <<|>>).
  ['split', 'split-expect-body-later', `POST /a HTTP/1.1\r\n${H}Expect: 100-continue\r\nContent-Length: 5\r\n\r\n<<|>>hello`],
  ['split', 'split-smuggle-body-later', `GET /api/v1/whoami HTTP/1.1\r\n${H}Connection: Content-Length\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n<<|>>${SMUGGLED}`],
  ['split', 'split-body-later-is-request', `POST /a HTTP/1.1\r\n${H}Content-Length: ${SMUGGLED.length}\r\n\r\n<<|>>${SMUGGLED}`],
  ['split', 'split-inside-chunk-size', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n1<<|>>0\r\n0123456789abcdef\r\n0\r\n\r\n`],
  ['split', 'split-between-cr-lf', `GET /a HTTP/1.1\r<<|>>\n${H}\r\n`],
  ['split', 'split-bare-lf-later', `GET /a HTTP/1.1\r\n${H}<<|>>\n`],
  ['split', 'split-inside-header-name', `POST /a HTTP/1.1\r\n${H}Content-Len<<|>>gth: 5\r\n\r\nhello`],
  ['split', 'split-body-byte-by-byte', `POST /a HTTP/1.1\r\n${H}Content-Length: 5\r\n\r\nh<<|>>e<<|>>l<<|>>l<<|>>o`],
  ['split', 'split-pipeline', `GET /p1 HTTP/1.1\r\n${H}\r\n<<|>>GET /p2 HTTP/1.1\r\n${H}\r\n`],
  ['split', 'split-last-chunk-later', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n<<|>>0\r\n\r\n${SMUGGLED_GET}`],
  ['split', 'split-te-cl-conflict-later', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n<<|>>Content-Length: 4\r\n\r\n0\r\n\r\n`],
  ['split', 'split-upgrade-then-request', `GET /ws HTTP/1.1\r\n${H}Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n<<|>>GET /x HTTP/1.1\r\n${H}\r\n`],
  ['split', 'split-trailer-later', `POST /a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n<<|>>X-T: 1\r\n\r\n`],

  // CONNECT.
  ['connect', 'connect', 'CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n'],
  ['connect', 'connect-with-data', 'CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n\x16\x03\x01\x00\x05hello'],
  ['connect', 'connect-path', `CONNECT /a HTTP/1.1\r\n${H}\r\n`],
  ['connect', 'connect-http10', 'CONNECT h:443 HTTP/1.0\r\n\r\n'],
  ['connect', 'connect-no-host', 'CONNECT h:443 HTTP/1.1\r\n\r\n'],
  ['connect', 'connect-with-body', 'CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\nContent-Length: 5\r\n\r\nhello'],
];

/**
 * `count` headers in all: Host, tiny ones (`0<base36>:` with an empty value, so 2,000 of
 * them stay under node's 16 KB head limit), and for a body a Content-Length last, so a
 * list cut short loses it.
 */
function many(method: string, count: number, body: string): string {
  let head = `${method} /many HTTP/1.1\r\n${H}`;
  const extra = body === '' ? count - 1 : count - 2;
  for (let i = 0; i < extra; i++) head += `0${i.toString(36)}:\r\n`;
  if (body !== '') head += `Content-Length: ${body.length}\r\n`;
  return `${head}\r\n${body}`;
}

/** Where a row is cut into separate writes. */
const SPLIT = '<<|>>';

/** A row as a case: the split marks become offsets. */
function toCase(cls: string, name: string, text: string): HostileCase {
  const parts = text.split(SPLIT);
  if (parts.length === 1) return { class: cls, name, bytes: Buffer.from(text, 'latin1') };
  const splits: number[] = [];
  let at = 0;
  for (const part of parts.slice(0, -1)) splits.push((at += part.length));
  return { class: cls, name, bytes: Buffer.from(parts.join(''), 'latin1'), splits };
}

/** The corpus, in a stable order. */
export const CORPUS: readonly HostileCase[] = rows.map(([cls, name, text]) => toCase(cls, name, text));

/**
 * Well-formed requests to a member that misbehaves: after answering `/_extra` it sends a
 * response nobody asked for, right behind the answer or a moment later while the
 * connection is idle. The proxy can see both, so that response must reach no client.
 * (A stale answer arriving only after the next request went out cannot be told apart
 * from the real one in HTTP/1.1; preventing desync is the corpus's job.)
 */
export const MISBEHAVING_UPSTREAM: readonly { readonly case: HostileCase; readonly extra: NonNullable<RecordingUpstreamOptions['extraResponseAfter']> }[] = (
  [
    ['get', 'GET /_extra HTTP/1.1\r\nHost: h\r\n\r\n'],
    ['post-with-body', 'POST /_extra HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello'],
    ['http10', 'GET /_extra HTTP/1.0\r\nHost: h\r\n\r\n'],
    ['connection-close', 'GET /_extra HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n'],
    ['two-pipelined', 'GET /_extra HTTP/1.1\r\nHost: h\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\n\r\n'],
  ] as const
).flatMap(([name, text]) =>
  (['appended', 'idle'] as const).map((mode) => ({
    case: { class: 'misbehaving-upstream', name: `${name}-extra-${mode}`, bytes: Buffer.from(text, 'latin1') },
    extra: { target: '/_extra', mode },
  })),
);
