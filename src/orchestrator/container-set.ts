// The one owner of the container set. The scaler, the health checker, the events
// watcher and shutdown only ask; this module decides and calls the engine, one
// change at a time, so a container is never replaced while it is being scaled
// away, nor counted twice.
import { randomBytes } from 'node:crypto';
import { systemClock, type Clock, type TimerHandle } from '../clock.js';
import type { PortRange } from '../config.js';
import type { ContainerSpec, ContainerSummary, DockerClient } from '../docker/index.js';
import { publishedPort } from '../docker/index.js';
import { BackoffTracker } from '../health/backoff.js';
import { probeHealth } from '../health/probe.js';
import { describeProbe, healthVerdict } from '../health/verdict.js';
import { silentLogger, type Logger } from '../log.js';
import { Upstream } from '../proxy/upstream.js';
import type { UpstreamPool } from '../proxy/pool.js';
import type { ContainerState, ContainerStatus, HealthResult } from '../status.js';
import { IMAGE_LABEL, PORT_LABEL, SERVICE_LABEL, serviceFilter } from './labels.js';
import { allocateHostPort, isActive, planReconcile, type PlannedContainer } from './plan.js';

/** The engine operations the owner uses (a DockerClient, or a stand-in in tests). */
export type DockerApi = Pick<
  DockerClient,
  'createContainer' | 'startContainer' | 'stopContainer' | 'removeContainer' | 'inspectContainer' | 'listContainers'
>;

/** Counters the owner bumps (metrics). */
export interface ContainerSetHooks {
  started?(): void;
  replaced?(): void;
  removed?(): void;
}

/** What the owner needs to know to create, check and stop containers. */
export interface ContainerSetOptions {
  readonly docker: DockerApi;
  readonly pool: UpstreamPool;
  readonly service: string;
  readonly image: string;
  readonly containerPort: number;
  readonly env?: readonly string[];
  readonly hostPorts?: PortRange | null;
  readonly memoryBytes?: number | null;
  readonly cpus?: number | null;
  readonly healthPath: string;
  readonly healthTimeoutMs: number;
  readonly startupTimeoutMs: number;
  readonly drainTimeoutMs: number;
  readonly stopTimeoutMs: number;
  /** Replicas wanted before the first scale decision. @default 1 */
  readonly initialDesired?: number;
  readonly backoff?: BackoffTracker;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly hooks?: ContainerSetHooks;
  /** Health probe used to decide whether to adopt a running container. @default probeHealth */
  readonly probe?: typeof probeHealth;
}

interface Managed {
  readonly id: string;
  readonly name: string;
  hostPort: number | null;
  state: ContainerState;
  readonly createdAt: number;
  readyAt: number | null;
  upstream: Upstream | null;
  /** Newest first. */
  health: HealthResult[];
  readonly adopted: boolean;
}

const HEALTH_HISTORY = 10;

/** Owns the service's containers: creates, readies, drains, replaces, adopts and removes them. */
export class ContainerSet {
  readonly #o: ContainerSetOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #backoff: BackoffTracker;
  readonly #containers = new Map<string, Managed>();
  readonly #background = new Set<Promise<void>>();
  #desired: number;
  #chain: Promise<void> = Promise.resolve();
  #reconcileQueued = false;
  #retryTimer: TimerHandle | null = null;
  #lastFailure = '';
  /** End of the back-off wait already announced and scheduled. */
  #waitingUntil = 0;
  #closed = false;

  constructor(options: ContainerSetOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#log = options.logger ?? silentLogger;
    this.#backoff = options.backoff ?? new BackoffTracker();
    this.#desired = options.initialDesired ?? 1;
  }

  /** Replicas the owner is moving toward. */
  get desired(): number {
    return this.#desired;
  }

  /** Failures in a row, and when the next start may happen (null: no wait). */
  backoffStatus(): { failureStreak: number; nextStartAt: number | null } {
    const now = this.#clock.now();
    const next = this.#backoff.nextStartAt(now);
    return { failureStreak: this.#backoff.streak, nextStartAt: next > now ? next : null };
  }

  /** Asks for `replicas` containers; the owner gets there one change at a time. */
  setDesired(replicas: number): void {
    if (this.#closed) return;
    this.#desired = replicas;
    this.#requestReconcile();
  }

  /** Containers the health checker probes: those starting or in rotation with a known port. */
  healthTargets(): { id: string; port: number; phase: 'starting' | 'ready' }[] {
    const out: { id: string; port: number; phase: 'starting' | 'ready' }[] = [];
    for (const c of this.#containers.values()) {
      if ((c.state === 'starting' || c.state === 'ready') && c.hostPort !== null) {
        out.push({ id: c.id, port: c.hostPort, phase: c.state });
      }
    }
    return out;
  }

  /** What each managed container is doing, oldest first. */
  status(): ContainerStatus[] {
    return [...this.#containers.values()]
      .sort((a, b) => a.createdAt - b.createdAt)
      .map((c) => ({
        id: c.id,
        name: c.name,
        hostPort: c.hostPort,
        state: c.state,
        inFlight: c.upstream?.inFlight ?? 0,
        served: c.upstream?.served ?? 0,
        health: [...c.health],
        startedAt: new Date(c.createdAt).toISOString(),
        adopted: c.adopted,
      }));
  }

  /**
   * A health probe finished. A starting container joins the rotation on its first
   * 200; a ready one leaves it on anything else, at once, and is replaced.
   */
  reportHealth(id: string, result: HealthResult): void {
    const c = this.#containers.get(id);
    if (!c || (c.state !== 'starting' && c.state !== 'ready')) return;
    c.health.unshift(result);
    if (c.health.length > HEALTH_HISTORY) c.health.length = HEALTH_HISTORY;
    const verdict = healthVerdict({
      phase: c.state,
      ok: result.ok,
      now: result.time,
      startedAt: c.createdAt,
      startupTimeoutMs: this.#o.startupTimeoutMs,
      detail: describeProbe(result),
    });
    switch (verdict.kind) {
      case 'ready':
        this.#join(c, result.time);
        break;
      case 'ok':
        this.#backoff.healthySince(c.readyAt ?? c.createdAt, result.time);
        break;
      case 'waiting':
        break;
      case 'unhealthy':
        this.#fail(c, verdict.reason);
        break;
    }
  }

  /** The engine says a container stopped (`die`, `oom`, `destroy`): replace it at once if it was serving. */
  containerExited(id: string, action: string, exitCode?: string): void {
    const c = this.#containers.get(id);
    if (!c || !isActive(c.state)) return; // ours to stop, or not ours
    const why = action === 'oom' ? 'killed: out of memory' : action === 'destroy' ? 'removed from the engine' : `exited${exitCode ? ` with code ${exitCode}` : ''}`;
    this.#fail(c, `container ${why}`);
  }

  /**
   * Takes over what a previous run left: running containers of this service that
   * answer the health API join the rotation; the others are removed.
   */
  async adopt(): Promise<{ adopted: number; removed: number }> {
    const found = await this.#o.docker.listContainers({ all: true, labels: [serviceFilter(this.#o.service)] });
    let adopted = 0;
    let removed = 0;
    await Promise.all(
      found.map(async (summary) => {
        const verdict = await this.#adoptable(summary);
        if (verdict.ok) {
          this.#adoptReady(summary, verdict.port);
          adopted++;
        } else {
          this.#log.info('container.orphan_removed', `removing a container left by an earlier run: ${verdict.why}`, {
            container: summary.id,
          });
          await this.#o.docker.removeContainer(summary.id, { force: true });
          removed++;
        }
      }),
    );
    if (found.length > 0) this.#log.info('adoption.done', `adopted ${adopted}, removed ${removed} container(s) from an earlier run`, { adopted, removed });
    this.#requestReconcile();
    return { adopted, removed };
  }

  /**
   * Stops acting. Without `keep`, every container leaves the rotation and is
   * stopped (SIGTERM, then SIGKILL after the stop timeout) and removed.
   */
  async shutdown(options: { keep?: boolean } = {}): Promise<void> {
    this.#closed = true;
    if (this.#retryTimer !== null) this.#clock.clearTimeout(this.#retryTimer);
    await this.#chain;
    if (options.keep) {
      await Promise.allSettled([...this.#background]);
      this.#log.info('shutdown.kept', `leaving ${this.#containers.size} container(s) running for the next start to adopt`);
      return;
    }
    for (const c of this.#containers.values()) {
      if (isActive(c.state)) this.#retire(c, 'shutdown', { drain: true });
    }
    await Promise.allSettled([...this.#background]);
  }

  // --- transitions -------------------------------------------------------------

  #join(c: Managed, now: number): void {
    if (c.hostPort === null) return;
    c.state = 'ready';
    c.readyAt = now;
    c.upstream = new Upstream(c.id, c.hostPort);
    this.#o.pool.add(c.upstream);
    this.#log.info('container.ready', `${c.name} answered 200 and joined the rotation after ${now - c.createdAt}ms`, {
      container: c.id,
      hostPort: c.hostPort,
    });
  }

  /** Out of the rotation now; killed and removed in the background; a replacement is planned. */
  #fail(c: Managed, reason: string): void {
    if (!isActive(c.state)) return;
    this.#o.pool.remove(c.id);
    const wasReady = c.state === 'ready';
    c.state = 'unhealthy';
    this.#lastFailure = reason;
    this.#backoff.failed(this.#clock.now());
    this.#o.hooks?.replaced?.();
    this.#log.warn('container.unhealthy', `${c.name} ${wasReady ? 'left the rotation' : 'failed to start'} and will be replaced: ${reason}`, {
      container: c.id,
      reason,
    });
    this.#track(async () => {
      await this.#removeQuietly(c.id);
      this.#containers.delete(c.id);
      this.#o.hooks?.removed?.();
      this.#log.info('container.removed', `${c.name} removed`, { container: c.id });
      this.#requestReconcile(); // a fixed host port it held is free now
    });
    this.#requestReconcile();
  }

  /** Leaves the rotation, finishes in-flight requests, then SIGTERM → SIGKILL → remove. */
  #retire(c: Managed, why: string, options: { drain: boolean }): void {
    const upstream = this.#o.pool.remove(c.id) ?? c.upstream;
    c.state = 'draining';
    this.#log.info('container.draining', `${c.name} left the rotation (${why}); finishing ${upstream?.inFlight ?? 0} in-flight request(s)`, {
      container: c.id,
      reason: why,
    });
    this.#track(async () => {
      if (options.drain && upstream && upstream.inFlight > 0) {
        const drained = await this.#within(upstream.whenIdle(), this.#o.drainTimeoutMs);
        if (!drained) {
          this.#log.warn('container.drain_timeout', `${c.name} still had ${upstream.inFlight} request(s) in flight after ${this.#o.drainTimeoutMs}ms`, {
            container: c.id,
          });
        }
      }
      c.state = 'stopping';
      const graceSeconds = Math.max(0, Math.ceil(this.#o.stopTimeoutMs / 1000));
      try {
        await this.#o.docker.stopContainer(c.id, { timeoutSeconds: graceSeconds });
      } catch (err) {
        this.#log.warn('container.stop_failed', `stopping ${c.name} failed, removing it by force: ${message(err)}`, { container: c.id });
      }
      await this.#removeQuietly(c.id);
      this.#containers.delete(c.id);
      this.#o.hooks?.removed?.();
      this.#log.info('container.removed', `${c.name} stopped and removed`, { container: c.id });
      this.#requestReconcile();
    });
  }

  // --- reconcile ---------------------------------------------------------------

  #requestReconcile(): void {
    if (this.#closed || this.#reconcileQueued) return;
    this.#reconcileQueued = true;
    this.#chain = this.#chain
      .then(async () => {
        this.#reconcileQueued = false;
        if (!this.#closed) await this.#reconcile();
      })
      .catch((err: unknown) => {
        this.#log.error('owner.error', `reconcile failed: ${message(err)}`);
        this.#scheduleRetry(this.#clock.now() + 1_000);
      });
  }

  async #reconcile(): Promise<void> {
    const now = this.#clock.now();
    const step = planReconcile({
      desired: this.#desired,
      containers: this.#planned(),
      now,
      nextStartAt: this.#backoff.nextStartAt(now),
      failureStreak: this.#backoff.streak,
    });
    switch (step.kind) {
      case 'steady':
        return;
      case 'retire':
        for (const id of step.ids) {
          const c = this.#containers.get(id);
          if (c) this.#retire(c, 'scale down', { drain: true });
        }
        return;
      case 'wait':
        // The scaler asks every second; say it (and set the timer) once per wait.
        if (step.untilMs === this.#waitingUntil) return;
        this.#waitingUntil = step.untilMs;
        this.#log.warn('backoff.wait', `containers keep failing (${this.#backoff.streak} in a row); next start in ${step.untilMs - now}ms. Last failure: ${this.#lastFailure}`, {
          streak: this.#backoff.streak,
          delayMs: step.untilMs - now,
          missing: step.missing,
        });
        this.#scheduleRetry(step.untilMs);
        return;
      case 'start':
        await Promise.all(Array.from({ length: step.count }, () => this.#startOne()));
        return;
    }
  }

  #scheduleRetry(at: number): void {
    if (this.#closed) return;
    if (this.#retryTimer !== null) this.#clock.clearTimeout(this.#retryTimer);
    this.#retryTimer = this.#clock.setTimeout(() => {
      this.#retryTimer = null;
      this.#requestReconcile();
    }, Math.max(0, at - this.#clock.now()));
  }

  async #startOne(): Promise<void> {
    const hostPort = allocateHostPort(this.#o.hostPorts ?? null, this.#planned());
    if (hostPort === null) {
      // Every fixed port is held, some by containers still stopping: their removal reconciles again.
      this.#log.warn('container.no_port', `no free port in --host-ports ${this.#o.hostPorts?.first}-${this.#o.hostPorts?.last}; waiting for one to be freed`);
      return;
    }
    const name = `${this.#o.service}-${randomBytes(3).toString('hex')}`;
    const createdAt = this.#clock.now();
    let id: string;
    try {
      ({ id } = await this.#o.docker.createContainer(this.#spec(name, hostPort)));
    } catch (err) {
      this.#lastFailure = `could not create a container: ${message(err)}`;
      this.#backoff.failed(this.#clock.now());
      this.#log.error('container.create_failed', this.#lastFailure, { image: this.#o.image });
      this.#scheduleRetry(this.#backoff.nextStartAt(this.#clock.now()));
      return;
    }
    const c: Managed = {
      id,
      name,
      hostPort: hostPort === 0 ? null : hostPort,
      state: 'starting',
      createdAt,
      readyAt: null,
      upstream: null,
      health: [],
      adopted: false,
    };
    this.#containers.set(id, c);
    this.#o.hooks?.started?.();
    this.#log.info('container.created', `${name} created from ${this.#o.image}`, { container: id, ...(c.hostPort ? { hostPort: c.hostPort } : {}) });
    try {
      await this.#o.docker.startContainer(id);
      const info = await this.#o.docker.inspectContainer(id);
      if (!info.state.running) throw new Error(`it exited at once with code ${info.state.exitCode}`);
      const port = publishedPort(info, this.#o.containerPort);
      if (port === undefined) throw new Error(`the engine published no host port for container port ${this.#o.containerPort}`);
      c.hostPort = port;
      this.#log.debug('container.started', `${name} started on 127.0.0.1:${port}`, { container: id, hostPort: port });
    } catch (err) {
      this.#fail(c, `could not start: ${message(err)}`);
    }
  }

  #spec(name: string, hostPort: number): ContainerSpec {
    return {
      image: this.#o.image,
      name,
      env: this.#o.env ?? [],
      labels: {
        [SERVICE_LABEL]: this.#o.service,
        [IMAGE_LABEL]: this.#o.image,
        [PORT_LABEL]: String(this.#o.containerPort),
      },
      containerPort: this.#o.containerPort,
      ...(hostPort > 0 ? { hostPort } : {}),
      hostIp: '127.0.0.1',
      ...(this.#o.memoryBytes ? { memoryBytes: this.#o.memoryBytes } : {}),
      ...(this.#o.cpus ? { nanoCpus: Math.round(this.#o.cpus * 1e9) } : {}),
      stopTimeoutSeconds: Math.ceil(this.#o.stopTimeoutMs / 1000),
    };
  }

  // --- adoption ----------------------------------------------------------------

  async #adoptable(s: ContainerSummary): Promise<{ ok: true; port: number } | { ok: false; why: string }> {
    if (s.state !== 'running') return { ok: false, why: `it is ${s.state}` };
    if (s.labels[IMAGE_LABEL] !== undefined && s.labels[IMAGE_LABEL] !== this.#o.image) {
      return { ok: false, why: `it runs ${s.labels[IMAGE_LABEL]}, not ${this.#o.image}` };
    }
    const port = publishedPort(s, this.#o.containerPort);
    if (port === undefined) return { ok: false, why: `container port ${this.#o.containerPort} is not published` };
    const range = this.#o.hostPorts;
    if (range && (port < range.first || port > range.last)) return { ok: false, why: `its host port ${port} is outside --host-ports` };
    const probe = this.#o.probe ?? probeHealth;
    const result = await probe({ port, path: this.#o.healthPath, timeoutMs: this.#o.healthTimeoutMs });
    if (!result.ok) return { ok: false, why: `its health API answered ${describeProbe(result)}` };
    return { ok: true, port };
  }

  #adoptReady(s: ContainerSummary, port: number): void {
    const now = this.#clock.now();
    const c: Managed = {
      id: s.id,
      name: (s.names[0] ?? s.id.slice(0, 12)).replace(/^\//, ''),
      hostPort: port,
      state: 'starting',
      createdAt: s.created > 0 ? s.created * 1000 : now,
      readyAt: null,
      upstream: null,
      health: [],
      adopted: true,
    };
    this.#containers.set(c.id, c);
    this.#log.info('container.adopted', `${c.name} adopted from an earlier run`, { container: c.id, hostPort: port });
    this.#join(c, now);
  }

  // --- helpers -----------------------------------------------------------------

  #planned(): PlannedContainer[] {
    return [...this.#containers.values()].map((c) => ({
      id: c.id,
      state: c.state,
      hostPort: c.hostPort,
      createdAt: c.createdAt,
      inFlight: c.upstream?.inFlight ?? 0,
    }));
  }

  async #removeQuietly(id: string): Promise<void> {
    try {
      await this.#o.docker.removeContainer(id, { force: true });
    } catch (err) {
      this.#log.error('container.remove_failed', `could not remove container: ${message(err)}`, { container: id });
    }
  }

  #track(work: () => Promise<void>): void {
    const task = work().catch((err: unknown) => {
      this.#log.error('owner.error', message(err));
    });
    this.#background.add(task);
    void task.finally(() => this.#background.delete(task));
  }

  /** True if `promise` settled within `ms`. */
  #within(promise: Promise<unknown>, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = this.#clock.setTimeout(() => resolve(false), ms);
      void promise.then(() => {
        this.#clock.clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
