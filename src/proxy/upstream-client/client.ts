// The upstream side of the proxy: per member, a pool of idle keep-alive connections it
// owns (connection.ts), and one sweep timer for every deadline — a response head that
// is late, an idle connection kept too long — instead of a timer per request. A
// connection is taken from the pool only while it is beyond doubt (idle, no byte
// received, not past its keep-alive time), most recently used first.
import http from 'node:http';
import type { Clock } from '../../clock.js';
import type { TryResult } from '../forward.js';
import { MAX_FORWARDED_HEADERS } from '../framing.js';
import type { Upstream } from '../upstream.js';
import { UpstreamConnection } from './connection.js';
import type { ConnectionOwner, Exchange } from './connection.js';
import type { ParserLimits } from './response-head.js';

/** Options of an UpstreamClient. */
export interface UpstreamClientOptions {
  readonly clock: Clock;
  /** No response head within this (connecting included) fails the try. */
  readonly headTimeoutMs: number;
  /** An idle connection is not reused, and is closed, after this long. */
  readonly keepAliveMs: number;
  /** Idle connections kept per member; more are closed. @default 128 */
  readonly maxIdle?: number;
  /** How often deadlines are checked; a timeout fires up to this late. @default 250 */
  readonly sweepMs?: number;
}

/** node:http's own limits on a response head. */
const LIMITS: ParserLimits = { maxHeadBytes: http.maxHeaderSize, maxHeaders: MAX_FORWARDED_HEADERS };

/** Pooled HTTP/1.1 connections to the members. */
export class UpstreamClient implements ConnectionOwner {
  readonly #clock: Clock;
  readonly headTimeoutMs: number;
  readonly #keepAliveMs: number;
  readonly #maxIdle: number;
  readonly #sweepMs: number;
  /** Idle connections per member, the most recently used last. */
  readonly #idle = new WeakMap<object, UpstreamConnection[]>();
  readonly #all = new Set<UpstreamConnection>();
  #sweep: unknown;
  #closed = false;

  constructor(options: UpstreamClientOptions) {
    this.#clock = options.clock;
    this.headTimeoutMs = options.headTimeoutMs;
    this.#keepAliveMs = options.keepAliveMs;
    this.#maxIdle = options.maxIdle ?? 128;
    this.#sweepMs = options.sweepMs ?? 250;
  }

  now(): number {
    return this.#clock.now();
  }

  /** Connections open now (idle and busy). */
  get open(): number {
    return this.#all.size;
  }

  /** Idle connections to `upstream` now. */
  idleCount(upstream: Upstream): number {
    return this.#idle.get(upstream)?.length ?? 0;
  }

  /**
   * Sends a request head (and the exchange's body) to `upstream` on an idle connection
   * or a new one; `settle` gets the answer, a failure or 'aborted', once.
   */
  send(upstream: Upstream, exchange: Exchange, head: string, settle: (result: TryResult<UpstreamConnection>) => void): void {
    this.#take(upstream).send(exchange, head, settle);
  }

  #take(upstream: Upstream): UpstreamConnection {
    const idle = this.#idle.get(upstream);
    if (idle !== undefined) {
      const now = this.#clock.now();
      for (let conn = idle.pop(); conn !== undefined; conn = idle.pop()) {
        if (conn.reusable && now < conn.deadline) {
          conn.claim();
          return conn;
        }
        conn.destroy();
      }
    }
    const conn = new UpstreamConnection(this, upstream, upstream.host, upstream.port, LIMITS);
    this.#all.add(conn);
    this.#armSweep();
    return conn;
  }

  release(conn: UpstreamConnection): void {
    if (this.#closed) {
      conn.destroy();
      return;
    }
    let idle = this.#idle.get(conn.key);
    if (idle === undefined) {
      idle = [];
      this.#idle.set(conn.key, idle);
    }
    if (idle.length >= this.#maxIdle) {
      conn.destroy();
      return;
    }
    conn.idle(this.#clock.now() + this.#keepAliveMs);
    idle.push(conn);
  }

  closed(conn: UpstreamConnection): void {
    this.#all.delete(conn);
    const idle = this.#idle.get(conn.key);
    const i = idle === undefined ? -1 : idle.indexOf(conn);
    if (i >= 0) idle?.splice(i, 1);
  }

  /** Closes every connection, busy ones too (shutdown). */
  destroy(): void {
    this.#closed = true;
    this.#clock.clearTimeout(this.#sweep);
    this.#sweep = undefined;
    for (const conn of [...this.#all]) conn.destroy();
  }

  #armSweep(): void {
    if (this.#sweep !== undefined || this.#closed) return;
    this.#sweep = this.#clock.setTimeout(this.#onSweep, this.#sweepMs);
  }

  readonly #onSweep = (): void => {
    this.#sweep = undefined;
    const now = this.#clock.now();
    for (const conn of [...this.#all]) {
      if (conn.deadline !== 0 && now >= conn.deadline) conn.expire();
    }
    if (this.#all.size > 0) this.#armSweep();
  };
}
