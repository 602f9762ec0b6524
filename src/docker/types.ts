// The shapes the Docker client hands out: camelCase, only the fields the orchestrator
// uses, with the engine's nulls and absences already turned into empty values.

/** What the engine says about itself (GET /version). */
export interface EngineVersion {
  /** Engine release, e.g. `20.10.24`. */
  readonly version: string;
  /** Newest API version the engine speaks, e.g. `1.41`. */
  readonly apiVersion: string;
  /** Oldest API version the engine still accepts ('' when it does not say). */
  readonly minApiVersion: string;
  readonly os: string;
  readonly arch: string;
}

/** A local image (GET /images/{name}/json). */
export interface ImageInfo {
  readonly id: string;
  readonly repoTags: string[];
  /** Ports the image declares with EXPOSE, e.g. `80/tcp`. */
  readonly exposedPorts: string[];
}

/** One line of pull progress, as the engine streams it. */
export interface PullProgress {
  readonly status: string;
  /** Layer id, when the line is about one layer. */
  readonly id?: string;
  /** The engine's own progress bar text. */
  readonly progress?: string;
  readonly current?: number;
  readonly total?: number;
}

/** What to create: one container running `image`, its `containerPort` published on the host. */
export interface ContainerSpec {
  readonly image: string;
  /** Container name; the engine picks one when absent. */
  readonly name?: string;
  /** `KEY=VALUE` entries. */
  readonly env?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
  /** Replaces the image's CMD. */
  readonly cmd?: readonly string[];
  /** Replaces the image's ENTRYPOINT (the engine then ignores the image's CMD). */
  readonly entrypoint?: readonly string[];
  /** Networks to join: the first at create, the others connected before start. Absent: the default bridge. */
  readonly networks?: readonly string[];
  /** Mounts in the engine's `Binds` form: `SOURCE:TARGET[:ro]`, SOURCE a volume name or an absolute host path. */
  readonly binds?: readonly string[];
  /** `USER[:GROUP]` the process runs as. */
  readonly user?: string;
  readonly workingDir?: string;
  /** Mount the root filesystem read-only. */
  readonly readOnlyRootfs?: boolean;
  /** tmpfs mounts: path → mount options ('' for none). */
  readonly tmpfs?: Readonly<Record<string, string>>;
  readonly capAdd?: readonly string[];
  readonly capDrop?: readonly string[];
  readonly securityOpt?: readonly string[];
  /** Run an init process as PID 1. */
  readonly init?: boolean;
  /** The TCP port the app listens on inside the container. */
  readonly containerPort: number;
  /** Host port to publish on; undefined lets the engine pick a free one. */
  readonly hostPort?: number;
  /** Host address to publish on. @default '127.0.0.1' (never all interfaces unless asked) */
  readonly hostIp?: string;
  readonly memoryBytes?: number;
  /** CPU quota in billionths of a CPU (1e9 = one CPU). */
  readonly nanoCpus?: number;
  /** Signal `stop` sends first, e.g. `SIGTERM`. */
  readonly stopSignal?: string;
  /** Grace period before `stop` kills. */
  readonly stopTimeoutSeconds?: number;
}

/** A network (GET /networks/{id}). */
export interface NetworkInfo {
  readonly id: string;
  readonly name: string;
  /** `bridge`, `overlay`, … */
  readonly driver: string;
  /** `local` (one engine) or `swarm` (every node of a swarm). */
  readonly scope: string;
}

/** One published port: `containerPort/protocol` reachable at `hostIp:hostPort`. */
export interface PortBinding {
  readonly containerPort: number;
  readonly protocol: string;
  readonly hostIp: string;
  readonly hostPort: number;
}

/** The state part of an inspect. */
export interface ContainerState {
  /** `created`, `running`, `paused`, `restarting`, `removing`, `exited` or `dead`. */
  readonly status: string;
  readonly running: boolean;
  readonly exitCode: number;
  readonly oomKilled: boolean;
  /** ISO time; `0001-01-01T00:00:00Z` when never started. */
  readonly startedAt: string;
  readonly finishedAt: string;
  /** Why the engine could not run it ('' when nothing went wrong). */
  readonly error: string;
}

/** One container in detail (GET /containers/{id}/json). */
export interface ContainerInfo {
  readonly id: string;
  /** Without the engine's leading '/'. */
  readonly name: string;
  /** The image reference it was created from. */
  readonly image: string;
  /** ISO time. */
  readonly created: string;
  readonly labels: Record<string, string>;
  readonly state: ContainerState;
  /** Published ports only (empty while the container is not running). */
  readonly ports: PortBinding[];
}

/** One container as listed (GET /containers/json). */
export interface ContainerSummary {
  readonly id: string;
  /** With the engine's leading '/'. */
  readonly names: string[];
  readonly image: string;
  /** `running`, `exited`, … */
  readonly state: string;
  /** Human text, e.g. `Up 3 seconds`. */
  readonly status: string;
  readonly labels: Record<string, string>;
  /** Unix seconds. */
  readonly created: number;
  /** Published ports only. */
  readonly ports: PortBinding[];
}

/** One engine event (GET /events). */
export interface DockerEvent {
  /** `container`, `image`, `network`, … */
  readonly type: string;
  /** `create`, `start`, `die`, `oom`, `kill`, `destroy`, `health_status: healthy`, … */
  readonly action: string;
  /** The object's id (the container id for container events). */
  readonly id: string;
  /** Labels and details, e.g. `exitCode`, `name`, `image`. */
  readonly attributes: Record<string, string>;
  /** Unix seconds. */
  readonly time: number;
  /** Unix nanoseconds (may lose precision beyond 2^53; use for ordering only). */
  readonly timeNano: number;
}

/**
 * The host port `containerPort/tcp` is published on: the 127.0.0.1 binding if there is
 * one, else the first; undefined when it is not published (yet).
 */
export function publishedPort(info: ContainerInfo | ContainerSummary, containerPort: number): number | undefined {
  const bindings = info.ports.filter((p) => p.containerPort === containerPort && p.protocol === 'tcp' && p.hostPort > 0);
  return (bindings.find((p) => p.hostIp === '127.0.0.1') ?? bindings[0])?.hostPort;
}
