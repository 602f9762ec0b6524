// One info line per period saying what the proxy went through: requests, 5xx, clients
// that went away first (499), retries and waits for a ready container. Per-request
// lines exist only at debug level; without this, 499s and retries are invisible at
// info. The counting and the wording are pure; the loop only reads and logs.
import type { Clock, TimerHandle } from './clock.js';
import type { Logger } from './log.js';

/** How often the summary is logged (when anything happened). */
export const SUMMARY_INTERVAL_MS = 60_000;

/** Counters the summary reads; each only grows. */
export interface TrafficCounts {
  /** Proxied requests that finished, whatever their status. */
  readonly requests: number;
  /** Of those, answered 5xx. */
  readonly serverErrors: number;
  /** Of those, the client closed the connection before the answer (499). */
  readonly clientAborted: number;
  /** Requests sent again to another container. */
  readonly retries: number;
  /** Requests that waited for a ready container and got one. */
  readonly queueServed: number;
  /** … and gave up waiting. */
  readonly queueTimedOut: number;
  /** Requests refused because the wait queue was full. */
  readonly queueRejected: number;
}

/** Nothing counted yet. */
export const NO_TRAFFIC: TrafficCounts = { requests: 0, serverErrors: 0, clientAborted: 0, retries: 0, queueServed: 0, queueTimedOut: 0, queueRejected: 0 };

/** Counts what the summary reports; fed from the proxy's observer. */
export class TrafficTally {
  #counts: { -readonly [K in keyof TrafficCounts]: number } = { ...NO_TRAFFIC };

  /** A proxied request finished (or its client went away first). */
  requestDone(status: number, clientAborted: boolean): void {
    this.#counts.requests++;
    if (clientAborted) this.#counts.clientAborted++;
    else if (status >= 500) this.#counts.serverErrors++;
  }

  /** A request was sent again to another container. */
  retry(): void {
    this.#counts.retries++;
  }

  /** A wait for a ready container ended. */
  queueWait(outcome: 'served' | 'timeout' | 'rejected'): void {
    if (outcome === 'served') this.#counts.queueServed++;
    else if (outcome === 'timeout') this.#counts.queueTimedOut++;
    else this.#counts.queueRejected++;
  }

  /** A snapshot of the counters. */
  get counts(): TrafficCounts {
    return { ...this.#counts };
  }
}

/** A summary line: the message and the same numbers as fields. */
export interface TrafficSummary {
  readonly message: string;
  readonly fields: { readonly [K in keyof TrafficCounts]: number } & { readonly periodMs: number };
}

/** What happened between two readings, or null when nothing did (no line for an idle period). */
export function trafficSummary(previous: TrafficCounts, current: TrafficCounts, periodMs: number): TrafficSummary | null {
  const d = (k: keyof TrafficCounts): number => Math.max(0, current[k] - previous[k]);
  const delta: { [K in keyof TrafficCounts]: number } = {
    requests: d('requests'),
    serverErrors: d('serverErrors'),
    clientAborted: d('clientAborted'),
    retries: d('retries'),
    queueServed: d('queueServed'),
    queueTimedOut: d('queueTimedOut'),
    queueRejected: d('queueRejected'),
  };
  if (Object.values(delta).every((n) => n === 0)) return null;
  const seconds = Math.max(0, periodMs) / 1000;
  const rate = seconds > 0 ? `, ${(delta.requests / seconds).toFixed(1)}/s` : '';
  const parts = [`${count(delta.requests, 'request')}${rate}`];
  if (delta.serverErrors > 0) parts.push(`${delta.serverErrors} answered 5xx`);
  if (delta.clientAborted > 0) parts.push(`${delta.clientAborted} closed by the client first (499)`);
  if (delta.retries > 0) parts.push(`${count(delta.retries, 'retry', 'retries')}`);
  const waited = delta.queueServed + delta.queueTimedOut;
  if (waited > 0) parts.push(`${waited} waited for a ready container (${delta.queueTimedOut} gave up)`);
  if (delta.queueRejected > 0) parts.push(`${delta.queueRejected} refused: wait queue full`);
  return { message: `last ${Number(seconds.toFixed(1))} s: ${parts.join('; ')}`, fields: { ...delta, periodMs } };
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Options of a TrafficSummaryLoop. */
export interface TrafficSummaryLoopOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Reads the counters (a TrafficTally's `counts`). */
  readonly read: () => TrafficCounts;
  /** @default SUMMARY_INTERVAL_MS */
  readonly intervalMs?: number;
}

/** Logs `proxy.summary` every interval in which anything happened, and once more at stop(). */
export class TrafficSummaryLoop {
  readonly #o: TrafficSummaryLoopOptions;
  readonly #intervalMs: number;
  #last: TrafficCounts = NO_TRAFFIC;
  #lastAt = 0;
  #timer: TimerHandle | undefined;

  constructor(options: TrafficSummaryLoopOptions) {
    this.#o = options;
    this.#intervalMs = options.intervalMs ?? SUMMARY_INTERVAL_MS;
  }

  /** Starts the period from now (idempotent). */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#last = this.#o.read();
    this.#lastAt = this.#o.clock.now();
    this.#schedule();
  }

  /** Stops the timer and logs what the last, partial period saw. */
  stop(): void {
    if (this.#timer === undefined) return;
    this.#o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#flush();
  }

  #schedule(): void {
    this.#timer = this.#o.clock.setTimeout(() => {
      this.#flush();
      this.#schedule();
    }, this.#intervalMs);
  }

  #flush(): void {
    const now = this.#o.clock.now();
    const current = this.#o.read();
    const summary = trafficSummary(this.#last, current, now - this.#lastAt);
    this.#last = current;
    this.#lastAt = now;
    if (summary) this.#o.logger.info('proxy.summary', summary.message, summary.fields);
  }
}
