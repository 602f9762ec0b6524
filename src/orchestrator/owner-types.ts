// The shapes the owner of the container set works with: its options and hooks, what a
// deploy changes, and the records it keeps of each container and of a deploy. Types
// only, apart from container-set.ts so the state machine there reads on its own.
import type { Clock } from '../clock.js';
import type { PortRange } from '../config.js';
import type { ContainerSpec } from '../docker/index.js';
import type { BackoffTracker } from '../health/backoff.js';
import type { probeHealth } from '../health/probe.js';
import type { Logger } from '../log.js';
import type { UpstreamPool } from '../proxy/pool.js';
import type { Upstream } from '../proxy/upstream.js';
import type { ReplicaRuntime } from '../runtime/types.js';
import type { ContainerState, DeployState, HealthResult } from '../status.js';
import type { SpecConfig } from './spec.js';

/** A promise and the function that resolves it. */
export interface Latch {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
}

/** Counters the owner bumps (metrics). */
export interface ContainerSetHooks {
  started?(): void;
  replaced?(): void;
  removed?(): void;
  /** A deploy ended. */
  deployed?(result: 'succeeded' | 'rolled-back'): void;
}

/** What the owner needs to know to create (the spec's fields), check and stop containers. */
export interface ContainerSetOptions extends SpecConfig {
  /** What runs the replicas: containers on one engine, or services on a swarm. */
  readonly runtime: ReplicaRuntime;
  readonly pool: UpstreamPool;
  readonly hostPorts?: PortRange | null;
  readonly healthPath: string;
  readonly healthTimeoutMs: number;
  readonly startupTimeoutMs: number;
  readonly drainTimeoutMs: number;
  /** Replicas wanted before the first scale decision. @default 1 */
  readonly initialDesired?: number;
  readonly backoff?: BackoffTracker;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly hooks?: ContainerSetHooks;
  /** Health probe used to decide whether to adopt a running container. @default probeHealth */
  readonly probe?: typeof probeHealth;
  /** How often to ask an unavailable engine whether it is back. @default 1000 */
  readonly enginePollMs?: number;
  /** How long a host port the engine refused (held by something else) is passed over. @default 30000 */
  readonly portBlockMs?: number;
  /** How long shutdown keeps retrying removals the engine refuses. @default 30000 */
  readonly shutdownRetryMs?: number;
  /** Old replicas a deploy replaces at once. @default 1 */
  readonly deployParallel?: number;
  /** A new replica failing a health check this soon after joining rolls the deploy back. @default 10000 */
  readonly deployVerifyMs?: number;
}

/** What a deploy changes: the fields given replace the current ones. */
export interface DeployChanges {
  readonly image?: string;
  readonly env?: readonly string[];
}

/** The spec new containers are made from, and its hash. */
export interface Target {
  readonly base: ContainerSpec;
  readonly hash: string;
  readonly image: string;
  readonly env: readonly string[];
}

/** A deploy under way (or the last one, ended). */
export interface DeployRun {
  readonly id: number;
  state: DeployState;
  readonly from: Target;
  readonly to: Target;
  readonly total: number;
  done: number;
  reason: string | null;
  readonly startedAt: number;
  endedAt: number | null;
  readonly finished: Latch;
}

/** Whether the Docker engine answers, and since when (null: as it was at start). */
export interface EngineStatus {
  readonly state: 'up' | 'unavailable';
  readonly since: number | null;
}

/** What the owner keeps of one container. */
export interface Managed {
  readonly id: string;
  readonly name: string;
  /** The fixed host port it was created for; held (not given to another) until it is removed. */
  readonly reservedPort: number | null;
  /** The host port the engine published once it started; null until then (nothing to probe yet). */
  hostPort: number | null;
  /** The address the port is published on: 127.0.0.1, or its swarm node's address. */
  host: string;
  /** Its swarm node's hostname (null on one engine, or not known yet). */
  node: string | null;
  state: ContainerState;
  readonly createdAt: number;
  /** When its process started (inspect's State.StartedAt, or when we started it). */
  startedAt: number | null;
  readyAt: number | null;
  upstream: Upstream | null;
  /** Newest first. */
  health: HealthResult[];
  readonly adopted: boolean;
  /** Spec hash it was made from ('unknown': no label) and its image. */
  readonly hash: string;
  readonly image: string;
  /** Made from the current spec (changes when a deploy starts or rolls back). */
  current: boolean;
  /** Set while it leaves: ends a drain early (its process died). */
  cutDrain: (() => void) | null;
  /** Its removal is under way (or being retried). */
  removing: boolean;
}

/** How a container leaves: after draining its in-flight requests or at once; stopped gently or killed; failed or not. */
export interface Leaving {
  readonly drain: boolean;
  readonly gentle: boolean;
  /** It failed (shown as `unhealthy` until removed). @default false */
  readonly failed?: boolean;
}
