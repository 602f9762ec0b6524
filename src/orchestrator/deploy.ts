// Pure decisions of a rolling deploy: how far it has come, whether it is done, and
// whether a failing container aborts it. The owner (container-set.ts) asks these after
// every reconcile and every failure; the rolling itself is planReconcile's (plan.ts):
// containers of the old spec are "outdated" and are retired one by one as containers
// of the target spec become ready.
import type { ContainerState } from '../status.js';
import { isActive } from './plan.js';

/** What the deploy decisions need to know of a managed container. */
export interface DeployContainer {
  /** Spec hash it was made from. */
  readonly spec: string;
  readonly state: ContainerState;
  /** When it joined the rotation (null: not yet). */
  readonly readyAt: number | null;
}

/** A deploy's phase while it is not over. */
export type DeployPhase = 'running' | 'rolling-back';

/** How far a deploy is, and whether the owner should look again at a given time. */
export interface DeployProgress {
  /** Old replicas replaced, of `total`. */
  readonly done: number;
  /** Running: the target spec serves everything and has passed the verify period. Rolling back: the old spec serves everything again. */
  readonly finished: boolean;
  /** Nothing else may happen before then, but the verify period ends: look again (null: no such time). */
  readonly checkAt: number | null;
}

/**
 * `target` is the spec the deploy moves to now (the new one while running, the old
 * one while rolling back). Running, it is finished when no other spec is in the
 * rotation or starting, nothing of the target is still starting, at least one is
 * ready, and each ready one has served for `verifyMs` (a failure within that aborts);
 * rolling back needs no verify period (the old spec was serving before).
 */
export function deployProgress(input: {
  readonly phase: DeployPhase;
  readonly target: string;
  readonly total: number;
  readonly containers: readonly DeployContainer[];
  readonly now: number;
  readonly verifyMs: number;
}): DeployProgress {
  const active = input.containers.filter((c) => isActive(c.state));
  const others = active.filter((c) => c.spec !== input.target).length;
  const ours = active.filter((c) => c.spec === input.target);
  const ready = ours.filter((c) => c.state === 'ready');
  const done = Math.min(input.total, Math.max(0, input.total - others));
  const settled = others === 0 && ready.length > 0 && ready.length === ours.length;
  if (!settled) return { done, finished: false, checkAt: null };
  if (input.phase === 'rolling-back') return { done, finished: true, checkAt: null };
  const verifiedAt = Math.max(...ready.map((c) => (c.readyAt ?? input.now) + input.verifyMs));
  return verifiedAt <= input.now ? { done, finished: true, checkAt: null } : { done, finished: false, checkAt: verifiedAt };
}

/**
 * Whether a container that failed aborts the running deploy, and why: a container of
 * the target spec that failed to become ready (it never answered 200 within the
 * startup timeout, exited, or could not start), or that failed within `verifyMs` of
 * joining the rotation. Null: it does not (another spec's container, a rollback
 * already under way, or a new one that served its verify period first: it is only
 * replaced, like any container).
 */
export function deployAbortReason(input: {
  readonly phase: DeployPhase;
  readonly target: string;
  readonly spec: string;
  /** Its state when it failed. */
  readonly state: 'starting' | 'ready';
  readonly readyAt: number | null;
  readonly now: number;
  readonly verifyMs: number;
  /** What went wrong with it. */
  readonly failure: string;
}): string | null {
  if (input.phase !== 'running' || input.spec !== input.target) return null;
  if (input.state === 'starting') return `a container of the new spec failed to become ready: ${input.failure}`;
  const servedMs = input.now - (input.readyAt ?? input.now);
  if (servedMs < input.verifyMs) return `a container of the new spec failed ${servedMs}ms after joining the rotation (within --deploy-verify ${input.verifyMs}ms): ${input.failure}`;
  return null;
}
