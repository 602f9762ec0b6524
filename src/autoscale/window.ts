// The sliding request window: the proxy calls record(now) on every request, the
// scaler calls count(now) every tick. A ring of fixed time buckets keeps record O(1)
// and memory bounded by windowMs / resolutionMs, whatever the request rate.
//
// Counting rule (exact to the bucket): time is cut into slots of resolutionMs,
// slot(t) = floor(t / resolutionMs), and the window holds the newest
// N = windowMs / resolutionMs slots. A request recorded at t is counted at `now`
// while slot(now) - slot(t) < N. When t and now fall on bucket boundaries that is
// exactly `now - t < windowMs`; otherwise a request is counted for a little less than
// windowMs (more than windowMs - resolutionMs, never longer than windowMs).
// A window that is not a multiple of the resolution is rounded up to whole buckets
// (N = ceil(windowMs / resolutionMs)); a resolution longer than the window is cut to it.
//
// Time going backwards: a record a little late (its slot still inside the window)
// goes into its own bucket; a record older than the whole window is outside it and
// ignored. A count(now) more than a whole window behind the newest time seen means
// the clock was stepped back: the window restarts empty from there, instead of
// ignoring every request until the clock catches up again.
import { SymphonyError } from '../errors.js';

/** Options of a SlidingWindow. */
export interface SlidingWindowOptions {
  /** Length of the window. */
  readonly windowMs: number;
  /** Width of one bucket: the precision of the edges. @default 100 */
  readonly resolutionMs?: number;
}

/** Thrown when a window is given a length or resolution it cannot work with. */
export class WindowOptionsError extends SymphonyError {
  override readonly name = 'WindowOptionsError';
  declare readonly code: 'WINDOW_OPTIONS_INVALID';
  constructor(message: string) {
    super('WINDOW_OPTIONS_INVALID', message);
  }
}

/** Requests seen in the last windowMs, in a ring of time buckets. */
export class SlidingWindow {
  /** Length of the window in ms. */
  readonly windowMs: number;
  /** Width of one bucket in ms. */
  readonly resolutionMs: number;
  // counts[slot % N] holds the requests of that slot, for the N newest slots.
  readonly #counts: Float64Array;
  // Newest slot the ring has been advanced to; -Infinity before the first call.
  #head = Number.NEGATIVE_INFINITY;
  // Sum of #counts, kept up to date so count() is O(1) between bucket changes.
  #total = 0;

  constructor(options: SlidingWindowOptions) {
    checkPositive('windowMs', options.windowMs);
    checkPositive('resolutionMs', options.resolutionMs ?? 100);
    const resolutionMs = Math.min(options.resolutionMs ?? 100, options.windowMs);
    this.windowMs = options.windowMs;
    this.resolutionMs = resolutionMs;
    this.#counts = new Float64Array(Math.max(1, Math.ceil(options.windowMs / resolutionMs)));
  }

  /** Number of buckets in the ring (fixed for the life of the window). */
  get bucketCount(): number {
    return this.#counts.length;
  }

  /** Counts one request that arrived at `now`. */
  record(now: number): void {
    if (!Number.isFinite(now)) return;
    const slot = Math.floor(now / this.resolutionMs);
    if (slot > this.#head) this.#advance(slot);
    else if (this.#head - slot >= this.#counts.length) return; // older than the window
    this.#counts[mod(slot, this.#counts.length)]! += 1;
    this.#total += 1;
  }

  /** Requests counted at `now` (see the rule at the top of this file). */
  count(now: number): number {
    if (!Number.isFinite(now)) return this.#total;
    const slot = Math.floor(now / this.resolutionMs);
    if (slot > this.#head) this.#advance(slot);
    else if (this.#head - slot >= this.#counts.length) this.#restart(slot);
    // A count slightly behind the newest record still answers with the newest total:
    // the buckets it would need have already been reused.
    return this.#total;
  }

  // Moves the head forward to `slot`, emptying the buckets that fall out of the window.
  #advance(slot: number): void {
    const n = this.#counts.length;
    if (slot - this.#head >= n) {
      this.#counts.fill(0);
      this.#total = 0;
    } else {
      for (let s = this.#head + 1; s <= slot; s++) {
        const i = mod(s, n);
        this.#total -= this.#counts[i]!;
        this.#counts[i] = 0;
      }
    }
    this.#head = slot;
  }

  #restart(slot: number): void {
    this.#counts.fill(0);
    this.#total = 0;
    this.#head = slot;
  }
}

// A modulo that stays positive for negative slots (timestamps before 1970 in tests).
function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

function checkPositive(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new WindowOptionsError(`${name} must be a positive number of milliseconds, got ${String(value)}; pass e.g. 30000 for a 30 s window.`);
  }
}
