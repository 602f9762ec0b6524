// How long our own event loop could not run: a timer is due every sampleMs, and the
// time between when it was due and when it ran is time the loop was busy (thousands
// of connections, a synchronous stall, or a host that gives us no CPU). The health
// checker asks how much of a probe's life was lost this way before it believes a
// timeout. Timer drift rather than perf_hooks, so the measure runs on the injected
// Clock and the same time base as the probes it judges.
import { systemClock } from '../clock.js';
import type { Clock, TimerHandle } from '../clock.js';

/** What the health checker needs to know about our own event loop. */
export interface LoopLagMeter {
  start(): void;
  stop(): void;
  /** Milliseconds of [from, to] during which the loop was stalled (timers could not run). */
  stalledDuring(from: number, to: number): number;
  /** The longest single stall that ended (or is still going on) in the last `spanMs` before now. */
  recentMs(spanMs?: number): number;
}

/** Options of an EventLoopLag. */
export interface EventLoopLagOptions {
  /** @default systemClock */
  readonly clock?: Clock;
  /** Sampling period: stalls shorter than the timer's own jitter are not seen. @default 20 */
  readonly sampleMs?: number;
  /** How far back stalls are remembered; longer than any probe. @default 10_000 */
  readonly horizonMs?: number;
}

interface Stall {
  /** When the sample was due. */
  readonly from: number;
  /** When it ran. */
  readonly to: number;
}

/** A timer-drift sampler of our event loop's stalls. */
export class EventLoopLag implements LoopLagMeter {
  readonly #clock: Clock;
  readonly #sampleMs: number;
  readonly #horizonMs: number;
  // Only samples that ran late are kept, oldest first; on time they tell nothing.
  #stalls: Stall[] = [];
  #due: number | null = null;
  #timer: TimerHandle | undefined;

  constructor(options: EventLoopLagOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#sampleMs = options.sampleMs ?? 20;
    this.#horizonMs = options.horizonMs ?? 10_000;
  }

  /** Starts sampling (idempotent). */
  start(): void {
    if (this.#due !== null) return;
    this.#schedule();
  }

  /** Stops sampling; what was measured stays readable. */
  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#due = null;
  }

  stalledDuring(from: number, to: number): number {
    let total = 0;
    for (const s of this.#withPending()) total += Math.max(0, Math.min(s.to, to) - Math.max(s.from, from));
    return total;
  }

  recentMs(spanMs = 1_000): number {
    const since = this.#clock.now() - spanMs;
    let longest = 0;
    for (const s of this.#withPending()) if (s.to >= since) longest = Math.max(longest, s.to - s.from);
    return longest;
  }

  // A sample that is overdue right now is a stall still going on (or just ended, with
  // our caller running before the sampler in the same turn): count it up to now.
  #withPending(): Stall[] {
    const now = this.#clock.now();
    if (this.#due === null || now <= this.#due) return this.#stalls;
    return [...this.#stalls, { from: this.#due, to: now }];
  }

  #schedule(): void {
    const due = this.#clock.now() + this.#sampleMs;
    this.#due = due;
    this.#timer = this.#clock.setTimeout(() => {
      const now = this.#clock.now();
      if (now > due) this.#stalls.push({ from: due, to: now });
      const forget = now - this.#horizonMs;
      while (this.#stalls.length > 0 && this.#stalls[0]!.to < forget) this.#stalls.shift();
      this.#schedule();
    }, this.#sampleMs);
  }
}
