// What the owner of the replica set asks of the engine that runs its replicas. Two
// implementations, chosen at start (--runtime): containers on one Docker engine
// (docker.ts) and one single-replica service per replica on a Docker Swarm (swarm.ts).
// The owner, the proxy, the scaler and the health checker do not know which runs.
import type { ContainerSpec } from '../docker/types.js';

/** Where a replica's container port is reachable: 127.0.0.1 on one engine, a node's address on a swarm. */
export interface ReplicaAddress {
  readonly host: string;
  readonly port: number;
}

/** A replica as a listing shows it (for adoption and for the resync after an outage). */
export interface ReplicaSummary {
  /** Container ID (docker) or service ID (swarm). */
  readonly id: string;
  readonly name: string;
  /** `running`, or what it is instead (`exited`, `created`, `pending`, `node down`, …). */
  readonly state: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly image: string;
  /** When it was created, ms since the epoch. */
  readonly createdAt: number;
  /** Where its container port is published; null when it is not (or not yet). */
  readonly address: ReplicaAddress | null;
  /** The swarm node it runs on (hostname); null on one engine. */
  readonly node: string | null;
}

/** A replica that runs and has an address. */
export interface StartedReplica {
  readonly address: ReplicaAddress;
  /** When its process started, ms since the epoch (null: unknown). */
  readonly startedAt: number | null;
  readonly node: string | null;
}

/** What the runtime tells the owner between its own calls. */
export interface RuntimeWatchHandlers {
  /** A replica stopped serving for a reason the engine knows (`exited with code 1`, `killed by the OOM killer`, `its node is down`, …). */
  readonly lost: (id: string, reason: string) => void;
  /** The engine (or the swarm manager) stopped answering the watch; the first time since it last answered. */
  readonly broken: (err: unknown) => void;
}

/** A running watch. */
export interface RuntimeWatch {
  stop(): Promise<void>;
}

/** The engine operations behind the owner. Errors with code DOCKER_UNAVAILABLE mean the engine does not answer. */
export interface ReplicaRuntime {
  readonly kind: 'docker' | 'swarm';
  /** Makes one replica from `spec` (name, labels and host port included); it does not run yet. */
  create(spec: ContainerSpec): Promise<{ id: string }>;
  /** Runs it and resolves once it runs and its port is published; rejects when it cannot. */
  start(id: string): Promise<StartedReplica>;
  /** Asks it to stop: the stop signal, then a kill after `timeoutSeconds`. */
  stop(id: string, timeoutSeconds: number): Promise<void>;
  /** Removes it, killing it if it still runs; resolves when the engine confirms (gone already counts). */
  remove(id: string): Promise<void>;
  /** Every replica of the service, whatever its state. */
  list(): Promise<ReplicaSummary[]>;
  /** When its process started (null: unknown). */
  startedAt(id: string): Promise<number | null>;
  /** Follows what happens to the service's replicas until stopped. */
  watch(handlers: RuntimeWatchHandlers): RuntimeWatch;
}
