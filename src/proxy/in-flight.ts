// One counter of work in flight with a "tell me when idle" promise: the proxy counts
// requests with it (close waits for them), each member counts attempts (a drain waits).

/** An exact in-flight count; whenIdle resolves when it reaches 0. */
export class InFlight {
  #count = 0;
  #idleWaiters: (() => void)[] = [];

  /** Work running now. */
  get count(): number {
    return this.#count;
  }

  /** Marks the start of one piece of work. */
  begin(): void {
    this.#count++;
  }

  /** Marks the end of one; false (and no change) if nothing was in flight, a bug elsewhere that must not break drains. */
  end(): boolean {
    if (this.#count === 0) return false;
    this.#count--;
    if (this.#count === 0 && this.#idleWaiters.length > 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const wake of waiters) wake();
    }
    return true;
  }

  /** Resolves when nothing is in flight (at once if nothing is). */
  whenIdle(): Promise<void> {
    if (this.#count === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }
}
