// The head of an upstream response, read strictly from its decoded lines (the parser,
// response-parser.ts, finds where a head or trailer section ends and hands it over
// whole): the status line, every field checked (a token name right before the colon, no
// obs-fold, no control byte, CR only in CRLF), hop-by-hop fields left out as they are
// read — the headers are copied once — and then the one framing the body has.
import { HOP_BY_HOP_HEADERS } from '../headers.js';

/** How the body of a response is delimited. */
export type BodyKind = 'none' | 'length' | 'chunked' | 'close';

/** A final (non-1xx) response head, ready to forward. */
export interface ResponseHead {
  readonly status: number;
  readonly reason: string;
  /** Raw [name, value, …] without hop-by-hop fields and those Connection names. */
  readonly headers: string[];
  readonly body: BodyKind;
  /** The body's length (`length` bodies). */
  readonly length: number;
  /** False when the connection cannot carry another response (close-delimited, HTTP/1.0, `Connection: close`). */
  readonly keepAlive: boolean;
}

/** Limits a response must stay within (node:http's defaults). */
export interface ParserLimits {
  /** Most bytes in a head (status line and fields), and in a trailer section. */
  readonly maxHeadBytes: number;
  /** Most header fields in a head. */
  readonly maxHeaders: number;
}

/** A head that cannot be forwarded, and why. */
export interface Refusal {
  readonly refused: string;
}


/** tchar (RFC 9110 §5.6.2): the bytes of a field name. */
const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;
const DIGITS = /^[0-9]+$/;
/** A control byte other than HTAB, CR and LF (those two are checked as line ends). */
const CTL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;
const isOws = (c: number): boolean => c === 0x20 || c === 0x09;
/** Names whose length matches a field that must be looked at (hop-by-hop or framing): only those are lower-cased. */
const WATCHED_LENGTHS = new Set([...HOP_BY_HOP_HEADERS, 'content-length'].map((n) => n.length));

/** The fields of one head (or trailer section) as they are read. */
export class HeadFields {
  readonly #limits: ParserLimits;
  #fields = 0;
  #status = 0;
  #reason = '';
  #version11 = true;
  #headers: string[] = [];
  /** Content-Length, Transfer-Encoding and Connection fields seen (the values of the first two, all of the last). */
  #lengthCount = 0;
  #length = '';
  #codingCount = 0;
  #coding = '';
  #connection = '';

  constructor(limits: ParserLimits) {
    this.#limits = limits;
  }

  /** Starts on a new head. */
  reset(): void {
    this.#fields = 0;
    this.#headers = [];
    this.#lengthCount = 0;
    this.#codingCount = 0;
    this.#connection = '';
  }

  /**
   * Reads the lines of one section (each with its CRLF, the empty line left out): a head
   * starts with its status line; trailer fields are checked, not kept. Returns why it
   * is refused, or undefined.
   */
  read(text: string, trailers: boolean): string | undefined {
    if (CTL.test(text)) return 'an invalid byte in the head';
    let pos = 0;
    let first = !trailers;
    while (pos < text.length) {
      // Lines end at LF; the first CR of each must be the one right before it.
      const lf = text.indexOf('\n', pos);
      const eol = lf - 1;
      if (lf === pos || text.charCodeAt(eol) !== 0x0d) return 'a line ended by a bare LF';
      if (text.indexOf('\r', pos) !== eol) return 'a bare CR';
      const refused = first ? this.#statusLine(text, eol) : this.#field(text, pos, eol, trailers);
      if (refused !== undefined) return refused;
      first = false;
      pos = lf + 1;
    }
    return undefined;
  }

  /** After the empty line: 'interim' for a 1xx (dropped, as node:http does), else the head or why it is refused. */
  decide(noBody: boolean): ResponseHead | 'interim' | Refusal {
    const status = this.#status;
    // 101 only answers an upgrade, and upgrades do not come this way (tunnel.ts).
    if (status === 101) return { refused: '101 Switching Protocols to a request that asked for no switch' };
    if (status < 200) return 'interim';
    let body: BodyKind;
    let length = 0;
    if (this.#codingCount > 0) {
      if (this.#lengthCount > 0) return { refused: 'both Content-Length and Transfer-Encoding' };
      if (this.#codingCount !== 1 || this.#coding.toLowerCase() !== 'chunked') return { refused: `Transfer-Encoding "${this.#coding}"${this.#codingCount > 1 ? ' and others' : ''}` };
      if (!this.#version11) return { refused: 'Transfer-Encoding on HTTP/1.0' };
      body = 'chunked';
    } else if (this.#lengthCount > 1) return { refused: 'more than one Content-Length' };
    else if (this.#lengthCount === 1) {
      if (!DIGITS.test(this.#length) || !Number.isSafeInteger(Number(this.#length))) return { refused: 'a Content-Length that is not a decimal number' };
      body = 'length';
      length = Number(this.#length);
    } else body = 'close';
    if (noBody || status === 204 || status === 304 || (body === 'length' && length === 0)) body = 'none';
    const tokens = connectionTokens(this.#connection);
    const keepAlive = this.#version11 && body !== 'close' && tokens?.has('close') !== true;
    const headers = tokens === undefined ? this.#headers : withoutListed(this.#headers, tokens);
    return { status, reason: this.#reason, headers, body, length, keepAlive };
  }

  #statusLine(text: string, end: number): string | undefined {
    // HTTP/1.x SP 3DIGIT [SP reason]
    if (end < 12 || !text.startsWith('HTTP/1.') || text.charCodeAt(8) !== 0x20) return 'an invalid status line';
    const minor = text.charCodeAt(7);
    if (minor !== 0x31 && minor !== 0x30) return 'an HTTP version other than 1.0 or 1.1';
    let status = 0;
    for (let i = 9; i < 12; i++) {
      const d = text.charCodeAt(i) - 0x30;
      if (d < 0 || d > 9) return 'an invalid status code';
      status = status * 10 + d;
    }
    if (status < 100) return 'an invalid status code';
    if (end > 12 && text.charCodeAt(12) !== 0x20) return 'an invalid status line';
    this.#status = status;
    this.#reason = end > 13 ? text.slice(13, end) : '';
    this.#version11 = minor === 0x31;
    return undefined;
  }

  #field(text: string, start: number, end: number, trailer: boolean): string | undefined {
    const first = text.charCodeAt(start);
    if (first === 0x20 || first === 0x09) return 'an obsolete line folding';
    let colon = start;
    while (colon < end && TCHAR[text.charCodeAt(colon)] === 1) colon++;
    if (colon === start || colon === end || text.charCodeAt(colon) !== 0x3a) return 'an invalid header field name';
    if (trailer) return undefined; // checked, not forwarded (as before: node's pipe dropped them)
    if (++this.#fields > this.#limits.maxHeaders) return `more than ${this.#limits.maxHeaders} header fields`;
    let vs = colon + 1;
    while (vs < end && isOws(text.charCodeAt(vs))) vs++;
    let ve = end;
    while (ve > vs && isOws(text.charCodeAt(ve - 1))) ve--;
    const name = text.slice(start, colon);
    const value = text.slice(vs, ve);
    if (WATCHED_LENGTHS.has(name.length)) {
      const lower = name.toLowerCase();
      if (lower === 'content-length') {
        this.#lengthCount++;
        this.#length = value;
      } else if (HOP_BY_HOP_HEADERS.has(lower)) {
        if (lower === 'transfer-encoding') {
          this.#codingCount++;
          this.#coding = value;
        } else if (lower === 'connection') this.#connection = this.#connection === '' ? value : `${this.#connection},${value}`;
        return undefined;
      }
    }
    this.#headers.push(name, value);
    return undefined;
  }
}

/** Strips optional whitespace (SP, HTAB) only. */
const trimOws = (value: string): string => value.replace(/^[ \t]+|[ \t]+$/g, '');

/** The Connection tokens other than keep-alive, lower case; undefined when there are none (the usual case). */
function connectionTokens(value: string): Set<string> | undefined {
  if (value === '' || value === 'keep-alive' || value === 'Keep-Alive') return undefined;
  const tokens = new Set<string>();
  for (const token of value.split(',')) {
    const t = trimOws(token).toLowerCase();
    if (t !== '' && t !== 'keep-alive') tokens.add(t);
  }
  return tokens.size === 0 ? undefined : tokens;
}

/** The fields minus those Connection lists (except Content-Length, which frames the message). */
function withoutListed(headers: readonly string[], tokens: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const lower = (headers[i] as string).toLowerCase();
    if (tokens.has(lower) && lower !== 'content-length') continue;
    out.push(headers[i] as string, headers[i + 1] as string);
  }
  return out;
}
