// Whether a request's framing can be forwarded so that it means to the member exactly
// what it meant to us. llhttp (node:http) already refuses CL with TE, a Transfer-Encoding
// that does not end in chunked and repeated Content-Length; this check is stricter where
// a member could read the message differently from us, and it decides the one framing
// the proxy forwards: a length, chunked (re-chunked by node), or no body.

/** How a forwarded request body is framed. */
export type Framing =
  | { readonly kind: 'none' }
  | { readonly kind: 'length'; readonly length: number }
  | { readonly kind: 'chunked' };

/** The framing to forward, or why the request is refused (status 400 or 431). */
export type FramingVerdict =
  | { readonly ok: true; readonly framing: Framing }
  | { readonly ok: false; readonly status: 400 | 431; readonly reason: string };

/** Header fields whose meaning is the message's framing or target; never hop-by-hop. */
export const FRAMING_HEADERS: ReadonlySet<string> = new Set(['content-length', 'transfer-encoding', 'host']);

/**
 * The most header fields the proxy forwards: what a node:http member keeps by default
 * (its maxHeadersCount of 2000 raw entries). A member that silently dropped the rest
 * would get a different request, so more are refused with 431, never cut.
 */
export const MAX_FORWARDED_HEADERS = 1000;

/** A Host value: reg-name or IPv4, or an [IP-literal], then an optional `:port` (RFC 9110 §7.2). */
const HOST_VALUE = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]*)(?::[0-9]*)?$/;
const DIGITS = /^[0-9]+$/;
/** Lengths of content-length, transfer-encoding, host and connection. */
const WATCHED_LENGTHS = new Set(['content-length', 'transfer-encoding', 'host', 'connection'].map((n) => n.length));

/** Strips optional whitespace (SP, HTAB) only: String.trim would also strip NBSP and other obs-text. */
const trimOws = (value: string): string => value.replace(/^[ \t]+|[ \t]+$/g, '');

const refuse = (reason: string): FramingVerdict => ({ ok: false, status: 400, reason });

/**
 * Decides the framing of a request from its raw headers ([name, value, …]) and HTTP
 * version (`1.1`, `1.0`). Refuses (400): a Connection header naming a framing header,
 * more than one Host or an invalid one (none on HTTP/1.1), Transfer-Encoding other than exactly `chunked`
 * or on HTTP/1.0, Content-Length with Transfer-Encoding, repeated or non-numeric
 * Content-Length. Refuses (431) more than MAX_FORWARDED_HEADERS fields.
 */
export function requestFraming(raw: readonly string[], httpVersion: string): FramingVerdict {
  if (raw.length / 2 > MAX_FORWARDED_HEADERS) {
    return { ok: false, status: 431, reason: `more than ${MAX_FORWARDED_HEADERS} header fields` };
  }
  // One pass; only names as long as a framing field or Connection are lower-cased.
  let connection = '';
  let length: string | undefined;
  let lengths = 0;
  const codings: string[] = [];
  let hosts = 0;
  let badHost = false;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    if (!WATCHED_LENGTHS.has(name.length)) continue;
    const lower = name.toLowerCase();
    const value = raw[i + 1] as string;
    if (lower === 'content-length') {
      lengths++;
      length = trimOws(value);
    } else if (lower === 'transfer-encoding') codings.push(...value.split(',').map((c) => trimOws(c).toLowerCase()));
    else if (lower === 'host') {
      hosts++;
      if (!HOST_VALUE.test(trimOws(value))) badHost = true;
    } else if (lower === 'connection') connection = connection === '' ? value : `${connection},${value}`;
  }
  if (connection !== '') {
    for (const token of connection.split(',')) {
      const t = token.trim().toLowerCase();
      if (FRAMING_HEADERS.has(t)) return refuse(`Connection names ${t}, which cannot be hop-by-hop`);
    }
  }
  if (badHost) return refuse('Host is not a valid host[:port]');
  if (hosts > 1) return refuse('more than one Host header');
  // node:http refuses this on the request path only; an upgrade must not slip through.
  if (hosts === 0 && httpVersion === '1.1') return refuse('no Host header on HTTP/1.1');
  if (codings.length > 0) {
    if (lengths > 0) return refuse('both Content-Length and Transfer-Encoding');
    if (httpVersion !== '1.1') return refuse(`Transfer-Encoding on HTTP/${httpVersion}`);
    if (codings.length !== 1 || codings[0] !== 'chunked') return refuse('Transfer-Encoding other than exactly "chunked"');
    return { ok: true, framing: { kind: 'chunked' } };
  }
  if (lengths > 1) return refuse('more than one Content-Length');
  if (length === undefined) return { ok: true, framing: { kind: 'none' } };
  const n = Number(length);
  if (!DIGITS.test(length) || !Number.isSafeInteger(n)) return refuse('Content-Length is not a decimal number');
  return { ok: true, framing: { kind: 'length', length: n } };
}

/** Methods for which node's client sends `Transfer-Encoding: chunked` when given no length. */
const CHUNKED_BY_DEFAULT_EXEMPT: ReadonlySet<string> = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);

/**
 * The framing header fields to send upstream for `framing`, as a raw list. A request
 * without a body gets `Content-Length: 0` where node's client would otherwise frame
 * it as an (empty) chunked body, so a body-less request stays body-less.
 */
export function framingHeaders(framing: Framing, method: string): string[] {
  if (framing.kind === 'chunked') return ['Transfer-Encoding', 'chunked'];
  if (framing.kind === 'length') return ['Content-Length', String(framing.length)];
  return CHUNKED_BY_DEFAULT_EXEMPT.has(method.toUpperCase()) ? [] : ['Content-Length', '0'];
}
