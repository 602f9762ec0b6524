// One member the proxy can forward to: a container's published port on the loopback.
// It counts what is in flight so the orchestrator can drain it (remove from the pool,
// then await whenIdle) before stopping the container.

/** A backend address with exact in-flight and served counters. */
export class Upstream {
  /** Stable id, usually the Docker container id. */
  readonly id: string;
  readonly host: string;
  readonly port: number;
  #inFlight = 0;
  #served = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(id: string, port: number, host = '127.0.0.1') {
    this.id = id;
    this.port = port;
    this.host = host;
  }

  /** Attempts (and upgraded tunnels) running against this member now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Responses this member completed (failed or aborted attempts do not count). */
  get served(): number {
    return this.#served;
  }

  /** Marks the start of one attempt. */
  begin(): void {
    this.#inFlight++;
  }

  /**
   * Marks the end of one attempt; `completed` is false when it failed or was aborted,
   * so `served` counts only responses the member finished.
   */
  end(completed = true): void {
    // Never go negative: a double end() is a bug elsewhere, not a reason to break drains.
    if (this.#inFlight === 0) return;
    this.#inFlight--;
    if (completed) this.#served++;
    if (this.#inFlight === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** Resolves when nothing is in flight (at once if nothing is). */
  whenIdle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** `id@host:port`, for logs. */
  toString(): string {
    return `${this.id}@${this.host}:${this.port}`;
  }
}
