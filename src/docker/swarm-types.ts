// The Swarm shapes the client hands out and takes (API 1.41): camelCase, only the fields
// Docker Symphony uses, the engine's nulls and absences turned into empty values.

/** This engine's part in a swarm (the `Swarm` part of GET /info). */
export interface SwarmNodeInfo {
  /** `inactive` (not in a swarm), `pending`, `active`, `error` or `locked` ('' on old engines). */
  readonly localNodeState: string;
  /** True on a manager: only managers answer the service, task and node endpoints. */
  readonly controlAvailable: boolean;
  readonly nodeId: string;
  readonly nodeAddr: string;
  /** Why the swarm is in error ('' when it is not). */
  readonly error: string;
}

/** The swarm itself (GET /swarm): what POST /swarm/update needs back. */
export interface SwarmCluster {
  readonly id: string;
  /** The version to send with an update; a stale one answers 500 "update out of sequence". */
  readonly version: number;
  /** The spec as the engine sent it, kept whole: an update replaces it entirely. */
  readonly spec: Readonly<Record<string, unknown>>;
  /** Dispatcher.HeartbeatPeriod in nanoseconds (0 when the engine does not say). */
  readonly heartbeatPeriodNs: number;
}

/** One mount of a service's containers. */
export interface ServiceMount {
  readonly type: 'bind' | 'volume' | 'tmpfs';
  /** Host path (bind) or volume name (volume); absent for tmpfs. */
  readonly source?: string;
  readonly target: string;
  readonly readOnly?: boolean;
  readonly tmpfsSizeBytes?: number;
  /** File mode of a tmpfs, e.g. 0o1777. */
  readonly tmpfsMode?: number;
}

/**
 * What to create: one replicated service of ONE task, its `targetPort` published in host
 * mode on a port each node's engine picks (no PublishedPort), reached by DNS round robin
 * (no virtual IP, no routing mesh), restarted on any exit after `restartDelayNs`.
 */
export interface ServiceSpec {
  readonly name: string;
  /** On the service (what listing by label finds) and on its containers. */
  readonly labels: Readonly<Record<string, string>>;
  /** Pinned: `repo@sha256:…` or `sha256:…`, so workers never pull a moving tag. */
  readonly image: string;
  readonly targetPort: number;
  readonly restartDelayNs: number;
  readonly env?: readonly string[];
  /** Replaces the image's ENTRYPOINT. */
  readonly command?: readonly string[];
  /** Replaces the image's CMD. */
  readonly args?: readonly string[];
  readonly user?: string;
  readonly dir?: string;
  readonly readOnly?: boolean;
  readonly mounts?: readonly ServiceMount[];
  readonly capabilityAdd?: readonly string[];
  readonly capabilityDrop?: readonly string[];
  readonly init?: boolean;
  readonly stopSignal?: string;
  readonly stopGracePeriodNs?: number;
  readonly memoryBytes?: number;
  readonly nanoCpus?: number;
  /** Network names or IDs (swarm-scoped: overlay, or attachable). */
  readonly networks?: readonly string[];
}

/** One service (GET /services, GET /services/{id}). */
export interface ServiceInfo {
  readonly id: string;
  readonly name: string;
  readonly version: number;
  /** ISO time. */
  readonly createdAt: string;
  readonly labels: Record<string, string>;
  /** TaskTemplate.ContainerSpec.Image. */
  readonly image: string;
}

/** A port a task publishes (Status.PortStatus.Ports[]). */
export interface TaskPort {
  readonly protocol: string;
  readonly targetPort: number;
  readonly publishedPort: number;
  /** `host` or `ingress`. */
  readonly publishMode: string;
}

/** One task (GET /tasks). */
export interface TaskInfo {
  readonly id: string;
  readonly serviceId: string;
  /** '' until the scheduler assigns a node. */
  readonly nodeId: string;
  readonly slot: number;
  /** ISO time. */
  readonly createdAt: string;
  /** What Swarm wants: `running`, `shutdown`, `remove`, … */
  readonly desiredState: string;
  /** `new` … `pending`, `assigned`, `accepted`, `preparing`, `starting`, `running`, `complete`, `failed`, `shutdown`, `rejected`, `orphaned`, `remove`. */
  readonly state: string;
  /** ISO time of the last state change. */
  readonly timestamp: string;
  readonly message: string;
  /** Why it failed ('' when it did not). */
  readonly err: string;
  readonly containerId: string;
  readonly exitCode: number | null;
  readonly ports: TaskPort[];
}

/** One node (GET /nodes, GET /nodes/{id}). */
export interface NodeInfo {
  readonly id: string;
  readonly hostname: string;
  /** `ready`, `down`, `unknown` or `disconnected`. */
  readonly state: string;
  /** The address its host-mode ports are reached at. */
  readonly addr: string;
  readonly message: string;
  /** `active`, `pause` or `drain`. */
  readonly availability: string;
  /** `manager` or `worker`. */
  readonly role: string;
  /** Present on managers only. */
  readonly manager: { readonly leader: boolean; readonly reachability: string; readonly addr: string } | null;
}

/** Engine-side filters of GET /tasks. */
export interface TaskFilters {
  readonly service?: readonly string[];
  /** `running`, `shutdown` or `accepted`. */
  readonly desiredState?: readonly string[];
  /** `k=v` or `k`; matched against the labels of the task's service. */
  readonly label?: readonly string[];
  readonly node?: readonly string[];
}
