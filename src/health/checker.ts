// The health loop: probes ready containers every intervalMs and starting ones more
// often, and reports each result to the owner, which decides what it means
// (healthVerdict). One probe per container at a time, never two.
//
// Before it reports a timeout it asks whether the timeout means anything (panic.ts):
// not when our own event loop was stalled through the probe, and not while every
// ready container is timing out together. The ready containers probed by one tick
// form a round; their timeouts are held until the round is complete, so the round
// can be judged as a whole. Answers (200, non-200, refused, reset) are never held.
import { systemClock } from '../clock.js';
import type { Clock, TimerHandle } from '../clock.js';
import { silentLogger } from '../log.js';
import type { Logger } from '../log.js';
import type { HealthResult } from '../status.js';
import { EventLoopLag } from './loop-lag.js';
import type { LoopLagMeter } from './loop-lag.js';
import { CALM, PANIC_RELEASE_ROUNDS, panicStep, timeoutConclusive } from './panic.js';
import type { PanicState } from './panic.js';
import { probeHealth } from './probe.js';

/** A replica the checker probes. */
export interface HealthTarget {
  /** The replica's id (container id; service id on a swarm). */
  readonly id: string;
  /** Where its port is published (a swarm node's address). @default the checker's `host` */
  readonly host?: string;
  readonly port: number;
  readonly phase: 'starting' | 'ready';
}

/** Why a failed probe was not reported: our loop lagged through it, or every ready container timed out together. */
export type InconclusiveReason = 'event_loop_lag' | 'panic';

/** The checker's view of itself: whether it suspects itself, since when, and its event loop's recent lag. */
export interface HealthSelfStatus {
  readonly panic: boolean;
  /** ms since the epoch; null when not in panic. */
  readonly since: number | null;
  /** Longest stall of our event loop in the last second. */
  readonly eventLoopLagMs: number;
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
  /** Measures our own event loop's stalls; started and stopped with the checker. @default EventLoopLag on `clock` */
  readonly lag?: LoopLagMeter;
  /** @default silentLogger */
  readonly logger?: Logger;
  /** Receives every probe that says something about the container; `time` is the clock at completion. */
  readonly onResult: (id: string, result: HealthResult) => void;
  /** Receives every failed probe that was not reported, and why. */
  readonly onInconclusive?: (id: string, result: HealthResult, reason: InconclusiveReason) => void;
}

// One probe in flight. `seq` orders probes, so probeNow can tell whether one began
// before it was called; `done` resolves with what was reported (undefined: nothing).
interface Flight {
  readonly seq: number;
  finished: Promise<void>;
  readonly done: Promise<HealthResult | undefined>;
}

// The ready containers one tick probed; their conclusive timeouts wait here.
interface Round {
  readonly signal: AbortSignal;
  probed: number;
  pending: number;
  inconclusive: number;
  readonly held: { id: string; result: HealthResult; resolve: (r: HealthResult | undefined) => void }[];
}

/** Probes containers on two cadences and reports results. */
export class HealthChecker {
  readonly #options: HealthCheckerOptions;
  readonly #clock: Clock;
  readonly #probe: typeof probeHealth;
  readonly #lag: LoopLagMeter;
  readonly #logger: Logger;
  readonly #startupIntervalMs: number;
  readonly #inFlight = new Map<string, Flight>();
  #seq = 0;
  #panic: PanicState = CALM;
  #readyTimer: TimerHandle | undefined;
  #startingTimer: TimerHandle | undefined;
  #running = false;
  // Aborted by stop(): tells a round that closes afterwards that nobody listens.
  #abort = new AbortController();
  // One controller per running probe, all aborted by stop() so shutdown does not wait
  // out slow probes. (One shared signal would collect a listener per probe: with 11+
  // containers node warns MaxListenersExceeded.)
  readonly #probeAborts = new Set<AbortController>();

  constructor(options: HealthCheckerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#probe = options.probe ?? probeHealth;
    this.#lag = options.lag ?? new EventLoopLag({ clock: this.#clock, horizonMs: Math.max(10_000, 2 * options.timeoutMs) });
    this.#logger = options.logger ?? silentLogger;
    this.#startupIntervalMs = options.startupIntervalMs ?? Math.min(250, options.intervalMs);
  }

  /** Ids with a probe running now. */
  get inFlight(): readonly string[] {
    return [...this.#inFlight.keys()];
  }

  /** Whether timeouts are being held back because every ready container timed out together, and our loop's lag. */
  status(): HealthSelfStatus {
    return { panic: this.#panic.panic, since: this.#panic.since, eventLoopLagMs: this.#lag.recentMs() };
  }

  /** Probes every target at once, then keeps both cadences going until stop(). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#panic = CALM;
    if (this.#abort.signal.aborted) this.#abort = new AbortController();
    this.#lag.start();
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
    for (const controller of this.#probeAborts) controller.abort();
    this.#lag.stop();
    await Promise.allSettled([...this.#inFlight.values()].map((f) => f.finished));
  }

  /**
   * Probes one container now and resolves with the result of a probe that began after
   * this call (also reported to onResult). A probe already running began before: it may
   * predate whatever made the caller ask (a crash), so its success does not count; it is
   * awaited (one probe at a time) and a fresh one follows. A failure it reported stands.
   * Undefined if the result says nothing about the container (see InconclusiveReason),
   * if it is not a target, or if the checker is stopped.
   */
  async probeNow(id: string): Promise<HealthResult | undefined> {
    const asked = this.#seq;
    const earlier = this.#inFlight.get(id);
    if (earlier) {
      const reported = await earlier.done;
      if (reported !== undefined && !reported.ok) return reported;
    }
    // Another caller may have started the fresh probe while we waited: share it.
    const fresh = this.#inFlight.get(id);
    if (fresh && fresh.seq >= asked) return fresh.done;
    if (!this.#running) return undefined;
    const target = this.#options.targets().find((t) => t.id === id);
    return target ? this.#launch(target, undefined).done : undefined;
  }

  #tick(phase: HealthTarget['phase']): void {
    if (!this.#running) return;
    const round: Round | undefined = phase === 'ready' ? { signal: this.#abort.signal, probed: 0, pending: 0, inconclusive: 0, held: [] } : undefined;
    for (const target of this.#options.targets()) {
      // Still waiting on the previous probe: skip rather than pile up on a slow container.
      if (target.phase === phase && !this.#inFlight.has(target.id)) this.#launch(target, round);
    }
    const delay = phase === 'ready' ? this.#options.intervalMs : this.#startupIntervalMs;
    const timer = this.#clock.setTimeout(() => this.#tick(phase), delay);
    if (phase === 'ready') this.#readyTimer = timer;
    else this.#startingTimer = timer;
  }

  #launch(target: HealthTarget, round: Round | undefined): Flight {
    const seq = this.#seq++;
    const controller = new AbortController();
    if (this.#abort.signal.aborted) controller.abort();
    this.#probeAborts.add(controller);
    const signal = controller.signal;
    let resolveDone: (r: HealthResult | undefined) => void = () => {};
    const done = new Promise<HealthResult | undefined>((resolve) => (resolveDone = resolve));
    if (round) {
      round.probed++;
      round.pending++;
    }
    const run = async (): Promise<void> => {
      const startedAt = this.#clock.now();
      let outcome: Awaited<ReturnType<typeof probeHealth>>;
      try {
        outcome = await this.#probe({
          host: target.host ?? this.#options.host ?? '127.0.0.1',
          port: target.port,
          path: this.#options.path,
          timeoutMs: this.#options.timeoutMs,
          signal,
          clock: this.#clock, // the same time base as the lag it is judged against
        });
      } catch (error) {
        // probeHealth never rejects; an injected probe might. It is still a failed probe.
        outcome = { ok: false, error: error instanceof Error ? error.message : String(error), durationMs: 0 };
      }
      const result: HealthResult = {
        time: this.#clock.now(),
        ok: outcome.ok,
        ...(outcome.status !== undefined ? { status: outcome.status } : {}),
        ...(outcome.error !== undefined ? { error: outcome.error } : {}),
        durationMs: outcome.durationMs,
      };
      this.#probeAborts.delete(controller);
      if (this.#inFlight.get(target.id)?.seq === seq) this.#inFlight.delete(target.id);
      if (signal.aborted) resolveDone(undefined);
      else this.#judge(target, result, startedAt, round, resolveDone);
      if (round && --round.pending === 0) this.#closeRound(round);
    };
    // In the map before run() starts: an injected probe that throws at once finishes synchronously.
    const flight: Flight = { seq, finished: Promise.resolve(), done };
    this.#inFlight.set(target.id, flight);
    flight.finished = run();
    return flight;
  }

  // Reports what the probe says, holds a round member's timeout, or drops what says nothing.
  #judge(target: HealthTarget, result: HealthResult, startedAt: number, round: Round | undefined, resolve: (r: HealthResult | undefined) => void): void {
    // Only silence can be our fault: any non-200 status is an answer, even if its body then timed out.
    const silent = result.error === 'timeout' && (result.status === undefined || result.status === 200);
    if (result.ok || !silent) {
      this.#report(target.id, result);
      resolve(result);
      return;
    }
    const lagMs = this.#lag.stalledDuring(startedAt, result.time);
    if (!timeoutConclusive({ timeoutMs: this.#options.timeoutMs, lagMs })) {
      if (round) round.inconclusive++;
      this.#inconclusive(target.id, result, 'event_loop_lag');
      resolve(undefined);
      return;
    }
    if (round) {
      round.held.push({ id: target.id, result, resolve });
      return;
    }
    if (target.phase === 'ready' && this.#panic.panic) {
      this.#inconclusive(target.id, result, 'panic');
      resolve(undefined);
      return;
    }
    this.#report(target.id, result);
    resolve(result);
  }

  #closeRound(round: Round): void {
    if (round.signal.aborted) {
      for (const h of round.held) h.resolve(undefined);
      return;
    }
    const now = this.#clock.now();
    const before = this.#panic;
    const step = panicStep(before, { now, probed: round.probed, timedOut: round.held.length, inconclusive: round.inconclusive });
    this.#panic = step.state;
    const lasted = before.since === null ? 0 : now - before.since;
    switch (step.change) {
      case 'started':
        this.#logger.warn(
          'health.panic',
          `all ${round.probed} ready containers timed out in the same health check round: suspecting this process or host, not them; they stay in rotation (for at most ${PANIC_RELEASE_ROUNDS} such rounds while this process is not lagging)`,
          { ready: round.probed },
        );
        break;
      case 'ended':
        this.#logger.info('health.panic_ended', `a ready container answered its health check again; health panic over after ${lasted} ms`, { reason: 'answered', durationMs: lasted });
        break;
      case 'released':
        this.#logger.warn(
          'health.panic_ended',
          `ready containers kept timing out for ${PANIC_RELEASE_ROUNDS} rounds while this process was not lagging: they are stuck, not us; their health check failures go through`,
          { reason: 'released', durationMs: lasted },
        );
        break;
      case null:
        break;
    }
    // After the line that explains them.
    for (const h of round.held) {
      if (step.failTimeouts) {
        this.#report(h.id, h.result);
        h.resolve(h.result);
      } else {
        this.#inconclusive(h.id, h.result, 'panic');
        h.resolve(undefined);
      }
    }
  }

  #inconclusive(id: string, result: HealthResult, reason: InconclusiveReason): void {
    this.#logger.debug('health.inconclusive', `health check of ${id.slice(0, 12)} timed out but says nothing about it (${reason === 'panic' ? 'every ready container timed out together' : 'our own event loop was stalled'}); probing it again`, {
      container: id,
      reason,
    });
    try {
      this.#options.onInconclusive?.(id, result, reason);
    } catch (error) {
      this.#logger.error('health.callback_failed', `the inconclusive-result handler threw: ${error instanceof Error ? error.message : String(error)}`, { container: id });
    }
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
