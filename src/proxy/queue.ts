// The waiting room: a request that finds no ready member waits here, bounded in number
// and in time, and is told why when it cannot wait any longer (the 503 it gets).
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { observe } from './observer.js';
import type { ProxyObserver } from './observer.js';
import type { UpstreamPool } from './pool.js';
import type { Reply } from './replies.js';

/** How waiting for a member ended. */
export type WaitResult = 'got' | 'aborted' | 'full' | 'timeout' | 'closing';

/** Options of a MemberQueue. */
export interface MemberQueueOptions {
  readonly pool: UpstreamPool;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly observer: ProxyObserver;
  /** How long one request may wait in all. */
  readonly timeoutMs: number;
  /** Requests waiting beyond this many are refused at once. */
  readonly size: number;
}

/** Requests waiting for a ready member. */
export class MemberQueue {
  readonly #options: MemberQueueOptions;
  readonly #closing = new AbortController();
  #queued = 0;

  constructor(options: MemberQueueOptions) {
    this.#options = options;
  }

  /** Requests waiting now. */
  get queued(): number {
    return this.#queued;
  }

  /** The longest a request may wait, in all its waits together. */
  get timeoutMs(): number {
    return this.#options.timeoutMs;
  }

  /** True once close() was called. */
  get closing(): boolean {
    return this.#closing.signal.aborted;
  }

  /** Ends every wait with 'closing' and refuses new ones. */
  close(): void {
    this.#closing.abort();
  }

  /** Waits up to `budgetMs` for the pool to have a member; `signal` aborts when the client leaves. */
  async wait(signal: AbortSignal, budgetMs: number): Promise<WaitResult> {
    const { pool, clock, logger, observer } = this.#options;
    if (this.closing) return 'closing';
    if (budgetMs <= 0) return 'timeout';
    if (this.#queued >= this.#options.size) {
      observe(observer, logger, 'queueRejected');
      return 'full';
    }
    this.#queued++;
    observe(observer, logger, 'queued');
    const since = clock.now();
    const got = await pool.waitForMember(budgetMs, AbortSignal.any([signal, this.#closing.signal]));
    this.#queued--;
    observe(observer, logger, 'queueWaitDone', clock.now() - since, got);
    if (got) return 'got';
    if (signal.aborted) return 'aborted';
    return this.closing ? 'closing' : 'timeout';
  }

  /** The 503 for a wait that ended without a member. */
  unavailable(why: Exclude<WaitResult, 'got' | 'aborted'>): Reply {
    const headers = { 'Retry-After': '1' };
    if (why === 'closing') return { status: 503, code: 'SHUTTING_DOWN', message: 'The proxy is shutting down; retry shortly.', headers };
    if (why === 'full') {
      return {
        status: 503,
        code: 'QUEUE_FULL',
        message: `Too many requests are already waiting for a ready container (${this.#options.size}); retry shortly.`,
        headers,
      };
    }
    return {
      status: 503,
      code: 'NO_READY_UPSTREAM',
      message: `No container became ready within ${this.#options.timeoutMs} ms; retry shortly.`,
      headers,
    };
  }
}
