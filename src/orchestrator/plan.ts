// Pure decisions of the container set's owner: which containers to retire on a
// scale-down, which host port a new container gets, how many to start now.
import type { ContainerState } from '../status.js';
import type { PortRange } from '../config.js';

/** What the planner needs to know of a managed container. */
export interface PlannedContainer {
  readonly id: string;
  readonly state: ContainerState;
  readonly hostPort: number | null;
  /** Milliseconds since the epoch it was created or adopted. */
  readonly createdAt: number;
  readonly inFlight: number;
}

/** States that count toward the desired replicas. */
export function isActive(state: ContainerState): boolean {
  return state === 'starting' || state === 'ready';
}

/**
 * Picks `n` containers to retire on a scale-down: containers not yet ready first
 * (they serve nobody), then ready ones with the fewest requests in flight (they
 * drain fastest), the newest first on a tie (the oldest have proven themselves).
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

/**
 * The lowest port of `range` that no managed container holds (in any state: a
 * container being stopped still owns its port until it is removed), or null.
 * Without a range, 0: the engine picks an ephemeral port.
 */
export function allocateHostPort(range: PortRange | null, containers: readonly PlannedContainer[]): number | null {
  if (!range) return 0;
  const taken = new Set(containers.map((c) => c.hostPort));
  for (let port = range.first; port <= range.last; port++) if (!taken.has(port)) return port;
  return null;
}

/** How the owner should move toward the desired replicas now. */
export type ReconcileStep =
  | { readonly kind: 'steady' }
  | { readonly kind: 'start'; readonly count: number }
  | { readonly kind: 'wait'; readonly untilMs: number; readonly missing: number }
  | { readonly kind: 'retire'; readonly ids: readonly string[] };

/**
 * Compares the active containers with the desired count. Starts are held back
 * while the failure back-off runs; while containers keep failing (streak ≥ 2)
 * only one is started at a time, so a broken image cannot make us spin.
 */
export function planReconcile(input: {
  readonly desired: number;
  readonly containers: readonly PlannedContainer[];
  readonly now: number;
  readonly nextStartAt: number;
  readonly failureStreak: number;
}): ReconcileStep {
  const active = input.containers.filter((c) => isActive(c.state)).length;
  if (active > input.desired) return { kind: 'retire', ids: pickToRetire(input.containers, active - input.desired) };
  const missing = input.desired - active;
  if (missing === 0) return { kind: 'steady' };
  if (input.now < input.nextStartAt) return { kind: 'wait', untilMs: input.nextStartAt, missing };
  const starting = input.containers.filter((c) => c.state === 'starting').length;
  if (input.failureStreak >= 2) return starting > 0 ? { kind: 'steady' } : { kind: 'start', count: 1 };
  return { kind: 'start', count: missing };
}
