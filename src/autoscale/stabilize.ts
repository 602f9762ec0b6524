// Floors under a scale-down, applied after the replica rule. Pure: no I/O, no clock.
//
// - Scale-down stabilisation (the Kubernetes HPA's behaviour.scaleDown
//   .stabilizationWindowSeconds): run the highest count the rule asked for during the
//   last `delayMs`, so a burst followed by a lull does not stop containers only to
//   start them again. Scale-up is never delayed: the newest recommendation is in the set.
// - Adopted warm-up: after a restart the request window starts empty, so the rule asks
//   for the minimum; containers adopted from the earlier run are kept until one whole
//   window has passed since the start, when the count means something again.
import type { ScaleDecision } from '../status.js';

/** What the replica rule asked for at one moment. */
export interface Recommendation {
  /** Milliseconds since the epoch. */
  readonly at: number;
  readonly replicas: number;
}

/** The stabilised decision and the recommendations still inside the delay (pass them back next time). */
export interface Stabilized {
  readonly decision: ScaleDecision;
  readonly recent: readonly Recommendation[];
}

/**
 * Scales down only to the highest recommendation of the last `delayMs` (the newest,
 * `decision`, included). A delay of 0 keeps the rule's decision and no history.
 * The reason becomes `ScaleDownStabilized` when an older recommendation holds the count up.
 */
export function stabilizeScaleDown(recent: readonly Recommendation[], decision: ScaleDecision, now: number, delayMs: number): Stabilized {
  if (!(delayMs > 0)) return { decision, recent: [] };
  // Strictly inside (now - delay, now]: a recommendation exactly delayMs old has expired.
  // A recommendation from the future (the clock stepped back) is dropped, not trusted.
  const kept = recent.filter((r) => r.at > now - delayMs && r.at <= now);
  kept.push({ at: now, replicas: decision.replicas });
  const highest = Math.max(...kept.map((r) => r.replicas));
  const stabilized: ScaleDecision = highest > decision.replicas ? { ...decision, replicas: highest, reason: 'ScaleDownStabilized' } : decision;
  return { decision: stabilized, recent: kept };
}

/** Containers adopted at start, and when the scaler started counting. */
export interface AdoptedHold {
  readonly adopted: number;
  readonly since: number;
}

/**
 * Keeps the adopted containers (at most `max`) until one window has passed since
 * `hold.since`; reason `AdoptedWarmup` while that floor is what holds the count up.
 */
export function adoptedWarmup(decision: ScaleDecision, hold: AdoptedHold | null, now: number, windowMs: number, max: number): ScaleDecision {
  if (hold === null || now >= hold.since + windowMs) return decision;
  const floor = Math.min(hold.adopted, max);
  return floor > decision.replicas ? { ...decision, replicas: floor, reason: 'AdoptedWarmup' } : decision;
}
