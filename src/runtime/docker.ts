// Replicas as containers on one Docker engine (--runtime docker, the default): each
// publishes its container port on 127.0.0.1, and the engine's `die`/`oom`/`destroy`
// events say when one stops.
import type { Clock } from '../clock.js';
import type { ContainerSpec, ContainerSummary, DockerClient } from '../docker/index.js';
import { publishedPort } from '../docker/index.js';
import type { Logger } from '../log.js';
import { IMAGE_LABEL, serviceFilter } from '../orchestrator/labels.js';
import { EventsWatcher } from './docker-events.js';
import { exitReason } from './exit-reason.js';
import type { ReplicaRuntime, ReplicaSummary, RuntimeWatch, RuntimeWatchHandlers, StartedReplica } from './types.js';

/** The engine operations this runtime uses (a DockerClient, or a stand-in in tests). */
export type DockerApi = Pick<
  DockerClient,
  'createContainer' | 'startContainer' | 'stopContainer' | 'removeContainer' | 'inspectContainer' | 'listContainers'
> &
  Partial<Pick<DockerClient, 'events'>>;

/** Options of a DockerRuntime. */
export interface DockerRuntimeOptions {
  readonly docker: DockerApi;
  /** The service's name: its containers carry it as a label. */
  readonly service: string;
  readonly containerPort: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

const LOOPBACK = '127.0.0.1';

/** Containers on one engine, published on 127.0.0.1. */
export class DockerRuntime implements ReplicaRuntime {
  readonly kind = 'docker';
  readonly #o: DockerRuntimeOptions;

  constructor(options: DockerRuntimeOptions) {
    this.#o = options;
  }

  async create(spec: ContainerSpec): Promise<{ id: string }> {
    const { id } = await this.#o.docker.createContainer(spec);
    return { id };
  }

  async start(id: string): Promise<StartedReplica> {
    await this.#o.docker.startContainer(id);
    const info = await this.#o.docker.inspectContainer(id);
    if (!info.state.running) throw new Error(`it exited at once with code ${info.state.exitCode}`);
    const port = publishedPort(info, this.#o.containerPort);
    if (port === undefined) throw new Error(`the engine published no host port for container port ${this.#o.containerPort}`);
    return { address: { host: LOOPBACK, port }, startedAt: startTime(info.state.startedAt), node: null };
  }

  async stop(id: string, timeoutSeconds: number): Promise<void> {
    await this.#o.docker.stopContainer(id, { timeoutSeconds });
  }

  async remove(id: string): Promise<void> {
    await this.#o.docker.removeContainer(id, { force: true });
  }

  async list(): Promise<ReplicaSummary[]> {
    const found = await this.#o.docker.listContainers({ all: true, labels: [serviceFilter(this.#o.service)] });
    return found.map((s) => summaryOf(s, this.#o.containerPort));
  }

  async startedAt(id: string): Promise<number | null> {
    const info = await this.#o.docker.inspectContainer(id);
    return startTime(info.state.startedAt);
  }

  watch(handlers: RuntimeWatchHandlers): RuntimeWatch {
    const docker = this.#o.docker;
    if (!docker.events) return { stop: async () => {} };
    const watcher = new EventsWatcher({
      docker: { events: docker.events.bind(docker) },
      service: this.#o.service,
      onExit: (id, action, exitCode) => handlers.lost(id, `container ${exitReason(action, exitCode)}`),
      onBroken: (err) => handlers.broken(err),
      ...(this.#o.clock ? { clock: this.#o.clock } : {}),
      ...(this.#o.logger ? { logger: this.#o.logger } : {}),
    });
    watcher.start();
    return { stop: () => watcher.stop() };
  }
}

/** A listed container as the owner sees a replica. */
export function summaryOf(s: ContainerSummary, containerPort: number): ReplicaSummary {
  const port = publishedPort(s, containerPort);
  return {
    id: s.id,
    name: (s.names[0] ?? s.id.slice(0, 12)).replace(/^\//, ''),
    state: s.state,
    labels: s.labels,
    image: s.labels[IMAGE_LABEL] ?? s.image,
    createdAt: s.created * 1000,
    address: port === undefined ? null : { host: LOOPBACK, port },
    node: null,
  };
}

/** The engine's StartedAt as ms since the epoch (null for the zero time it gives a container never started). */
function startTime(startedAt: string): number | null {
  const t = Date.parse(startedAt);
  return Number.isFinite(t) && t > 0 ? t : null;
}
