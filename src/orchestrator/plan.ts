// Pure decisions of the container set's owner: which containers to retire, how many
// to start now, and when to wait instead.
import type { ContainerState } from '../status.js';

/** What the planner needs to know of a managed container. */
export interface PlannedContainer {
  readonly id: string;
  readonly state: ContainerState;
  readonly hostPort: number | null;
  /** Milliseconds since the epoch it was created or adopted. */
  readonly createdAt: number;
  readonly inFlight: number;
  /** Made from the current spec; an outdated one serves only until current ones replace it. */
  readonly current: boolean;
}

/** States that count toward the desired replicas. */
export function isActive(state: ContainerState): boolean {
  return state === 'starting' || state === 'ready';
}

/**
 * Picks `n` containers to retire: containers not yet ready first (they serve
 * nobody), then ready ones with the fewest requests in flight (they drain fastest),
 * the newest first on a tie (the oldest have proven themselves).
 */
export function pickToRetire(containers: readonly PlannedContainer[], n: number): string[] {
  if (n <= 0) return [];
  const rank = (c: PlannedContainer): number => (c.state === 'starting' ? 0 : 1);
  return containers
    .filter((c) => isActive(c.state))
    .sort((a, b) => rank(a) - rank(b) || a.inFlight - b.inFlight || b.createdAt - a.createdAt || a.id.localeCompare(b.id))
    .slice(0, n)
    .map((c) => c.id);
}

/** What the owner does now: retire these, start that many, or wait until a time to start. */
export interface ReconcilePlan {
  readonly retire: readonly string[];
  readonly start: number;
  /** Starts are held back by the failure back-off until then (null: no wait). */
  readonly waitUntilMs: number | null;
  /** Current containers missing (what a wait holds back). */
  readonly missing: number;
}

/**
 * Compares the active containers with the desired count. Only current-spec
 * containers count toward it; an outdated one keeps serving until enough current
 * ones are ready to take its place, then is retired (a rolling replacement).
 * Starts are held back while the failure back-off runs; while containers keep
 * failing (streak ≥ 2) only one is started at a time, so a broken image cannot
 * make us spin.
 */
export function planReconcile(input: {
  readonly desired: number;
  readonly containers: readonly PlannedContainer[];
  readonly now: number;
  readonly nextStartAt: number;
  readonly failureStreak: number;
  /**
   * During a deploy: at most this many replacements of outdated containers start at
   * once (`--deploy-parallel`); containers wanted beyond those replacing one (a scale-up)
   * start at once. Null: no limit.
   */
  readonly parallel?: number | null;
}): ReconcilePlan {
  const active = input.containers.filter((c) => isActive(c.state));
  const current = active.filter((c) => c.current);
  const outdated = active.filter((c) => !c.current);
  const currentReady = current.filter((c) => c.state === 'ready').length;
  // Outdated ones stay only while they make up for current ones not ready yet.
  const outdatedKept = Math.max(0, Math.min(outdated.length, input.desired - currentReady));
  const retire = [...pickToRetire(current, current.length - input.desired), ...pickToRetire(outdated, outdated.length - outdatedKept)];
  const missing = Math.max(0, input.desired - current.length);
  if (missing === 0) return { retire, start: 0, waitUntilMs: null, missing };
  if (input.now < input.nextStartAt) return { retire, start: 0, waitUntilMs: input.nextStartAt, missing };
  const starting = current.filter((c) => c.state === 'starting').length;
  if (input.failureStreak >= 2) return { retire, start: starting > 0 ? 0 : 1, waitUntilMs: null, missing };
  if (input.parallel === undefined || input.parallel === null) return { retire, start: missing, waitUntilMs: null, missing };
  const beyondReplacing = Math.max(0, input.desired - current.length - outdatedKept);
  return { retire, start: Math.min(missing, beyondReplacing + Math.max(0, input.parallel - starting)), waitUntilMs: null, missing };
}
