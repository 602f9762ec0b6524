// The request body on its way to a member, framed as framing.ts decided: a length's bytes
// as they come, or chunked (re-chunked, then the client's trailers minus framing and
// hop-by-hop fields). Backpressure: the client's request pauses while the member's
// socket is full. One per connection; its listeners are made once.
import type { Socket } from 'node:net';
import type { Framing } from '../framing.js';
import { stripHopByHop } from '../headers.js';
import type { Exchange } from './connection.js';

/** Streams one request's body at a time onto a connection's socket. */
export class BodyWriter {
  readonly #socket: Socket;
  #exchange: Exchange | undefined;
  /** True once the whole body went out, or when there is none. */
  done = true;

  constructor(socket: Socket) {
    this.#socket = socket;
  }

  /** A new request: whether it has a body to send. */
  expect(framing: Framing): void {
    this.done = !(framing.kind === 'chunked' || (framing.kind === 'length' && framing.length > 0));
  }

  /** The connection is up: the body starts (from now on the request cannot be replayed). */
  start(exchange: Exchange): void {
    if (this.done) return;
    exchange.bodyStarted = true;
    this.#exchange = exchange;
    exchange.req.on('data', this.#onData);
    exchange.req.on('end', this.#onEnd);
  }

  /** The exchange ends (answered, failed, abandoned) before or after its body went out. */
  stop(): void {
    const exchange = this.#exchange;
    this.#exchange = undefined;
    if (exchange === undefined || this.done) return;
    exchange.req.off('data', this.#onData);
    exchange.req.off('end', this.#onEnd);
  }

  readonly #onData = (chunk: Buffer): void => {
    const exchange = this.#exchange;
    if (exchange === undefined) return;
    const socket = this.#socket;
    let ok: boolean;
    if (exchange.framing.kind === 'chunked') {
      socket.cork();
      socket.write(`${chunk.length.toString(16)}\r\n`, 'latin1');
      socket.write(chunk);
      ok = socket.write('\r\n', 'latin1');
      socket.uncork();
    } else ok = socket.write(chunk);
    if (!ok) {
      exchange.req.pause();
      socket.once('drain', this.#onDrain);
    }
  };

  readonly #onDrain = (): void => {
    this.#exchange?.req.resume();
  };

  readonly #onEnd = (): void => {
    const exchange = this.#exchange;
    if (exchange === undefined) return;
    exchange.req.off('data', this.#onData);
    if (exchange.framing.kind === 'chunked') this.#socket.write(`0\r\n${trailerLines(exchange.req.rawTrailers)}\r\n`, 'latin1');
    this.done = true;
  };
}

/** The client's trailers as lines, minus framing and hop-by-hop fields. */
function trailerLines(raw: readonly string[]): string {
  if (raw.length === 0) return '';
  const kept = stripHopByHop(raw);
  let out = '';
  for (let i = 0; i + 1 < kept.length; i += 2) {
    const lower = (kept[i] as string).toLowerCase();
    if (lower !== 'content-length' && lower !== 'host') out += `${kept[i]}: ${kept[i + 1]}\r\n`;
  }
  return out;
}
