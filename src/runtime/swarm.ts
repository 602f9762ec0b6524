// Replicas as Swarm services (--runtime swarm, DOCKER_HOST a manager): ONE service of
// one task per replica, its container port published in host mode on a port the node's
// engine picks, reached at <node address>:<that port>. Swarm restarts and reschedules;
// the owner above still decides how many replicas run and which one to replace.
import { sleep, systemClock, type Clock } from '../clock.js';
import type { DockerClient } from '../docker/client.js';
import { SwarmApi } from '../docker/swarm.js';
import type { SwarmTransport } from '../docker/swarm.js';
import type { ContainerSpec } from '../docker/types.js';
import { SymphonyError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { serviceFilter } from '../orchestrator/labels.js';
import { SwarmUnsupportedError, pinnedImage, swarmUnsupported, toServiceSpec } from './swarm-spec.js';
import { ENDED_STATES, nodeMap, replicaView, summaryOf, tasksOf } from './swarm-view.js';
import { SwarmWatch, type TrackedReplica } from './swarm-watch.js';
import type { ReplicaRuntime, ReplicaSummary, RuntimeWatch, RuntimeWatchHandlers, StartedReplica } from './types.js';

/** Options of a SwarmRuntime. */
export interface SwarmRuntimeOptions {
  /** A client of a swarm manager (DOCKER_HOST). */
  readonly docker: SwarmTransport & Partial<Pick<DockerClient, 'events'>>;
  /** The service's name: its Swarm services carry it as a label. */
  readonly service: string;
  readonly containerPort: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** How often the watch polls tasks and nodes. @default 1000 */
  readonly pollMs?: number;
  /** How often start() and stop() look while they wait. @default 200 */
  readonly startPollMs?: number;
  /** How long start() waits for the task to run with its port published. @default 60000 */
  readonly startupTimeoutMs?: number;
}

/** A replica's task did not come up (it failed, was rejected, or took too long). */
export class SwarmStartError extends SymphonyError {
  override readonly name = 'SwarmStartError';
  declare readonly code: 'SWARM_START_FAILED';
  readonly serviceId: string;

  constructor(serviceId: string, message: string) {
    super('SWARM_START_FAILED', message);
    this.serviceId = serviceId;
  }
}

/** One Swarm service per replica, on the swarm DOCKER_HOST manages. */
export class SwarmRuntime implements ReplicaRuntime {
  readonly kind = 'swarm';
  /** The manager's Swarm endpoints (for configureSwarm and checks at start). */
  readonly swarm: SwarmApi;
  readonly #o: SwarmRuntimeOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  /** Image string → pinned reference, resolved once on the manager. */
  readonly #images = new Map<string, Promise<string>>();
  /** Service ID → its running task, for every replica started or listed running here. */
  readonly #tracked = new Map<string, TrackedReplica>();
  /** Services created here and not started yet. */
  readonly #created = new Set<string>();

  constructor(options: SwarmRuntimeOptions) {
    this.#o = options;
    this.swarm = new SwarmApi(options.docker);
    this.#clock = options.clock ?? systemClock;
    this.#log = options.logger ?? silentLogger;
  }

  /** Resolves when DOCKER_HOST is a manager of an active swarm; else NotSwarmManagerError (SWARM_NOT_MANAGER). */
  async requireManager(): Promise<void> {
    await this.swarm.requireManager();
  }

  async create(spec: ContainerSpec): Promise<{ id: string }> {
    const reasons = swarmUnsupported(spec);
    if (reasons.length > 0) throw new SwarmUnsupportedError(reasons);
    const image = await this.#pin(spec.image);
    const { id, warnings } = await this.swarm.createService(toServiceSpec(spec, image));
    this.#created.add(id);
    for (const warning of warnings) this.#log.warn('swarm.create_warning', `the swarm manager warns about service ${spec.name ?? id}: ${warning}`, { container: id });
    return { id };
  }

  /**
   * Waits for the service's task to run, desired running, on a ready node, with its port
   * published; rejects when a task ends meanwhile (Swarm's own retry is not awaited).
   */
  async start(id: string): Promise<StartedReplica> {
    const { containerPort } = this.#o;
    const timeoutMs = this.#o.startupTimeoutMs ?? 60_000;
    const deadline = this.#clock.now() + timeoutMs;
    // Tasks that had ended before (a replica Swarm restarted) do not fail this start; on one just created, any does.
    let endedBefore: Set<string> | undefined = this.#created.delete(id) ? new Set() : undefined;
    for (;;) {
      const [tasks, nodes] = await Promise.all([this.swarm.listTasks({ service: [id] }), this.swarm.listNodes()]);
      endedBefore ??= new Set(tasks.filter((t) => ENDED_STATES.has(t.state)).map((t) => t.id));
      const view = replicaView(id, tasks, nodeMap(nodes), containerPort, endedBefore);
      if (view.state === 'running' && view.task && view.address) {
        this.#tracked.set(id, { taskId: view.task.id });
        return { address: view.address, startedAt: timeOf(view.task.timestamp), node: view.node?.hostname ?? null };
      }
      if (view.failure !== '') throw new SwarmStartError(id, `Swarm could not run the replica's task: ${view.failure}`);
      if (this.#clock.now() >= deadline) {
        const detail = view.task?.message ? ` (${view.task.message})` : '';
        throw new SwarmStartError(id, `the replica's task was still '${view.state}'${detail} after ${timeoutMs} ms; see \`docker service ps ${id}\` on the manager`);
      }
      await sleep(this.#clock, this.#o.startPollMs ?? 200);
    }
  }

  /**
   * Removes the service (Swarm sends its task the stop signal, then kills it after its
   * StopGracePeriod) and waits, at most the grace period and 5 s more, for its task to stop.
   */
  async stop(id: string, timeoutSeconds: number): Promise<void> {
    this.#tracked.delete(id);
    this.#created.delete(id);
    if (!(await this.swarm.removeService(id))) return;
    const deadline = this.#clock.now() + timeoutSeconds * 1000 + 5_000;
    while (this.#clock.now() < deadline) {
      // Its tasks outlive the service for a moment; they carry the service's labels.
      const tasks = tasksOf(id, await this.swarm.listTasks({ label: [serviceFilter(this.#o.service)] }));
      if (!tasks.some((t) => t.state === 'running' || t.state === 'starting')) return;
      await sleep(this.#clock, this.#o.startPollMs ?? 200);
    }
    this.#log.debug('swarm.stop_slow', `the task of service ${id} still runs ${timeoutSeconds}s after its removal`, { container: id });
  }

  /** Removes the service; one already gone is fine. */
  async remove(id: string): Promise<void> {
    this.#tracked.delete(id);
    this.#created.delete(id);
    await this.swarm.removeService(id);
  }

  async list(): Promise<ReplicaSummary[]> {
    const label = serviceFilter(this.#o.service);
    const [services, tasks, nodes] = await Promise.all([
      this.swarm.listServices({ labels: [label] }),
      this.swarm.listTasks({ label: [label] }),
      this.swarm.listNodes(),
    ]);
    const nodesById = nodeMap(nodes);
    return services.map((service) => {
      const view = replicaView(service.id, tasks, nodesById, this.#o.containerPort);
      // Adopted replicas are followed like started ones.
      if (view.state === 'running' && view.task && this.#tracked.get(service.id)?.taskId !== view.task.id) {
        this.#tracked.set(service.id, { taskId: view.task.id });
      }
      return summaryOf(service, tasks, nodesById, this.#o.containerPort);
    });
  }

  /** When its running task started running (null: none runs, or the service is gone). */
  async startedAt(id: string): Promise<number | null> {
    const tasks = await this.swarm.listTasks({ label: [serviceFilter(this.#o.service)], desiredState: ['running'] });
    const running = tasksOf(id, tasks).find((t) => t.state === 'running');
    return running ? timeOf(running.timestamp) : null;
  }

  /** Polls tasks and nodes every pollMs (and at once on a service or node event) until stopped. */
  watch(handlers: RuntimeWatchHandlers): RuntimeWatch {
    const { docker } = this.#o;
    return new SwarmWatch({
      swarm: this.swarm,
      ...(docker.events ? { events: docker.events.bind(docker) } : {}),
      label: serviceFilter(this.#o.service),
      tracked: this.#tracked,
      handlers,
      clock: this.#clock,
      logger: this.#log,
      pollMs: this.#o.pollMs ?? 1_000,
    });
  }

  /** Sets the swarm's heartbeat period (--swarm-heartbeat); see configureSwarm. */
  configureSwarm(options: { heartbeatMs: number }): Promise<SwarmSettings> {
    return configureSwarm(this.swarm, options, this.#log);
  }

  /** The reference tasks run `ref` by, resolved once per image string (a failure is retried next time). */
  #pin(ref: string): Promise<string> {
    let pinned = this.#images.get(ref);
    if (!pinned) {
      pinned = this.swarm.imageInspect(ref).then((image) => {
        if (!image) {
          throw new SymphonyError(
            'IMAGE_UNAVAILABLE',
            `The swarm manager (${this.#o.docker.host}) has no image ${ref}: pull or load it there first (and on every node, unless a registry serves it).`,
          );
        }
        const reference = pinnedImage(ref, image);
        this.#log.info('swarm.image_pinned', `tasks run ${ref} as ${reference}${reference.startsWith('sha256:') ? ' (by ID: every node must have it)' : ''}`);
        return reference;
      });
      pinned.catch(() => this.#images.delete(ref));
      this.#images.set(ref, pinned);
    }
    return pinned;
  }
}

/** The swarm settings configureSwarm left. */
export interface SwarmSettings {
  readonly heartbeatMs: number;
  /** What it was before (equal to heartbeatMs when nothing changed). */
  readonly previousHeartbeatMs: number;
}

/**
 * Sets Dispatcher.HeartbeatPeriod, which decides how soon a dead node is seen (5 s: after
 * 11–13 s; 1 s: after 1.6–3.9 s). Only when asked (--swarm-heartbeat): it is the swarm's
 * setting, shared with everything else on it. Retries a stale version (500 "update out of sequence").
 */
export async function configureSwarm(swarm: Pick<SwarmApi, 'updateSwarm'>, options: { heartbeatMs: number }, logger: Logger = silentLogger): Promise<SwarmSettings> {
  const { heartbeatMs } = options;
  if (!Number.isInteger(heartbeatMs) || heartbeatMs <= 0) {
    throw new SymphonyError('SWARM_CONFIG', `--swarm-heartbeat must be a positive whole number of milliseconds, not ${heartbeatMs}.`);
  }
  const ns = heartbeatMs * 1e6;
  const update = await swarm.updateSwarm((cluster) => {
    if (cluster.heartbeatPeriodNs === ns) return null;
    const dispatcher = cluster.spec['Dispatcher'];
    return { ...cluster.spec, Dispatcher: { ...(typeof dispatcher === 'object' && dispatcher !== null ? dispatcher : {}), HeartbeatPeriod: ns } };
  });
  const previousHeartbeatMs = update.before.heartbeatPeriodNs / 1e6;
  if (update.after === null) logger.info('swarm.heartbeat', `the swarm's heartbeat period is already ${heartbeatMs}ms`);
  else logger.info('swarm.heartbeat', `the swarm's heartbeat period was ${previousHeartbeatMs}ms; now ${heartbeatMs}ms (--swarm-heartbeat)`, { previousHeartbeatMs, heartbeatMs });
  return { heartbeatMs, previousHeartbeatMs };
}

/** An engine time as ms since the epoch (null for an empty or zero time). */
function timeOf(iso: string): number | null {
  const t = Date.parse(iso);
  return Number.isFinite(t) && t > 0 ? t : null;
}
