// The ready set: members the proxy may send requests to, in round-robin order. The
// orchestrator adds a member when its health first answers and removes it the moment
// it leaves rotation; queued requests wait here for a member to appear.
import { systemClock } from '../clock.js';
import type { Clock } from '../clock.js';
import { nextRoundRobin } from './round-robin.js';
import type { Upstream } from './upstream.js';

/** Options for an UpstreamPool. */
export interface UpstreamPoolOptions {
  /** Timers for waitForMember. @default systemClock */
  readonly clock?: Clock;
}

/** The members in rotation, picked in strict round robin. */
export class UpstreamPool {
  readonly #clock: Clock;
  readonly #members: Upstream[] = [];
  #cursor = 0;
  #waiters = new Set<() => void>();

  constructor(options: UpstreamPoolOptions = {}) {
    this.#clock = options.clock ?? systemClock;
  }

  /** Puts a member in rotation (after the others); replaces one with the same id in place. Wakes waiting requests. */
  add(upstream: Upstream): void {
    const existing = this.#members.findIndex((m) => m.id === upstream.id);
    if (existing >= 0) this.#members[existing] = upstream;
    else this.#members.push(upstream);
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Takes a member out of rotation; returns it (to drain) or undefined if it was not in. */
  remove(id: string): Upstream | undefined {
    const index = this.#members.findIndex((m) => m.id === id);
    if (index < 0) return undefined;
    const [removed] = this.#members.splice(index, 1);
    // Keep the others' order: the member that was next stays next.
    if (index < this.#cursor) this.#cursor--;
    return removed;
  }

  /** The member with this id, if in rotation. */
  get(id: string): Upstream | undefined {
    return this.#members.find((m) => m.id === id);
  }

  /** Members in rotation order (a copy). */
  members(): readonly Upstream[] {
    return [...this.#members];
  }

  /** How many members are in rotation. */
  get size(): number {
    return this.#members.length;
  }

  /** The next member in round-robin order, passing over ids in `skip`; undefined if none is left. */
  next(skip?: ReadonlySet<string>): Upstream | undefined {
    const pick = nextRoundRobin(this.#members, this.#cursor, skip);
    if (!pick) return undefined;
    this.#cursor = pick.cursor;
    return this.#members[pick.index];
  }

  /**
   * Resolves true as soon as the pool has a member (at once if it has one), false after
   * `timeoutMs` or when `signal` aborts.
   */
  waitForMember(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.#members.length > 0) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const settle = (got: boolean): void => {
        this.#waiters.delete(onAdd);
        this.#clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(got);
      };
      const onAdd = (): void => settle(true);
      const onAbort = (): void => settle(false);
      const timer = this.#clock.setTimeout(() => settle(false), timeoutMs);
      this.#waiters.add(onAdd);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Requests waiting in waitForMember now. */
  get waiting(): number {
    return this.#waiters.size;
  }
}
