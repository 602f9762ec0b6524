// The course-assignment rule: fixed windows back to back. The first window starts at
// the first request; each lasts windowMs, covering [start, start + windowMs); the
// count resets at every window end and the scaler decides from the finished window's
// count. Once started, windows keep ending on schedule even when no request arrives.
import { WindowOptionsError } from './window.js';

/** Options of a TumblingWindow. */
export interface TumblingWindowOptions {
  /** Length of one window. */
  readonly windowMs: number;
}

/** A finished window: its request count and when it ended. */
export interface ClosedWindow {
  readonly count: number;
  readonly endedAt: number;
}

/** Back-to-back fixed windows, the first one starting at the first request. */
export class TumblingWindow {
  /** Length of one window in ms. */
  readonly windowMs: number;
  #start: number | undefined;
  #count = 0;
  // The newest finished window not yet handed out by closeDue.
  #unreported: ClosedWindow | undefined;

  constructor(options: TumblingWindowOptions) {
    if (!Number.isFinite(options.windowMs) || options.windowMs <= 0) {
      throw new WindowOptionsError(`windowMs must be a positive number of milliseconds, got ${String(options.windowMs)}; pass e.g. 30000 for a 30 s window.`);
    }
    this.windowMs = options.windowMs;
  }

  /** When the current window started; undefined before the first request. */
  get startedAt(): number | undefined {
    return this.#start;
  }

  /** When the current window ends; undefined before the first request. */
  get endsAt(): number | undefined {
    return this.#start === undefined ? undefined : this.#start + this.windowMs;
  }

  /** Counts one request that arrived at `now`; the first one starts the first window. */
  record(now: number): void {
    if (!Number.isFinite(now)) return;
    if (this.#start === undefined) this.#start = now;
    else this.#roll(now);
    // A late timestamp (clock stepped back) still counts in the current window:
    // a finished window's count is never changed after the fact.
    this.#count += 1;
  }

  /** Requests in the current window at `now` (0 before the first request). */
  count(now: number): number {
    this.#roll(now);
    return this.#count;
  }

  /**
   * The finished window's count, once, when a window has ended by `now`. If several
   * ended since the last call, only the newest is returned: it is the one to act on.
   */
  closeDue(now: number): ClosedWindow | undefined {
    this.#roll(now);
    const closed = this.#unreported;
    this.#unreported = undefined;
    return closed;
  }

  // Moves to the window that contains `now`, remembering the last one that ended.
  #roll(now: number): void {
    if (this.#start === undefined || !Number.isFinite(now)) return;
    const ended = Math.floor((now - this.#start) / this.windowMs);
    if (ended < 1) return;
    // With two or more windows ended, the newest of them had no requests.
    const count = ended === 1 ? this.#count : 0;
    this.#start += ended * this.windowMs;
    this.#unreported = { count, endedAt: this.#start };
    this.#count = 0;
  }
}
