// The scaler loop: a timer reads the window, asks desiredReplicas, puts the floors of
// stabilize.ts under it (--scale-down-delay, adopted containers warming up) and hands
// the decision to the owner of the container set. It changes nothing itself.
import { systemClock } from '../clock.js';
import { SymphonyError } from '../errors.js';
import type { Clock, TimerHandle } from '../clock.js';
import { silentLogger } from '../log.js';
import type { Logger } from '../log.js';
import type { ScaleDecision } from '../status.js';
import { desiredReplicas } from './desired.js';
import { adoptedWarmup, stabilizeScaleDown, type AdoptedHold, type Recommendation } from './stabilize.js';
import { TumblingWindow } from './tumbling.js';
import { SlidingWindow } from './window.js';

/** Options of a Scaler. */
export interface ScalerOptions {
  /** 'sliding': decide every tick from the last windowMs; 'tumbling': decide at each window end. */
  readonly mode: 'sliding' | 'tumbling';
  /** Must match the mode: a SlidingWindow for 'sliding', a TumblingWindow for 'tumbling'. */
  readonly window: SlidingWindow | TumblingWindow;
  /** One more replica per this many requests in the window. */
  readonly base: number;
  readonly min: number;
  readonly max: number;
  /** Scale down only to the highest count asked for during this long (0: at once). @default 0 */
  readonly scaleDownDelayMs?: number;
  /** Time between ticks. In tumbling mode a tick is also scheduled at each window end. @default 1000 */
  readonly intervalMs?: number;
  /** @default systemClock */
  readonly clock?: Clock;
  /** @default silentLogger */
  readonly logger?: Logger;
  /**
   * Called on every tick with the current decision (in tumbling mode the one held since
   * the last window end), so the owner can keep reconciling to it.
   */
  readonly onDecision: (decision: ScaleDecision) => void;
}

/** Thrown when the scaler is given a window that does not match its mode. */
export class ScalerOptionsError extends SymphonyError {
  override readonly name = 'ScalerOptionsError';
  declare readonly code: 'SCALER_OPTIONS_INVALID';
  constructor(message: string) {
    super('SCALER_OPTIONS_INVALID', message);
  }
}

/** Periodically turns the request window into a desired replica count. */
export class Scaler {
  readonly #options: ScalerOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #intervalMs: number;
  readonly #scaleDownDelayMs: number;
  // What the rule says (in tumbling mode: held since the last window end), before the floors.
  #rule: ScaleDecision;
  #decision: ScaleDecision;
  #recent: readonly Recommendation[] = [];
  #adopted: AdoptedHold | null = null;
  #logged: ScaleDecision | undefined;
  #timer: TimerHandle | undefined;
  #running = false;

  constructor(options: ScalerOptions) {
    const { mode, window } = options;
    if (mode === 'sliding' && !(window instanceof SlidingWindow)) {
      throw new ScalerOptionsError("mode 'sliding' needs a SlidingWindow; pass new SlidingWindow({ windowMs }) or use mode 'tumbling'.");
    }
    if (mode === 'tumbling' && !(window instanceof TumblingWindow)) {
      throw new ScalerOptionsError("mode 'tumbling' needs a TumblingWindow; pass new TumblingWindow({ windowMs }) or use mode 'sliding'.");
    }
    const intervalMs = options.intervalMs ?? 1000;
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
      throw new ScalerOptionsError(`intervalMs must be a positive number of milliseconds, got ${String(intervalMs)}.`);
    }
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#intervalMs = intervalMs;
    const delay = options.scaleDownDelayMs ?? 0;
    if (!Number.isFinite(delay) || delay < 0) {
      throw new ScalerOptionsError(`scaleDownDelayMs must be 0 or a positive number of milliseconds, got ${String(delay)}.`);
    }
    this.#scaleDownDelayMs = delay;
    // Also checks base/min/max now, so a bad config fails at construction, not on the first tick.
    const idle = desiredReplicas({ count: 0, base: options.base, min: options.min, max: options.max });
    this.#rule = mode === 'tumbling' ? pending(idle, options.min) : idle;
    this.#decision = this.#rule;
  }

  /**
   * Keeps `count` containers adopted from an earlier run until one window has passed
   * from `now`: the window starts empty and would otherwise drain them at once.
   */
  holdAdopted(count: number, now: number): void {
    this.#adopted = count > 0 ? { adopted: count, since: now } : null;
  }

  /** The newest decision (before the first tick: what an empty window asks for). */
  get lastDecision(): ScaleDecision {
    return this.#decision;
  }

  /** Evaluates at once, then keeps ticking until stop(). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#tick();
  }

  /** Stops the timer; an evaluation in progress finishes. */
  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** One step: read the window, decide, log a change, tell the owner. */
  evaluate(now: number): ScaleDecision {
    const { window, base, min, max } = this.#options;
    if (window instanceof SlidingWindow) {
      this.#rule = desiredReplicas({ count: window.count(now), base, min, max });
    } else {
      const closed = window.closeDue(now);
      if (closed) this.#rule = desiredReplicas({ count: closed.count, base, min, max });
    }
    const stabilized = stabilizeScaleDown(this.#recent, this.#rule, now, this.#scaleDownDelayMs);
    this.#recent = stabilized.recent;
    const decision = adoptedWarmup(stabilized.decision, this.#adopted, now, window.windowMs, max);
    this.#decision = decision;
    this.#logIfChanged(decision);
    try {
      this.#options.onDecision(decision);
    } catch (error) {
      // The owner's failure must not stop the loop; the next tick repeats the decision.
      this.#logger.error('scale.callback_failed', `the scale decision handler threw: ${describe(error)}`, { desired: decision.replicas });
    }
    return decision;
  }

  #tick(): void {
    if (!this.#running) return;
    const now = this.#clock.now();
    this.evaluate(now);
    if (!this.#running) return; // onDecision may have called stop()
    let delay = this.#intervalMs;
    const { window } = this.#options;
    // Decide right at a tumbling window's end instead of up to one interval later.
    if (window instanceof TumblingWindow && window.endsAt !== undefined) {
      delay = Math.min(delay, Math.max(1, window.endsAt - now));
    }
    this.#timer = this.#clock.setTimeout(() => this.#tick(), delay);
  }

  #logIfChanged(decision: ScaleDecision): void {
    const previous = this.#logged;
    if (previous && previous.replicas === decision.replicas && previous.reason === decision.reason) return;
    this.#logged = decision;
    this.#logger.info('scale.decision', message(decision), {
      count: decision.count,
      desired: decision.replicas,
      proposed: decision.proposed,
      reason: decision.reason,
      ...(previous ? { previous: previous.replicas } : {}),
    });
  }
}

// Before the first tumbling window has ended there is nothing to decide from: run min.
function pending(idle: ScaleDecision, min: number): ScaleDecision {
  return { replicas: min, reason: 'WindowPending', proposed: idle.proposed, count: 0 };
}

function message(d: ScaleDecision): string {
  switch (d.reason) {
    case 'WindowPending':
      return `waiting for the first window to end; running the minimum of ${d.replicas}`;
    case 'TooFewReplicas':
      return `${d.count} requests ask for ${d.proposed}, raised to the minimum of ${d.replicas}`;
    case 'TooManyReplicas':
      return `${d.count} requests ask for ${d.proposed}, capped at the maximum of ${d.replicas}`;
    case 'Rule':
      return `${d.count} requests in the window: ${d.replicas} replica${d.replicas === 1 ? '' : 's'}`;
    case 'ScaleDownStabilized':
      return `${d.count} requests ask for ${d.proposed}; holding ${d.replicas}, the highest count of the scale-down delay`;
    case 'AdoptedWarmup':
      return `${d.count} requests ask for ${d.proposed}; keeping the ${d.replicas} adopted ${d.replicas === 1 ? 'container' : 'containers'} until one window has passed since the start`;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
