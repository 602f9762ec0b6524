// A strict, incremental HTTP/1.1 response parser for the upstream side: bytes in, a
// response head and body slices out, nothing else (no I/O, no timers). It refuses what
// two parsers could read differently — obs-fold, bare CR or LF, invalid bytes in a name
// or value, a duplicate or non-decimal Content-Length, Content-Length with
// Transfer-Encoding, a coding other than exactly `chunked`, bad chunk sizes — so a
// response is forwarded only when its end is beyond doubt. This file frames (where a
// head ends, Content-Length, chunked, close-delimited); response-head.ts reads the head.
import { HeadFields } from './response-head.js';
import type { ParserLimits, ResponseHead } from './response-head.js';

/** Where the parser delivers a response's body (its end is `complete`, checked by the caller after execute). */
export interface BodySink {
  onBody(chunk: Buffer): void;
}

const enum Phase {
  Head,
  Length,
  Close,
  ChunkSize,
  ChunkSizeWs,
  ChunkExt,
  ChunkSizeLf,
  ChunkData,
  ChunkDataCr,
  ChunkDataLf,
  Trailers,
  Done,
  Error,
}

/** The longest chunk-size line (size, extensions) accepted; node's limit on extensions is 16 KiB. */
const MAX_CHUNK_LINE = 16 * 1024;
/** 0x1fffffffffffff (2^53 − 1) has 14 hex digits: more can only overflow. */
const MAX_SIZE_DIGITS = 14;

/** Hex digit values, -1 for anything else. */
const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX[0x30 + c] = c;
for (let c = 0; c < 6; c++) HEX[0x41 + c] = HEX[0x61 + c] = 10 + c;
/** field-vchar, SP and HTAB: the bytes of a chunk extension (obs-text included). */
const VCHAR = new Uint8Array(256);
VCHAR[0x09] = 1;
for (let c = 0x20; c <= 0xff; c++) VCHAR[c] = c === 0x7f ? 0 : 1;
const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');

/** Parses the responses on one upstream connection, one request at a time. */
export class ResponseParser {
  readonly #limits: ParserLimits;
  readonly #sink: BodySink;
  #phase = Phase.Done;
  #noBody = false;
  /** A partial line of a head or trailer section, carried to the next buffer. */
  #stash: Buffer | undefined;
  readonly #fields: HeadFields;
  #remaining = 0;
  #sizeDigits = 0;
  #chunkLine = 0;
  /** The head once read; undefined before. */
  head: ResponseHead | undefined;
  /** Why the response was refused; set when the parser fails. */
  error: string | undefined;

  constructor(sink: BodySink, limits: ParserLimits) {
    this.#sink = sink;
    this.#limits = limits;
    this.#fields = new HeadFields(limits);
  }

  /** True once the head is read (or the parser failed): the caller forwards it before feeding on. */
  get headDone(): boolean {
    return this.#phase !== Phase.Head;
  }

  /** True once the whole response was read. */
  get complete(): boolean {
    return this.#phase === Phase.Done;
  }

  get failed(): boolean {
    return this.#phase === Phase.Error;
  }

  /** True while the body runs until the connection closes. */
  get untilClose(): boolean {
    return this.#phase === Phase.Close;
  }

  /**
   * Starts on the response to a new request; a HEAD request's response has no body (it
   * is complete with its head).
   */
  begin(headRequest: boolean): void {
    this.#noBody = headRequest;
    this.head = undefined;
    this.error = undefined;
    this.#newHead();
  }

  /**
   * Reads `buf` from `pos`; returns where it stopped: at the end of the buffer, right
   * after the head (always: the caller decides what follows), at the end of the response
   * (bytes after it are the caller's doubt), or where it failed.
   */
  execute(buf: Buffer, pos: number): number {
    const end = buf.length;
    while (pos < end) {
      switch (this.#phase) {
        case Phase.Head:
        case Phase.Trailers:
          return this.#section(buf, pos);
        case Phase.Length: {
          const n = Math.min(this.#remaining, end - pos);
          this.#remaining -= n;
          this.#sink.onBody(n === end && pos === 0 ? buf : buf.subarray(pos, pos + n));
          pos += n;
          if (this.#remaining === 0) return this.#done(pos);
          break;
        }
        case Phase.Close:
          this.#sink.onBody(pos === 0 ? buf : buf.subarray(pos));
          return end;
        case Phase.ChunkData: {
          const n = Math.min(this.#remaining, end - pos);
          this.#remaining -= n;
          this.#sink.onBody(buf.subarray(pos, pos + n));
          pos += n;
          if (this.#remaining === 0) this.#phase = Phase.ChunkDataCr;
          break;
        }
        case Phase.Done:
        case Phase.Error:
          return pos;
        default:
          if (!this.#chunkByte(buf[pos] as number)) return pos;
          pos++;
      }
    }
    return pos;
  }

  /** The connection ended (EOF): completes a close-delimited body, else the response was cut short. */
  finish(): void {
    if (this.#phase === Phase.Close) this.#done(0);
    else if (this.#phase !== Phase.Done && this.#phase !== Phase.Error) this.#fail('the connection closed before the response ended');
  }

  #newHead(): void {
    this.#phase = Phase.Head;
    this.#stash = undefined;
    this.#fields.reset();
  }

  #fail(reason: string): false {
    this.#phase = Phase.Error;
    this.error = reason;
    return false;
  }

  #failAt(reason: string, pos: number): number {
    this.#fail(reason);
    return pos;
  }

  #done(pos: number): number {
    this.#phase = Phase.Done;
    return pos;
  }

  /** One byte of a chunk-size line or of the CRLF after chunk data; false when refused. */
  #chunkByte(c: number): boolean {
    switch (this.#phase) {
      case Phase.ChunkSize: {
        const v = HEX[c] as number;
        if (v >= 0) {
          if (++this.#sizeDigits > MAX_SIZE_DIGITS) return this.#fail('a chunk size too large');
          this.#remaining = this.#remaining * 16 + v;
          if (this.#remaining > Number.MAX_SAFE_INTEGER) return this.#fail('a chunk size too large');
          return true;
        }
        if (this.#sizeDigits === 0) return this.#fail('a chunk size that is not hexadecimal');
        if (c === 0x0d) this.#phase = Phase.ChunkSizeLf;
        else if (c === 0x3b) this.#phase = Phase.ChunkExt;
        else if (c === 0x20 || c === 0x09) this.#phase = Phase.ChunkSizeWs;
        else return this.#fail('a chunk size that is not hexadecimal');
        return true;
      }
      case Phase.ChunkSizeWs:
        if (c === 0x3b) this.#phase = Phase.ChunkExt;
        else if (c === 0x0d) this.#phase = Phase.ChunkSizeLf;
        else if (c !== 0x20 && c !== 0x09) return this.#fail('bytes after a chunk size');
        return true;
      case Phase.ChunkExt:
        if (++this.#chunkLine > MAX_CHUNK_LINE) return this.#fail('chunk extensions too long');
        if (c === 0x0d) this.#phase = Phase.ChunkSizeLf;
        else if (VCHAR[c] !== 1) return this.#fail('an invalid byte in a chunk extension');
        return true;
      case Phase.ChunkSizeLf:
        if (c !== 0x0a) return this.#fail('a chunk-size line not ended by CRLF');
        if (this.#remaining > 0) this.#phase = Phase.ChunkData;
        else {
          this.#phase = Phase.Trailers;
          this.#stash = undefined;
              }
        return true;
      case Phase.ChunkDataCr:
        if (c !== 0x0d) return this.#fail('chunk data longer than its size');
        this.#phase = Phase.ChunkDataLf;
        return true;
      default: // Phase.ChunkDataLf
        if (c !== 0x0a) return this.#fail('chunk data not ended by CRLF');
        this.#startChunk();
        return true;
    }
  }

  #startChunk(): void {
    this.#phase = Phase.ChunkSize;
    this.#remaining = 0;
    this.#sizeDigits = 0;
    this.#chunkLine = 0;
  }

  /**
   * Reads a head or trailer section; returns where it stopped. The section is found
   * whole (its CRLFCRLF) and decoded once; a part of one is kept for the next buffer,
   * checked only for a bare LF, which would keep its end from ever being found.
   */
  #section(input: Buffer, from: number): number {
    let buf = input;
    let pos = from;
    let searchFrom = from;
    let joined = 0;
    const stash = this.#stash;
    if (stash !== undefined) {
      buf = Buffer.concat([stash, input.subarray(from)]);
      joined = stash.length - from;
      pos = 0;
      searchFrom = Math.max(0, stash.length - 3);
      this.#stash = undefined;
    }
    for (;;) {
      if (this.#phase === Phase.Trailers && buf[pos] === 0x0d) {
        // No trailer fields: the section is its empty line.
        if (pos + 1 === buf.length) return this.#keep(buf, pos, input.length);
        if (buf[pos + 1] !== 0x0a) return this.#failAt('a bare CR after the last chunk', input.length);
        return this.#done(pos + 2 - joined);
      }
      const end = buf.indexOf(CRLFCRLF, searchFrom);
      if (end < 0) {
        for (let lf = buf.indexOf(0x0a, searchFrom); lf >= 0; lf = buf.indexOf(0x0a, lf + 1)) {
          if (lf === pos || buf[lf - 1] !== 0x0d) return this.#failAt('a line ended by a bare LF', input.length);
        }
        if (buf.length - pos > this.#limits.maxHeadBytes) return this.#failAt('a head larger than the limit', input.length);
        return this.#keep(buf, pos, input.length);
      }
      if (end + 4 - pos > this.#limits.maxHeadBytes) return this.#failAt('a head larger than the limit', input.length);
      // The section's lines, each with its CRLF.
      const refused = this.#fields.read(buf.toString('latin1', pos, end + 2), this.#phase === Phase.Trailers);
      if (refused !== undefined) return this.#failAt(refused, input.length);
      pos = end + 4;
      if (this.#phase === Phase.Trailers) return this.#done(pos - joined);
      const after = this.#endOfHead();
      if (after === Phase.Error) return input.length;
      if (after !== Phase.Head) return pos - joined;
      // An interim 1xx: dropped, as node:http does; the final response follows.
      this.#newHead();
      searchFrom = pos;
    }
  }

  #keep(buf: Buffer, pos: number, consumed: number): number {
    this.#stash = buf.subarray(pos);
    return consumed;
  }

  /** Decides the body after the empty line: Phase.Head again for an interim response, Phase.Error when refused. */
  #endOfHead(): Phase {
    const head = this.#fields.decide(this.#noBody);
    if (head === 'interim') return Phase.Head;
    if ('refused' in head) {
      this.#fail(head.refused);
      return Phase.Error;
    }
    this.head = head;
    if (head.body === 'none') this.#phase = Phase.Done;
    else if (head.body === 'length') {
      this.#phase = Phase.Length;
      this.#remaining = head.length;
    } else if (head.body === 'chunked') this.#startChunk();
    else this.#phase = Phase.Close;
    return this.#phase;
  }
}

