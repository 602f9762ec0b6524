// The health loop: probes ready containers every intervalMs and starting ones more
// often, and reports each result to the owner, which decides what it means
// (healthVerdict). One probe per container at a time, never two.
import { systemClock } from '../clock.js';
import type { Clock, TimerHandle } from '../clock.js';
import { silentLogger } from '../log.js';
import type { Logger } from '../log.js';
import type { HealthResult } from '../status.js';
import { probeHealth } from './probe.js';

/** A container the checker probes. */
export interface HealthTarget {
  /** Docker's container id. */
  readonly id: string;
  /** Published port on 127.0.0.1. */
  readonly port: number;
  readonly phase: 'starting' | 'ready';
}

/** Options of a HealthChecker. */
export interface HealthCheckerOptions {
  /** The containers to probe now; read on every tick. */
  readonly targets: () => readonly HealthTarget[];
  /** Health path, e.g. `/api/v1/_health`. */
  readonly path: string;
  /** Time between probes of ready containers. */
  readonly intervalMs: number;
  /** Time between probes of starting containers, so they join quickly. @default min(250, intervalMs) */
  readonly startupIntervalMs?: number;
  /** Longest a probe may take. */
  readonly timeoutMs: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default systemClock */
  readonly clock?: Clock;
  /** Injectable for tests. @default probeHealth */
  readonly probe?: typeof probeHealth;
  /** @default silentLogger */
  readonly logger?: Logger;
  /** Receives every finished probe; `time` is the clock at completion. */
  readonly onResult: (id: string, result: HealthResult) => void;
}

/** Probes containers on two cadences and reports results. */
export class HealthChecker {
  readonly #options: HealthCheckerOptions;
  readonly #clock: Clock;
  readonly #probe: typeof probeHealth;
  readonly #logger: Logger;
  readonly #startupIntervalMs: number;
  readonly #inFlight = new Map<string, Promise<HealthResult>>();
  #readyTimer: TimerHandle | undefined;
  #startingTimer: TimerHandle | undefined;
  #running = false;
  // Aborted by stop(), so shutdown does not wait out slow probes.
  #abort = new AbortController();

  constructor(options: HealthCheckerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#probe = options.probe ?? probeHealth;
    this.#logger = options.logger ?? silentLogger;
    this.#startupIntervalMs = options.startupIntervalMs ?? Math.min(250, options.intervalMs);
  }

  /** Ids with a probe running now. */
  get inFlight(): readonly string[] {
    return [...this.#inFlight.keys()];
  }

  /** Probes every target at once, then keeps both cadences going until stop(). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    if (this.#abort.signal.aborted) this.#abort = new AbortController();
    this.#tick('ready');
    this.#tick('starting');
  }

  /** Stops the timers, aborts running probes and waits for them; their results are not reported. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#readyTimer !== undefined) this.#clock.clearTimeout(this.#readyTimer);
    if (this.#startingTimer !== undefined) this.#clock.clearTimeout(this.#startingTimer);
    this.#readyTimer = undefined;
    this.#startingTimer = undefined;
    this.#abort.abort();
    await Promise.allSettled([...this.#inFlight.values()]);
  }

  /**
   * Probes one container now and resolves with the result (also reported to onResult).
   * Shares a probe already running for it; undefined if it is not a target or the checker is stopped.
   */
  probeNow(id: string): Promise<HealthResult | undefined> {
    const running = this.#inFlight.get(id);
    if (running) return running;
    if (!this.#running) return Promise.resolve(undefined);
    const target = this.#options.targets().find((t) => t.id === id);
    return target ? this.#start(target) : Promise.resolve(undefined);
  }

  #tick(phase: HealthTarget['phase']): void {
    if (!this.#running) return;
    for (const target of this.#options.targets()) {
      // Still waiting on the previous probe: skip rather than pile up on a slow container.
      if (target.phase === phase && !this.#inFlight.has(target.id)) void this.#start(target);
    }
    const delay = phase === 'ready' ? this.#options.intervalMs : this.#startupIntervalMs;
    const timer = this.#clock.setTimeout(() => this.#tick(phase), delay);
    if (phase === 'ready') this.#readyTimer = timer;
    else this.#startingTimer = timer;
  }

  #start(target: HealthTarget): Promise<HealthResult> {
    const signal = this.#abort.signal;
    const run = async (): Promise<HealthResult> => {
      let outcome: Awaited<ReturnType<typeof probeHealth>>;
      try {
        outcome = await this.#probe({
          host: this.#options.host ?? '127.0.0.1',
          port: target.port,
          path: this.#options.path,
          timeoutMs: this.#options.timeoutMs,
          signal,
        });
      } catch (error) {
        // probeHealth never rejects; an injected probe might. It is still a failed probe.
        outcome = { ok: false, error: error instanceof Error ? error.message : String(error), durationMs: 0 };
      }
      const result: HealthResult = { time: this.#clock.now(), ...outcome };
      this.#inFlight.delete(target.id);
      if (!signal.aborted) this.#report(target.id, result);
      return result;
    };
    const promise = run();
    this.#inFlight.set(target.id, promise);
    return promise;
  }

  #report(id: string, result: HealthResult): void {
    try {
      this.#options.onResult(id, result);
    } catch (error) {
      // One failing handler call must not stop the other containers' checks.
      this.#logger.error('health.callback_failed', `the health result handler threw: ${error instanceof Error ? error.message : String(error)}`, { container: id });
    }
  }
}
