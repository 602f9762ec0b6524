// How long to wait before replacing a container again. Pure: time is passed in.
// A single crash is replaced at once; a crash loop backs off exponentially so a
// broken image does not spin the engine.

/** Options of the back-off. */
export interface BackoffOptions {
  /** Delay after the second failure in a row; doubles with each further one. @default 1000 */
  readonly baseMs?: number;
  /** Longest delay. @default 60000 */
  readonly capMs?: number;
}

/** Delay before the next start after `failureStreak` failures in a row: 0, 0, 1 s, 2 s, 4 s … cap. */
export function backoffDelay(failureStreak: number, options: BackoffOptions = {}): number {
  const baseMs = options.baseMs ?? 1000;
  const capMs = options.capMs ?? 60_000;
  if (!(failureStreak >= 2)) return 0; // also NaN and negatives
  // 2 ** huge is Infinity, which the cap absorbs.
  return Math.min(capMs, baseMs * 2 ** (Math.floor(failureStreak) - 2));
}

/** Options of a BackoffTracker. */
export interface BackoffTrackerOptions extends BackoffOptions {
  /** A container ready this long, started after the last failure, resets the streak. @default 10000 */
  readonly stableAfterMs?: number;
}

/** Counts failures in a row and says when the next replacement may start. */
export class BackoffTracker {
  readonly #options: BackoffOptions;
  readonly #stableAfterMs: number;
  #streak = 0;
  #lastFailureAt = Number.NEGATIVE_INFINITY;

  constructor(options: BackoffTrackerOptions = {}) {
    this.#options = {
      ...(options.baseMs !== undefined ? { baseMs: options.baseMs } : {}),
      ...(options.capMs !== undefined ? { capMs: options.capMs } : {}),
    };
    this.#stableAfterMs = options.stableAfterMs ?? 10_000;
  }

  /** Failures in a row since the last stable container. */
  get streak(): number {
    return this.#streak;
  }

  /** When the newest failure happened; undefined if none since the last reset. */
  get lastFailureAt(): number | undefined {
    return this.#streak === 0 ? undefined : this.#lastFailureAt;
  }

  /** A container failed (exited, went unhealthy, never became ready). */
  failed(now: number): void {
    this.#streak += 1;
    this.#lastFailureAt = Math.max(this.#lastFailureAt, now);
  }

  /** Called on each ok probe of a container ready since `startedReadyAt`; resets the streak once it proved stable. */
  healthySince(startedReadyAt: number, now: number): void {
    if (this.#streak === 0) return;
    // Only a container that became ready after the newest failure proves the crash loop
    // is over; an old healthy neighbour says nothing about the replacements.
    if (startedReadyAt < this.#lastFailureAt) return;
    if (now - startedReadyAt >= this.#stableAfterMs) this.#streak = 0;
  }

  /** Forgets every failure so far: they were not the app's (e.g. the Docker engine went away). */
  reset(): void {
    this.#streak = 0;
    this.#lastFailureAt = Number.NEGATIVE_INFINITY;
  }

  /** Earliest time the next replacement may start (`now` when no wait is due). */
  nextStartAt(now: number): number {
    if (this.#streak === 0) return now;
    return Math.max(now, this.#lastFailureAt + backoffDelay(this.#streak, this.#options));
  }
}
