// Wires the parts: Docker client → owner of the container set; proxy → request
// window → scaler → owner; health checker and events watcher → owner; admin server
// reads it all. Embedders use this class; the CLI is a thin layer over it.
//
// Longer than ~350 lines because all of the wiring is here, in the order a request and
// a decision flow (constructor: parts and their hooks; start/stop: the life cycle;
// status: the one snapshot every reader gets), so nothing is connected anywhere else.
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { AdminServer } from './admin/server.js';
import { assertAdminSecurity } from './admin/auth.js';
import { SymphonyMetrics } from './admin/symphony-metrics.js';
import { Scaler } from './autoscale/scaler.js';
import { TumblingWindow } from './autoscale/tumbling.js';
import { SlidingWindow } from './autoscale/window.js';
import { systemClock, type Clock } from './clock.js';
import { configFromOptions, isCountedPath, type SymphonyConfig, type SymphonyOptions } from './config.js';
import { DockerClient } from './docker/index.js';
import { SymphonyError } from './errors.js';
import { HealthChecker } from './health/checker.js';
import { TrafficSummaryLoop, TrafficTally } from './traffic-summary.js';
import { EventLogger, formatJson, formatText, RecentRecords, type LogRecord } from './log.js';
import { ContainerSet } from './orchestrator/container-set.js';
import { UpstreamPool } from './proxy/pool.js';
import { ProxyServer } from './proxy/server.js';
import { readEnvFiles } from './env-file.js';
import { preflight } from './preflight.js';
import { RefusedWatch } from './refused-watch.js';
import { containerOptionsOf } from './orchestrator/spec.js';
import type { DeployStatus, ScaleDecision, SymphonyStatus } from './status.js';
import type { DeployChanges } from './orchestrator/owner-types.js';
import { DockerRuntime } from './runtime/docker.js';
import { SwarmUnsupportedError, swarmUnsupported } from './runtime/swarm-spec.js';
import { SwarmRuntime } from './runtime/swarm.js';
import type { ReplicaRuntime, RuntimeWatch } from './runtime/types.js';

/** What a Symphony is built from besides its options (all optional). */
export interface SymphonyDeps {
  /** @default DockerClient.fromEnv(process.env) */
  readonly docker?: DockerClient;
  readonly clock?: Clock;
  /** Where log lines go (`logFormat` decides their shape). @default none: subscribe with on('event') */
  readonly logStream?: { write(line: string): unknown } | null;
  /** The environment a bare `KEY` line of an `envFile` takes its value from. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Addresses a started Symphony listens on. */
export interface SymphonyAddresses {
  readonly proxy: { readonly host: string; readonly port: number };
  readonly admin: { readonly host: string; readonly port: number } | null;
}

/**
 * A self-scaling, self-healing, load-balanced set of containers behind one port.
 *
 * Emits `'event'` with every LogRecord (and the record under its own name too,
 * e.g. `'container.ready'`, `'scale.decision'`, `'container.unhealthy'`), and
 * `'pull-progress'` with a line of text while a missing image is pulled.
 */
export class Symphony extends EventEmitter {
  /** The validated configuration. */
  readonly config: SymphonyConfig;
  readonly #docker: DockerClient;
  readonly #clock: Clock;
  readonly #logger: EventLogger;
  readonly #recent = new RecentRecords(200);
  readonly #metrics = new SymphonyMetrics();
  // Counts for the periodic info summary line (per-request lines, 499s included, are debug-only).
  readonly #traffic = new TrafficTally();
  readonly #summary: TrafficSummaryLoop;
  readonly #window: SlidingWindow | TumblingWindow;
  readonly #pool: UpstreamPool;
  readonly #owner: ContainerSet;
  readonly #scaler: Scaler;
  readonly #health: HealthChecker;
  /** What runs the replicas (--runtime): containers on this engine, or services on a swarm. */
  readonly #runtime: ReplicaRuntime;
  #watch: RuntimeWatch | null = null;
  readonly #proxy: ProxyServer;
  readonly #admin: AdminServer | null;
  /** The --env-file entries, read once at construction; they come before --env in every spec (deploys too). */
  readonly #envFromFiles: readonly string[];
  /** Names a starting container that keeps refusing connections (a wrong --container-port, most likely). */
  readonly #refused: RefusedWatch;
  #addresses: SymphonyAddresses | null = null;
  #startedAt: number | null = null;
  #state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  /** Aborted by stop() during start(): start bails out between steps (and the image pull ends). */
  readonly #startAbort = new AbortController();
  /** Settles when start() has finished, either way. */
  #startDone: Promise<unknown> = Promise.resolve();

  constructor(options: SymphonyOptions, deps: SymphonyDeps = {}) {
    super();
    const config = configFromOptions(options);
    this.config = config;
    this.#refused = new RefusedWatch({ containerPort: config.containerPort, afterMs: Math.min(10_000, config.startupTimeoutMs / 2) });
    this.#envFromFiles = readEnvFiles(config, { readFile: (file) => readFileSync(file, 'utf8'), env: deps.env ?? process.env });
    // Refuse an open admin port without a token before anything starts.
    if (config.adminListen) assertAdminSecurity(config.adminListen.host, config.adminToken ?? undefined);
    this.#docker = deps.docker ?? DockerClient.fromEnv(process.env);
    this.#clock = deps.clock ?? systemClock;
    const format = config.logFormat === 'json' ? formatJson : formatText;
    const stream = deps.logStream ?? null;
    this.#logger = new EventLogger({
      level: config.logLevel,
      now: () => this.#clock.now(),
      sinks: [
        this.#recent.sink,
        (record) => {
          this.emit('event', record);
          this.emit(record.event, record);
        },
        ...(stream ? [(record: LogRecord) => void stream.write(`${format(record)}\n`)] : []),
      ],
    });
    const log = this.#logger;

    this.#window =
      config.windowMode === 'tumbling' ? new TumblingWindow({ windowMs: config.windowMs }) : new SlidingWindow({ windowMs: config.windowMs });
    this.#pool = new UpstreamPool({ clock: this.#clock });
    const runtimeOptions = { docker: this.#docker, service: config.name, containerPort: config.containerPort, clock: this.#clock, logger: log };
    this.#runtime =
      config.runtime === 'swarm' ? new SwarmRuntime({ ...runtimeOptions, startupTimeoutMs: config.startupTimeoutMs }) : new DockerRuntime(runtimeOptions);
    this.#owner = new ContainerSet({
      runtime: this.#runtime,
      pool: this.#pool,
      service: config.name,
      image: config.image,
      containerPort: config.containerPort,
      // --env-file entries first: --env wins, as with docker run.
      env: [...this.#envFromFiles, ...config.env],
      ...containerOptionsOf(config),
      hostPorts: config.hostPorts,
      memoryBytes: config.memoryBytes,
      cpus: config.cpus,
      healthPath: config.healthPath,
      healthTimeoutMs: config.healthTimeoutMs,
      startupTimeoutMs: config.startupTimeoutMs,
      deployParallel: config.deployParallel,
      deployVerifyMs: config.deployVerifyMs,
      drainTimeoutMs: config.drainTimeoutMs,
      stopTimeoutMs: config.stopTimeoutMs,
      initialDesired: config.min,
      clock: this.#clock,
      logger: log,
      hooks: {
        started: () => this.#metrics.containerStarted(),
        replaced: () => this.#metrics.containerReplaced(),
        removed: () => this.#metrics.containerRemoved(),
        deployed: (result) => this.#metrics.deployEnded(result),
      },
    });
    this.#scaler = new Scaler({
      mode: config.windowMode,
      window: this.#window,
      base: config.baseScaleCount,
      scaleDownDelayMs: config.scaleDownDelayMs,
      min: config.min,
      max: config.max,
      clock: this.#clock,
      logger: log,
      onDecision: (decision) => this.#onDecision(decision),
    });
    this.#health = new HealthChecker({
      targets: () => this.#owner.healthTargets(),
      path: config.healthPath,
      intervalMs: config.healthIntervalMs,
      timeoutMs: config.healthTimeoutMs,
      clock: this.#clock,
      logger: log,
      onResult: (id, result) => {
        this.#metrics.healthCheck(result.ok);
        const probed = this.#owner.status().find((c) => c.id === id);
        const refusing = probed ? this.#refused.observe(id, probed.name, probed.state === 'starting', result) : null;
        if (refusing !== null) log.warn('container.refusing', refusing, { container: id, containerPort: config.containerPort });
        this.#owner.reportHealth(id, result);
      },
      // A timeout during our own stall, or while every ready container times out, is not reported.
      onInconclusive: (_id, _result, reason) => this.#metrics.healthInconclusive(reason),
    });
    this.#summary = new TrafficSummaryLoop({ clock: this.#clock, logger: log, read: () => this.#traffic.counts });
    this.#proxy = new ProxyServer({
      pool: this.#pool,
      clock: this.#clock,
      logger: log,
      upstreamTimeoutMs: config.upstreamTimeoutMs,
      queueTimeoutMs: config.queueTimeoutMs,
      queueSize: config.queueSize,
      onRequest: ({ path, now }) => {
        if (isCountedPath(path, config)) this.#window.record(now);
      },
      // A 5xx to an idempotent request triggers a health probe at once; a failed
      // probe takes the container out and the request is retried elsewhere.
      confirmUnhealthy: async (upstream) => {
        const result = await this.#health.probeNow(upstream.id);
        return result !== undefined && !result.ok;
      },
      observer: {
        requestDone: ({ status, durationMs, clientAborted }) => {
          this.#metrics.requestDone(status, durationMs, clientAborted);
          this.#traffic.requestDone(status, clientAborted);
        },
        connectError: () => this.#metrics.connectError(),
        retry: () => {
          this.#metrics.retry();
          this.#traffic.retry();
        },
        queueWaitDone: (_waitMs, gotMember) => {
          this.#metrics.queueWait(gotMember ? 'served' : 'timeout');
          this.#traffic.queueWait(gotMember ? 'served' : 'timeout');
        },
        queueRejected: () => {
          this.#metrics.queueWait('rejected');
          this.#traffic.queueWait('rejected');
        },
      },
    });
    this.#admin = config.adminListen
      ? new AdminServer({
          status: () => this.status(),
          metrics: (status) => this.#metrics.render(status),
          deploy: (changes) => this.startDeploy(changes).status,
          ...(config.adminToken ? { token: config.adminToken } : {}),
          logger: log,
          clock: this.#clock,
          title: `Docker Symphony · ${config.name}`,
        })
      : null;
  }

  /** Where the proxy and the admin server listen (after start). */
  get addresses(): SymphonyAddresses | null {
    return this.#addresses;
  }

  /**
   * Checks the engine and the image, adopts what an earlier run left, opens the
   * proxy and the admin server and starts the loops. Rejects (and cleans up) if
   * any of it fails.
   */
  async start(): Promise<SymphonyAddresses> {
    if (this.#state !== 'new') throw new SymphonyError('ALREADY_STARTED', 'this Symphony was already started; create a new one');
    this.#state = 'starting';
    const run = this.#start();
    this.#startDone = run.catch(() => {});
    return run;
  }

  async #start(): Promise<SymphonyAddresses> {
    const { config } = this;
    const log = this.#logger;
    // stop() during start: bail out between steps; the catch below tears down what was set up.
    const bailIfStopped = (): void => {
      if (this.#startAbort.signal.aborted) throw new SymphonyError('START_CANCELLED', 'start was cancelled by stop() (e.g. Ctrl-C); what it had set up is stopped again');
    };
    try {
      await this.#docker.ping();
      bailIfStopped();
      if (this.#runtime instanceof SwarmRuntime) {
        // Before anything is created: the spec must be one Swarm can run, DOCKER_HOST must
        // manage a swarm; the heartbeat is changed only when asked.
        const unsupported = swarmUnsupported(this.#owner.spec);
        if (unsupported.length > 0) throw new SwarmUnsupportedError(unsupported);
        await this.#runtime.requireManager();
        if (config.swarmHeartbeatMs !== null) await this.#runtime.configureSwarm({ heartbeatMs: config.swarmHeartbeatMs });
        bailIfStopped();
      }
      await this.#ensureImage();
      bailIfStopped();
      // A missing --network stops the start before any container is created.
      await preflight(this.#docker, config, log);
      bailIfStopped();
      // Ports first: a port in use must fail before any container is touched.
      // Requests that arrive before a container is ready wait in the proxy's queue.
      // Both reject with a ListenError (LISTEN_FAILED) naming the flag and the address.
      const proxy = await this.#proxy.listen(config.listen.port, config.listen.host);
      const admin = this.#admin && config.adminListen ? await this.#admin.listen(config.adminListen.port, config.adminListen.host) : null;
      this.#addresses = { proxy, admin };
      bailIfStopped();
      this.#watch = this.#runtime.watch({
        lost: (id, reason) => this.#owner.replicaLost(id, reason),
        broken: (err) => this.#owner.engineError(err),
      });
      // The window starts empty: adopted containers are kept until one window has passed.
      const { adopted } = await this.#owner.adopt({ keepUpTo: config.max });
      this.#scaler.holdAdopted(adopted, this.#clock.now());
      bailIfStopped();
      this.#health.start();
      this.#summary.start();
      this.#scaler.start();
      this.#startedAt = this.#clock.now();
      this.#state = 'running';
      log.info('symphony.started', `proxy on ${fmt(proxy)} in front of ${config.image}${admin ? `; dashboard on http://${fmt(admin)}/` : ''}`, {
        proxy: fmt(proxy),
        ...(admin ? { admin: fmt(admin) } : {}),
        service: config.name,
      });
      return this.#addresses;
    } catch (err) {
      // Cancelled by stop(): leave the containers as stop() would (--keep-containers).
      await this.#teardown({ keep: this.#startAbort.signal.aborted && this.config.keepContainers }).catch(() => {});
      this.#state = 'stopped';
      throw err;
    }
  }

  /**
   * Stops accepting requests, lets in-flight ones finish, then stops and removes
   * the containers (or leaves them for the next start with `keepContainers`).
   */
  async stop(): Promise<void> {
    if (this.#state === 'starting') {
      // Ctrl-C during an image pull: start() stops at its next step and cleans up itself.
      this.#startAbort.abort();
      await this.#startDone;
      // start() may have finished just before it could see the request: then stop as usual.
      if ((this.#state as string) !== 'running') return;
    }
    if (this.#state === 'stopped' || this.#state === 'stopping' || this.#state === 'new') {
      this.#state = 'stopped';
      return;
    }
    this.#state = 'stopping';
    this.#logger.info('symphony.stopping', 'stopping: no new requests; in-flight requests finish, then containers are removed');
    await this.#teardown({ keep: this.config.keepContainers });
    this.#state = 'stopped';
    this.#logger.info('symphony.stopped', 'stopped');
  }

  /** A snapshot of everything the admin API shows. */
  status(): SymphonyStatus {
    const { config } = this;
    const now = this.#clock.now();
    const decision = this.#scaler.lastDecision;
    const backoff = this.#owner.backoffStatus();
    const engine = this.#owner.engineStatus();
    const health = this.#health.status();
    return {
      service: {
        name: config.name,
        image: this.#owner.image,
        listen: this.#addresses ? fmt(this.#addresses.proxy) : fmt(config.listen),
        admin: this.#addresses?.admin ? fmt(this.#addresses.admin) : config.adminListen ? fmt(config.adminListen) : 'off',
        startedAt: new Date(this.#startedAt ?? now).toISOString(),
      },
      window: {
        seconds: config.windowMs / 1000,
        mode: config.windowMode,
        count: this.#window.count(now),
        baseScaleCount: config.baseScaleCount,
      },
      replicas: { min: config.min, max: config.max },
      desired: this.#owner.desired,
      decision,
      backoff: {
        failureStreak: backoff.failureStreak,
        nextStartAt: backoff.nextStartAt === null ? null : new Date(backoff.nextStartAt).toISOString(),
      },
      engine: { state: engine.state, since: engine.since === null ? null : new Date(engine.since).toISOString() },
      health: { panic: health.panic, since: health.since === null ? null : new Date(health.since).toISOString(), eventLoopLagMs: health.eventLoopLagMs },
      containers: this.#owner.status(),
      deploy: this.#owner.deployStatus(),
      proxy: { requests: this.#proxy.requests, inFlight: this.#proxy.inFlight, queued: this.#proxy.queued, clientAborted: this.#proxy.clientAborted },
      events: this.#recent.newestFirst(100),
    };
  }

  /**
   * Rolls the containers over to the spec with `changes` applied (the fields given
   * replace the current ones), start-first and health-gated; resolves with the deploy
   * as it ended, `succeeded` or `rolled-back`. Rejects with `DEPLOY_IN_PROGRESS` while
   * one runs, `CONFIG_INVALID` for bad values, `NOT_RUNNING` before start or after stop.
   */
  async deploy(changes: DeployChanges): Promise<DeployStatus> {
    return this.startDeploy(changes).done;
  }

  /**
   * Starts a deploy as {@link deploy} does, synchronously: `status` is the deploy as it
   * starts (what `POST /api/deploy` answers), `done` settles as it ends.
   */
  startDeploy(changes: DeployChanges): { status: DeployStatus; done: Promise<DeployStatus> } {
    // The options table checks the values as it checks them at start (throws CONFIG_INVALID).
    const checked = configFromOptions({ ...this.config, ...(changes.image !== undefined ? { image: changes.image } : {}), ...(changes.env !== undefined ? { env: changes.env } : {}) });
    if (this.#state !== 'running') throw new SymphonyError('NOT_RUNNING', `a deploy needs a running orchestrator (this one is ${this.#state})`);
    return this.#owner.deploy({
      ...(changes.image !== undefined ? { image: checked.image } : {}),
      ...(changes.env !== undefined ? { env: [...this.#envFromFiles, ...checked.env] } : {}),
    });
  }

  #onDecision(decision: ScaleDecision): void {
    const before = this.#owner.desired;
    if (decision.replicas !== before) this.#metrics.scaleDecision(decision.replicas > before ? 'up' : 'down');
    this.#owner.setDesired(decision.replicas);
  }

  async #ensureImage(): Promise<void> {
    const { image, pull } = this.config;
    if (await this.#docker.imageInspect(image)) return;
    if (pull === 'never') {
      throw new SymphonyError('IMAGE_UNAVAILABLE', `image ${image} is not on the engine and --pull is never: build it (docker build -t ${image} .) or load it first`);
    }
    this.#logger.info('image.pull', `image ${image} is not on the engine; pulling it`, { image });
    try {
      let last = '';
      await this.#docker.imagePull(image, {
        signal: this.#startAbort.signal,
        onProgress: (p) => {
          const line = [p.id, p.status, p.progress].filter(Boolean).join(' ');
          if (line === last) return;
          last = line;
          this.#logger.debug('image.pull_progress', line, { image });
          this.emit('pull-progress', line); // the CLI draws it as one updating line on a TTY
        },
      });
    } catch (err) {
      if (this.#startAbort.signal.aborted) return; // stop() ended the pull; start bails out next
      throw new SymphonyError(
        'IMAGE_UNAVAILABLE',
        `image ${image} is not on the engine and could not be pulled (${err instanceof Error ? err.message : String(err)}). ` +
          `Build it locally (docker build -t ${image} .), or check that its registry is reachable and you are logged in.`,
        { cause: err },
      );
    }
    this.#logger.info('image.pulled', `pulled ${image}`, { image });
  }

  async #teardown(options: { keep: boolean }): Promise<void> {
    this.#scaler.stop();
    await this.#proxy.close({ graceMs: this.config.drainTimeoutMs });
    this.#summary.stop(); // after the proxy closed: the last line counts every request
    await this.#health.stop();
    await this.#owner.shutdown({ keep: options.keep });
    await this.#watch?.stop();
    this.#watch = null;
    await this.#admin?.close();
  }
}

function fmt(a: { host: string; port: number }): string {
  return `${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
}
