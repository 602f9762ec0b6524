// One member the proxy can forward to: a container's published port on the loopback.
// It counts what is in flight so the orchestrator can drain it (remove from the pool,
// then await whenIdle) before stopping the container.
import { InFlight } from './in-flight.js';

/** A backend address with exact in-flight and served counters. */
export class Upstream {
  /** Stable id, usually the Docker container id. */
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly #inFlight = new InFlight();
  #served = 0;

  constructor(id: string, port: number, host = '127.0.0.1') {
    this.id = id;
    this.port = port;
    this.host = host;
  }

  /** Attempts (and upgraded tunnels) running against this member now. */
  get inFlight(): number {
    return this.#inFlight.count;
  }

  /** Responses this member completed (failed or aborted attempts do not count). */
  get served(): number {
    return this.#served;
  }

  /** Marks the start of one attempt. */
  begin(): void {
    this.#inFlight.begin();
  }

  /**
   * Marks the end of one attempt; `completed` is false when it failed or was aborted,
   * so `served` counts only responses the member finished.
   */
  end(completed = true): void {
    if (this.#inFlight.end() && completed) this.#served++;
  }

  /** Resolves when nothing is in flight (at once if nothing is). */
  whenIdle(): Promise<void> {
    return this.#inFlight.whenIdle();
  }

  /** `id@host:port`, for logs. */
  toString(): string {
    return `${this.id}@${this.host}:${this.port}`;
  }
}
