// The shape of what the orchestrator reports about itself: read by the admin API,
// the dashboard and embedders (`symphony.status()`).
import type { LogRecord } from './log.js';

/** Lifecycle of a managed container. */
export type ContainerState = 'starting' | 'ready' | 'draining' | 'unhealthy' | 'stopping';

export const CONTAINER_STATES: readonly ContainerState[] = ['starting', 'ready', 'draining', 'unhealthy', 'stopping'];

/** One health probe's outcome. */
export interface HealthResult {
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly ok: boolean;
  /** HTTP status, when the app answered. */
  readonly status?: number;
  /** Why it failed without a status: `timeout`, `ECONNREFUSED`, … */
  readonly error?: string;
  readonly durationMs: number;
}

export interface ContainerStatus {
  /** Docker's full container id (on a swarm: the replica's service id). */
  readonly id: string;
  readonly name: string;
  /** Published port on `host`. */
  readonly hostPort: number | null;
  /** Where the port is published: 127.0.0.1, or the address of its swarm node. */
  readonly host: string;
  /** The swarm node it runs on (hostname); null on one engine. */
  readonly node: string | null;
  readonly state: ContainerState;
  /** Requests being proxied to it now. */
  readonly inFlight: number;
  /** Requests it has answered since it joined. */
  readonly served: number;
  /** Newest first, bounded. */
  readonly health: readonly HealthResult[];
  /** ISO time its process started (for one not started yet: when it was created). */
  readonly startedAt: string;
  readonly adopted: boolean;
  /** Hash of the spec it was made from (`docker-symphony.spec`; 'unknown' for one made by an older version). */
  readonly spec: string;
  /** The image it runs. */
  readonly image: string;
}

/** Where a deploy is: rolling forward, rolling back, or ended either way. */
export type DeployState = 'running' | 'rolling-back' | 'succeeded' | 'rolled-back';

/** One deploy (the running one, or the last one ended); `spec` is a spec hash. */
export interface DeployStatus {
  /** 1 for the first deploy of this run, then 2, 3… */
  readonly id: number;
  readonly state: DeployState;
  readonly from: { readonly image: string; readonly spec: string };
  readonly to: { readonly image: string; readonly spec: string };
  /** Old replicas replaced so far, of those running when it started. */
  readonly progress: { readonly done: number; readonly total: number };
  /** Why it rolled back (null otherwise). */
  readonly reason: string | null;
  /** ISO times. */
  readonly startedAt: string;
  readonly endedAt: string | null;
}

/**
 * Why the scaler wants the replicas it wants: the rule, its clamp to min/max, a tumbling
 * window not ended yet, a scale-down held to the highest count of `--scale-down-delay`,
 * or containers adopted at start kept until one window has passed.
 */
export type ScaleReason = 'Rule' | 'TooFewReplicas' | 'TooManyReplicas' | 'WindowPending' | 'ScaleDownStabilized' | 'AdoptedWarmup';

export interface ScaleDecision {
  readonly replicas: number;
  readonly reason: ScaleReason;
  /** The unclamped result of floor(count / base) + 1. */
  readonly proposed: number;
  readonly count: number;
}

export interface SymphonyStatus {
  readonly service: {
    readonly name: string;
    readonly image: string;
    readonly listen: string;
    readonly admin: string;
    readonly startedAt: string;
  };
  readonly window: {
    readonly seconds: number;
    readonly mode: 'sliding' | 'tumbling';
    readonly count: number;
    readonly baseScaleCount: number;
  };
  readonly replicas: { readonly min: number; readonly max: number };
  readonly desired: number;
  readonly decision: ScaleDecision;
  readonly backoff: { readonly failureStreak: number; readonly nextStartAt: string | null };
  /** Whether the Docker engine answers; `since`: ISO time of the last change (null: up since start). */
  readonly engine: { readonly state: 'up' | 'unavailable'; readonly since: string | null };
  /**
   * The health checker's view of itself. `panic`: every ready container timed out at
   * once, so their timeouts are held back (they keep serving); `since`: ISO time it
   * started. `eventLoopLagMs`: the longest stall of our own event loop in the last second.
   */
  readonly health: { readonly panic: boolean; readonly since: string | null; readonly eventLoopLagMs: number };
  readonly containers: readonly ContainerStatus[];
  /** The deploy running now, or the last one of this run (null: none yet). */
  readonly deploy: DeployStatus | null;
  readonly proxy: {
    readonly requests: number;
    readonly inFlight: number;
    readonly queued: number;
    /** Requests whose client closed the connection before the answer (499). */
    readonly clientAborted: number;
  };
  /** Newest first, bounded. */
  readonly events: readonly LogRecord[];
}
