// When a health-probe timeout is the container's fault and when it is ours. Pure:
// the checker passes in what it measured and acts on the answer.
//
// Two rules. A probe that timed out while our own event loop was stalled for a good
// part of its timeout says nothing about the container (it may have answered and we
// could not read it). And when every ready container times out in the same round,
// the likelier culprit is this process or this host, not all of them at once: keep
// serving with them (Envoy's panic threshold), but only for a bounded number of
// rounds in which our loop was demonstrably fine.

/** Share of the probe timeout our event loop may lose to lag before a timeout stops meaning anything. */
export const LAG_INCONCLUSIVE_SHARE = 0.5;

/** All-timed-out rounds in a row, with our loop not lagging, after which the timeouts count again. */
export const PANIC_RELEASE_ROUNDS = 3;

/** Ready containers that must all time out in one round to start a panic. */
export const PANIC_MIN_READY = 2;

/** True when a timed-out probe says something about the container: our loop lost less than LAG_INCONCLUSIVE_SHARE of the timeout. */
export function timeoutConclusive(input: { readonly timeoutMs: number; readonly lagMs: number }): boolean {
  return input.lagMs < input.timeoutMs * LAG_INCONCLUSIVE_SHARE;
}

/** Whether the checker is in panic (failing timeouts are held back), since when, and for how many quiet rounds. */
export interface PanicState {
  readonly panic: boolean;
  /** When the panic started (ms since the epoch); null when calm. */
  readonly since: number | null;
  /** Consecutive all-timed-out rounds in which our event loop was not lagging. */
  readonly quietRounds: number;
}

/** Not in panic. */
export const CALM: PanicState = { panic: false, since: null, quietRounds: 0 };

/** What one round of probes of the ready containers found. */
export interface HealthRound {
  readonly now: number;
  /** Ready containers probed in this round. */
  readonly probed: number;
  /** Of those, timeouts judged conclusive (our loop was fine). */
  readonly timedOut: number;
  /** Of those, timeouts judged inconclusive (our loop was lagging). */
  readonly inconclusive: number;
}

/** The next panic state, whether the round's conclusive timeouts are reported as failures, and what changed. */
export interface PanicStep {
  readonly state: PanicState;
  readonly failTimeouts: boolean;
  /** started / ended (a container answered) / released (too many quiet rounds) / null: no change. */
  readonly change: 'started' | 'ended' | 'released' | null;
}

/** Advances the panic state by one round of probes of the ready containers. */
export function panicStep(state: PanicState, round: HealthRound): PanicStep {
  const allTimedOut = round.probed > 0 && round.timedOut + round.inconclusive === round.probed;
  // Nothing was probed, or only our own lag spoke: nothing to fail, nothing learned.
  if (round.probed === 0 || (allTimedOut && round.timedOut === 0)) {
    return { state: round.probed === 0 ? state : { ...state, quietRounds: 0 }, failTimeouts: false, change: null };
  }
  // Entering needs a set (one container timing out is that container's problem); staying needs one member still silent.
  const suspectUs = allTimedOut && round.probed >= (state.panic ? 1 : PANIC_MIN_READY);
  if (!suspectUs) {
    return { state: CALM, failTimeouts: true, change: state.panic ? 'ended' : null };
  }
  // A round with any lag-judged timeout is not evidence that they are stuck while we are fine.
  const quietRounds = round.inconclusive > 0 ? 0 : state.quietRounds + 1;
  if (quietRounds >= PANIC_RELEASE_ROUNDS) {
    return { state: CALM, failTimeouts: true, change: state.panic ? 'released' : null };
  }
  return {
    state: { panic: true, since: state.since ?? round.now, quietRounds },
    failTimeouts: false,
    change: state.panic ? null : 'started',
  };
}
