// One keep-alive connection to a member and the one request it carries at a time: it
// writes the request head and streams the body (framed as framing.ts decided), reads the
// response with the strict parser, and streams the body to the client with backpressure
// both ways. Its listeners are made once per connection, not per request. It goes back
// to the pool only after a response read whole with nothing after it; any doubt (a parse
// error, extra bytes, bytes while idle, an early close, a timeout) destroys it.
// Just over ~350 lines: one exchange's whole life (write, read, deliver, release or
// destroy) is one state machine, kept in one file.
import net from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClientGone } from '../client-gone.js';
import type { Framing } from '../framing.js';
import type { TryResult } from '../forward.js';
import { BodyWriter } from './request-body.js';
import type { ParserLimits, ResponseHead } from './response-head.js';
import { ResponseParser } from './response-parser.js';
import type { BodySink } from './response-parser.js';

/** What a connection needs of the request it carries. */
export interface Exchange {
  readonly method: string;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly gone: ClientGone;
  readonly framing: Framing;
  /** Set once part of the body went out: the request can no longer be replayed. */
  bodyStarted: boolean;
}

/** Where connections return and how they time out; the client (client.ts) implements it. */
export interface ConnectionOwner {
  now(): number;
  readonly headTimeoutMs: number;
  /** A connection read a whole response and can carry another. */
  release(conn: UpstreamConnection): void;
  /** A connection closed (for good). */
  closed(conn: UpstreamConnection): void;
}

const enum State {
  Idle,
  /** The request went (or waits for the connection to open); no head yet. */
  Waiting,
  /** The head is read and handed on; the body waits for deliver(). */
  Answered,
  Streaming,
  Closed,
}

/** Bytes of body held while an answer waits for deliver() before reading pauses. */
const HOLD_BYTES = 64 * 1024;

/** A pooled HTTP/1.1 connection to one member. */
export class UpstreamConnection implements BodySink {
  readonly socket: net.Socket;
  /** For the pool: the member this connection goes to. */
  readonly key: object;
  readonly #owner: ConnectionOwner;
  readonly #parser: ResponseParser;
  #state = State.Waiting;
  #connected = false;
  /** When the current wait (head, or idleness) is over; 0 for none. */
  deadline = 0;
  #exchange: Exchange | undefined;
  #settle: ((result: TryResult<UpstreamConnection>) => void) | undefined;
  #onDelivered: ((broken: boolean) => void) | undefined;
  /** Body bytes that came with or after the head, before deliver(). */
  #held: Buffer[] = [];
  #heldBytes = 0;
  readonly #body: BodyWriter;
  /** Bytes after the end of a response: the connection is in doubt. */
  #extra = false;
  #paused = false;
  #resPaused = false;
  /** The member closed while the answer waited for deliver(). */
  #eof = false;

  constructor(owner: ConnectionOwner, key: object, host: string, port: number, limits: ParserLimits) {
    this.#owner = owner;
    this.key = key;
    this.#parser = new ResponseParser(this, limits);
    this.socket = net.connect({ host, port, noDelay: true });
    this.#body = new BodyWriter(this.socket);
    this.socket.on('connect', this.#onConnect);
    this.socket.on('data', this.#onData);
    this.socket.on('end', this.#onEnd);
    this.socket.on('error', this.#onError);
    this.socket.on('close', this.#onClose);
  }

  /** The head of the answer (after a TryResult 'answer'). */
  get head(): ResponseHead {
    return this.#parser.head as ResponseHead;
  }

  /** True while it sits in the pool beyond doubt. */
  get reusable(): boolean {
    return this.#state === State.Idle && !this.socket.destroyed && this.socket.readableLength === 0;
  }

  /** Sends one request; `settle` gets the answer (this connection), a failure, or 'aborted' — once. */
  send(exchange: Exchange, head: string, settle: (result: TryResult<UpstreamConnection>) => void): void {
    this.#state = State.Waiting;
    this.#exchange = exchange;
    this.#settle = settle;
    this.#extra = false;
    this.deadline = this.#owner.now() + this.#owner.headTimeoutMs;
    this.#parser.begin(exchange.method === 'HEAD');
    this.#body.expect(exchange.framing);
    this.socket.write(head, 'latin1');
    exchange.gone.listen(this.#onGone);
    // The body waits for the connection: a connect failure leaves it unread, to go elsewhere.
    if (this.#connected) this.#body.start(exchange);
  }

  /** Streams the answer's body to the client; `delivered` is told, once, whether the member broke it off. */
  deliver(delivered: (broken: boolean) => void): void {
    const exchange = this.#exchange;
    if (exchange === undefined || this.#state !== State.Answered) {
      delivered(true);
      return;
    }
    const { res, gone } = exchange;
    this.#state = State.Streaming;
    this.#onDelivered = delivered;
    gone.listen(this.#onGone);
    if (this.#state !== State.Streaming) return; // the client had already gone
    // The rest of the client's body will not be forwarded: its connection cannot carry another request.
    if (!this.#body.done) res.shouldKeepAlive = false;
    const head = this.head;
    res.writeHead(head.status, head.reason, head.headers);
    if (this.#parser.complete) {
      this.#finish();
      return;
    }
    const held = this.#held;
    if (held.length > 0) {
      this.#held = [];
      this.#heldBytes = 0;
      // One buffer, so bytes after the end of the response are seen as such.
      this.#feed(held.length === 1 ? (held[0] as Buffer) : Buffer.concat(held), 0);
      if (this.#state !== State.Streaming) return;
    }
    if (this.#eof) this.#endOfStream();
    else if (this.#paused && !this.#resPaused) this.#resume();
  }

  /** Drops the connection (a timeout, shutdown). */
  destroy(): void {
    this.socket.destroy();
  }

  /** Drops an answer that will not be sent, and its connection. */
  discard(): void {
    const exchange = this.#exchange;
    if (exchange !== undefined) this.#detach(exchange);
    this.#state = State.Closed;
    this.destroy();
  }

  /** The sweep found the deadline passed: no head in time (or idle too long). */
  expire(): void {
    if (this.#state === State.Waiting) {
      const failure = this.#connected ? 'timeout' : 'connect';
      this.#fail(failure, new Error(`no response head within ${this.#owner.headTimeoutMs} ms`));
    } else this.destroy();
  }

  /** From the pool: the connection is taken for a new request. */
  claim(): void {
    this.#state = State.Waiting;
  }

  /** Into the pool. */
  idle(until: number): void {
    this.#state = State.Idle;
    this.deadline = until;
  }

  onBody(chunk: Buffer): void {
    const res = this.#exchange?.res;
    if (res === undefined) return;
    if (!res.write(chunk) && !this.#resPaused) {
      this.#resPaused = true;
      this.#pause();
      res.once('drain', this.#onResDrain);
    }
  }

  /** The response was read whole: the client's response ends, the connection goes back to the pool if beyond doubt. */
  #finish(): void {
    const exchange = this.#exchange;
    if (exchange === undefined) return;
    const delivered = this.#onDelivered;
    this.#detach(exchange);
    exchange.res.end();
    delivered?.(false);
    const reusable = this.#parser.head?.keepAlive === true && !this.#extra && !this.#eof && this.#body.done && !this.socket.destroyed;
    if (reusable) {
      if (this.#paused) this.#resume();
      this.#owner.release(this);
    } else this.destroy();
  }

  #detach(exchange: Exchange): void {
    exchange.gone.unlisten(this.#onGone);
    if (this.#resPaused) {
      exchange.res.off('drain', this.#onResDrain);
      this.#resPaused = false;
    }
    this.#body.stop();
    this.#exchange = undefined;
    this.#onDelivered = undefined;
    this.#held = [];
    this.#heldBytes = 0;
    this.deadline = 0;
  }

  #pause(): void {
    this.#paused = true;
    this.socket.pause();
  }

  #resume(): void {
    this.#paused = false;
    this.socket.resume();
  }

  #result(result: TryResult<UpstreamConnection>): void {
    const settle = this.#settle;
    this.#settle = undefined;
    settle?.(result);
  }

  /** The attempt failed before a head: the connection is dropped and the try settles once. */
  #fail(failure: 'connect' | 'reset-before-response' | 'timeout' | 'invalid-response', error: Error): void {
    const exchange = this.#exchange;
    if (exchange !== undefined) this.#detach(exchange);
    this.#state = State.Closed;
    this.destroy();
    this.#result({ kind: 'failure', failure, error });
  }

  /** The answer's body cannot be finished: the client's response is cut off, never made to look complete. */
  #broken(): void {
    const exchange = this.#exchange;
    const delivered = this.#onDelivered;
    this.#state = State.Closed;
    this.destroy();
    if (exchange === undefined) return;
    this.#detach(exchange);
    delivered?.(true);
    exchange.res.destroy();
  }

  /** Feeds bytes to the parser in the Waiting and Streaming states. */
  #feed(buf: Buffer, from: number): void {
    const parser = this.#parser;
    const pos = parser.execute(buf, from);
    if (parser.failed) {
      if (this.#state === State.Waiting) this.#fail('invalid-response', new Error(`the response cannot be forwarded whole: ${parser.error ?? 'invalid'}`));
      else this.#broken();
      return;
    }
    if (this.#state === State.Waiting) {
      if (!parser.headDone) return;
      this.#state = State.Answered;
      this.deadline = 0;
      this.#exchange?.gone.unlisten(this.#onGone);
      if (pos < buf.length) {
        if (parser.complete) this.#extra = true;
        else this.#hold(buf.subarray(pos));
      }
      this.#result({ kind: 'answer', status: parser.head?.status ?? 502, answer: this });
      return;
    }
    // Streaming: bytes after the end of the response are in doubt.
    if (parser.complete) {
      if (pos < buf.length) this.#extra = true;
      this.#finish();
    }
  }

  /** The member closed while a body was streaming: a close-delimited body ends here, any other is cut short. */
  #endOfStream(): void {
    if (this.#exchange === undefined) return;
    this.#parser.finish(); // completes a close-delimited body
    if (this.#parser.complete) this.#finish();
    else this.#broken();
  }

  #hold(chunk: Buffer): void {
    this.#held.push(chunk);
    this.#heldBytes += chunk.length;
    if (this.#heldBytes > HOLD_BYTES && !this.#paused) this.#pause();
  }

  readonly #onConnect = (): void => {
    this.#connected = true;
    const exchange = this.#exchange;
    if (this.#state === State.Waiting && exchange !== undefined) this.#body.start(exchange);
  };

  readonly #onData = (chunk: Buffer): void => {
    switch (this.#state) {
      case State.Waiting:
      case State.Streaming:
        this.#feed(chunk, 0);
        return;
      case State.Answered:
        if (this.#parser.complete) this.#extra = true;
        else this.#hold(chunk);
        return;
      default:
        // Idle: a response nobody asked for. Reused, it would reach the next client.
        this.destroy();
    }
  };

  readonly #onEnd = (): void => {
    if (this.#state === State.Answered) this.#eof = true; // seen by deliver()
    else if (this.#state === State.Streaming) this.#endOfStream();
    else this.destroy(); // Waiting: 'close' fails the try; Idle: it leaves the pool
  };

  readonly #onError = (): void => {
    // 'close' follows; what the error means depends on the state there.
  };

  readonly #onClose = (): void => {
    const state = this.#state;
    if (state === State.Waiting) {
      if (this.#connected) this.#fail('reset-before-response', new Error('the connection closed before a response head'));
      else this.#fail('connect', new Error('could not connect'));
    } else if (state === State.Answered) this.#eof = true;
    else if (state === State.Streaming) this.#endOfStream();
    if (this.#state !== State.Answered) this.#state = State.Closed;
    this.#owner.closed(this);
  };

  readonly #onGone = (): void => {
    // The client left: stop the member's work too (its connection is mid-request).
    const exchange = this.#exchange;
    const waiting = this.#state === State.Waiting;
    if (exchange !== undefined) this.#detach(exchange);
    this.#state = State.Closed;
    this.destroy();
    if (waiting) this.#result({ kind: 'aborted' });
  };

  readonly #onResDrain = (): void => {
    this.#resPaused = false;
    if (this.#paused) this.#resume();
  };
}
