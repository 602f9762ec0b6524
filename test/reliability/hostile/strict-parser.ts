// A strict HTTP/1.1 request parser for what the recording upstream receives: whatever
// the proxy forwards must be unambiguous under RFC 9112, so anything a lenient server
// could read two ways (two lengths, TE with CL, bare LF, obs-fold, two Hosts…) is an
// error here. Pure: bytes in, messages out.

/** How a forwarded message delimits its body. */
export type Framing = { readonly kind: 'none' } | { readonly kind: 'length'; readonly length: number } | { readonly kind: 'chunked' };

/** One request read from the byte stream (possibly still incomplete). */
export interface StrictRequest {
  readonly method: string;
  readonly target: string;
  readonly version: '1.0' | '1.1';
  /** Header lines in order, names as sent. */
  readonly headers: readonly (readonly [string, string])[];
  readonly framing: Framing;
  /** The body decoded so far. */
  readonly body: Buffer;
  /** Trailer fields of a chunked body, in order. */
  readonly trailers: readonly (readonly [string, string])[];
  /** False while the body is still short of its framing. */
  readonly complete: boolean;
  /** Offsets of the message in the stream. */
  readonly start: number;
  readonly end: number;
}

/** The result of parsing a stream from its first byte. */
export interface StrictParse {
  readonly requests: readonly StrictRequest[];
  /** Bytes after the last request that do not yet form a whole head. */
  readonly pendingHead: number;
  /** Set when the stream is not strict HTTP/1.1; parsing stopped at `errorAt`. */
  readonly error?: string;
  readonly errorAt?: number;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) ([\x21-\x7e]+) HTTP\/1\.([01])$/;
const FIELD_VALUE = /^[\t \x21-\x7e\x80-\xff]*$/;
const HOST_VALUE = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~%!$&'()*+,;=]*)(:[0-9]*)?$/;
const CHUNK_LINE = /^([0-9A-Fa-f]{1,15})((;[\t ]*[!#$%&'*+\-.^_`|~0-9A-Za-z]+([\t ]*=[\t ]*[!#$%&'*+\-.^_`|~0-9A-Za-z]+)?)*)$/;
/** A head larger than this is treated as an error (the proxy must never send one). */
const MAX_HEAD = 1 << 20;

class StrictError extends Error {
  constructor(message: string, readonly at: number) {
    super(message);
  }
}

/** Parses every request in `bytes`, stopping at the first violation of strict HTTP/1.1. */
export function parseStrict(bytes: Buffer): StrictParse {
  const text = bytes.toString('latin1');
  const requests: StrictRequest[] = [];
  let pos = 0;
  try {
    while (pos < text.length) {
      const headEnd = text.indexOf('\r\n\r\n', pos);
      if (headEnd < 0) {
        if (text.length - pos > MAX_HEAD) throw new StrictError('head larger than 1 MiB', pos);
        checkPartialHead(text, pos);
        return { requests, pendingHead: text.length - pos };
      }
      const head = parseHead(text.slice(pos, headEnd), pos);
      const bodyStart = headEnd + 4;
      const body = readBody(bytes, text, bodyStart, head.framing);
      requests.push({ ...head, body: body.body, trailers: body.trailers, complete: body.complete, start: pos, end: body.end });
      if (!body.complete) return { requests, pendingHead: 0 };
      pos = body.end;
    }
    return { requests, pendingHead: 0 };
  } catch (error) {
    if (!(error instanceof StrictError)) throw error;
    return { requests, pendingHead: 0, error: error.message, errorAt: error.at };
  }
}

/** Rejects an unfinished head early when what is there already breaks the rules. */
function checkPartialHead(text: string, pos: number): void {
  const lastBreak = text.lastIndexOf('\r\n');
  if (lastBreak < pos) return;
  const complete = text.slice(pos, lastBreak);
  for (const [i, line] of complete.split('\r\n').entries()) checkLineBytes(line, pos, i);
}

function checkLineBytes(line: string, at: number, index: number): void {
  if (/[\r\n\0]/.test(line)) throw new StrictError(`bare CR, LF or NUL in head line ${index}: ${JSON.stringify(line.slice(0, 80))}`, at);
}

function parseHead(head: string, at: number): Omit<StrictRequest, 'body' | 'trailers' | 'complete' | 'end'> & { start: number } {
  const lines = head.split('\r\n');
  lines.forEach((line, i) => checkLineBytes(line, at, i));
  const match = REQUEST_LINE.exec(lines[0] ?? '');
  if (!match) throw new StrictError(`invalid request line ${JSON.stringify((lines[0] ?? '').slice(0, 120))}`, at);
  const version = match[3] === '1' ? '1.1' : '1.0';
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    if (line.startsWith(' ') || line.startsWith('\t')) throw new StrictError('obs-fold in forwarded head', at);
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    if (colon < 0 || !TOKEN.test(name)) throw new StrictError(`invalid header line ${JSON.stringify(line.slice(0, 80))}`, at);
    const value = line.slice(colon + 1).replace(/^[\t ]+|[\t ]+$/g, '');
    if (!FIELD_VALUE.test(value)) throw new StrictError(`invalid value of ${name}`, at);
    headers.push([name, value]);
  }
  checkHost(headers, version, at);
  return { method: match[1] ?? '', target: match[2] ?? '', version, headers, framing: framingOf(headers, version, at), start: at };
}

function valuesOf(headers: readonly (readonly [string, string])[], name: string): string[] {
  return headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
}

function checkHost(headers: readonly (readonly [string, string])[], version: string, at: number): void {
  const hosts = valuesOf(headers, 'host');
  if (hosts.length > 1) throw new StrictError(`${hosts.length} Host headers`, at);
  if (hosts.length === 0 && version === '1.1') throw new StrictError('HTTP/1.1 request without Host', at);
  const host = hosts[0];
  if (host !== undefined && !HOST_VALUE.test(host)) throw new StrictError(`invalid Host ${JSON.stringify(host)}`, at);
}

function framingOf(headers: readonly (readonly [string, string])[], version: string, at: number): Framing {
  const te = valuesOf(headers, 'transfer-encoding');
  const cl = valuesOf(headers, 'content-length');
  if (te.length > 0) {
    if (cl.length > 0) throw new StrictError('Transfer-Encoding together with Content-Length', at);
    if (version !== '1.1') throw new StrictError('Transfer-Encoding in HTTP/1.0', at);
    if (te.length > 1 || te[0]?.toLowerCase() !== 'chunked') throw new StrictError(`Transfer-Encoding other than one "chunked": ${JSON.stringify(te)}`, at);
    return { kind: 'chunked' };
  }
  if (cl.length > 1) throw new StrictError(`${cl.length} Content-Length headers`, at);
  const [length] = cl;
  if (length === undefined) return { kind: 'none' };
  if (!/^[0-9]+$/.test(length) || !Number.isSafeInteger(Number(length))) throw new StrictError(`invalid Content-Length ${JSON.stringify(length)}`, at);
  return { kind: 'length', length: Number(length) };
}

/** A body read so far. */
interface BodyRead {
  body: Buffer;
  trailers: [string, string][];
  complete: boolean;
  end: number;
}

function readBody(bytes: Buffer, text: string, start: number, framing: Framing): BodyRead {
  if (framing.kind === 'none') return { body: Buffer.alloc(0), trailers: [], complete: true, end: start };
  if (framing.kind === 'length') {
    const end = Math.min(bytes.length, start + framing.length);
    return { body: bytes.subarray(start, end), trailers: [], complete: end - start === framing.length, end };
  }
  const parts: Buffer[] = [];
  let pos = start;
  for (;;) {
    const lineEnd = text.indexOf('\r\n', pos);
    if (lineEnd < 0) {
      if (/[\r\n\0]/.test(text.slice(pos).replace(/\r$/, ''))) throw new StrictError('bare CR, LF or NUL in chunk size', pos);
      return { body: Buffer.concat(parts), trailers: [], complete: false, end: text.length };
    }
    const sizeLine = CHUNK_LINE.exec(text.slice(pos, lineEnd));
    if (!sizeLine) throw new StrictError(`invalid chunk size line ${JSON.stringify(text.slice(pos, Math.min(lineEnd, pos + 40)))}`, pos);
    const size = parseInt(sizeLine[1] ?? '', 16);
    const dataStart = lineEnd + 2;
    if (size === 0) return readTrailers(text, dataStart, Buffer.concat(parts));
    const dataEnd = dataStart + size;
    if (dataEnd > bytes.length) {
      parts.push(bytes.subarray(dataStart));
      return { body: Buffer.concat(parts), trailers: [], complete: false, end: bytes.length };
    }
    parts.push(bytes.subarray(dataStart, dataEnd));
    if (bytes.length < dataEnd + 2) return { body: Buffer.concat(parts), trailers: [], complete: false, end: bytes.length };
    if (text.slice(dataEnd, dataEnd + 2) !== '\r\n') throw new StrictError('chunk data not followed by CRLF', dataEnd);
    pos = dataEnd + 2;
  }
}

function readTrailers(text: string, start: number, body: Buffer): BodyRead {
  const trailers: [string, string][] = [];
  let pos = start;
  for (;;) {
    const lineEnd = text.indexOf('\r\n', pos);
    if (lineEnd < 0) return { body, trailers, complete: false, end: text.length };
    const line = text.slice(pos, lineEnd);
    if (line === '') return { body, trailers, complete: true, end: lineEnd + 2 };
    checkLineBytes(line, pos, 0);
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon).toLowerCase();
    if (!TOKEN.test(name)) throw new StrictError(`invalid trailer line ${JSON.stringify(line.slice(0, 80))}`, pos);
    if (name === 'content-length' || name === 'transfer-encoding' || name === 'host') throw new StrictError(`framing header ${name} in trailers`, pos);
    trailers.push([line.slice(0, colon), line.slice(colon + 1).replace(/^[\t ]+|[\t ]+$/g, '')]);
    pos = lineEnd + 2;
  }
}
