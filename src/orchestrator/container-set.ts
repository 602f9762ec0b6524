// The one owner of the replica set: the scaler, the health checker, the runtime's watch
// and shutdown only ask; this module decides and calls the runtime (runtime/types.ts:
// containers on one engine, or one service per replica on a swarm; it does not know which).
//
// What is serialised: decisions. Reconciling (what to start or retire), adoption and
// the resync after an engine outage run one at a time on a promise chain, so a
// container is never replaced while it is being scaled away, nor counted twice.
// Reports (a health result, an engine event) change one container's state at once,
// synchronously, and ask for a reconcile. Drains, stops and removals run in the
// background (tracked, awaited by shutdown) and ask for a reconcile when done.
//
// A deploy is the owner's work too: it switches the spec new containers are made from
// (synchronously, between reconciles), and the reconcile's rolling replacement of
// outdated containers does the rest; deploy.ts decides when it is over or must roll back.
//
// Longer than ~350 lines because it is the state machine, kept whole on purpose: every
// transition of a container (starting → ready → draining → stopping, or unhealthy), of
// the engine (up / unavailable) and of a deploy (running → succeeded, or rolling back)
// is here, so a reader sees every path that changes the set in one place. What it
// decides is in pure functions (plan.ts, ports.ts, adoption.ts, deploy.ts, spec.ts,
// health/verdict.ts); its types are in owner-types.ts, its wording in wording.ts.
import { randomBytes } from 'node:crypto';
import { sleep, systemClock, type Clock, type TimerHandle } from '../clock.js';
import { SymphonyError } from '../errors.js';
import { BackoffTracker } from '../health/backoff.js';
import { probeHealth } from '../health/probe.js';
import { describeProbe, healthVerdict, probeFailure } from '../health/verdict.js';
import { silentLogger, type Logger } from '../log.js';
import { Upstream } from '../proxy/upstream.js';
import type { ContainerSpec } from '../docker/index.js';
import type { ReplicaSummary } from '../runtime/types.js';
import type { ContainerStatus, DeployStatus, HealthResult } from '../status.js';
import { adoptionDecision } from './adoption.js';
import { deployAbortReason, deployProgress } from './deploy.js';
import { SPEC_LABEL } from './labels.js';
import { isActive, pickToRetire, planReconcile, type PlannedContainer } from './plan.js';
import { allocateHostPorts, isPortTaken, nextUnblockAt } from './ports.js';
import { specHash } from './spec-hash.js';
import { baseSpec, instanceSpec } from './spec.js';
import type { ContainerSetOptions, DeployChanges, DeployRun, EngineStatus, Latch, Leaving, Managed, Target } from './owner-types.js';
import { formatAge, message, plural } from './wording.js';

const HEALTH_HISTORY = 10;
const LOOPBACK = '127.0.0.1';
const REMOVE_RETRY_FIRST_MS = 1_000;
const REMOVE_RETRY_MAX_MS = 10_000;

/** Owns the service's containers: creates, readies, drains, replaces, adopts and removes them. */
export class ContainerSet {
  readonly #o: ContainerSetOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #backoff: BackoffTracker;
  /** What new containers are made from; a deploy (or its rollback) switches it. */
  #target: Target;
  #deploy: DeployRun | null = null;
  #deploys = 0;
  readonly #containers = new Map<string, Managed>();
  readonly #background = new Set<Promise<void>>();
  /** Fixed host ports the engine said something else holds, until when. */
  readonly #blockedPorts = new Map<number, number>();
  #desired: number;
  #chain: Promise<void> = Promise.resolve();
  #reconcileQueued = false;
  #retryTimer: TimerHandle | null = null;
  #retryAt = 0;
  #lastFailure = '';
  /** End of the back-off wait already announced and scheduled. */
  #waitingUntil = 0;
  #noPortLogged = false;
  #closed = false;
  #giveUpAt = Number.POSITIVE_INFINITY;
  #engine: EngineStatus = { state: 'up', since: null };
  #engineTimer: TimerHandle | null = null;
  /** Resolved (and replaced) when the engine answers again: wakes removals waiting to retry. */
  #engineBack = signal();

  constructor(options: ContainerSetOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#log = options.logger ?? silentLogger;
    this.#backoff = options.backoff ?? new BackoffTracker();
    this.#desired = options.initialDesired ?? 1;
    this.#target = this.#makeTarget(options.image, options.env ?? []);
  }

  /** Replicas the owner is moving toward. */
  get desired(): number {
    return this.#desired;
  }

  /** The hash new containers are labelled with (`docker-symphony.spec`). */
  get specHash(): string {
    return this.#target.hash;
  }

  /** The spec new containers are made from (without name, host port and hash label). */
  get spec(): ContainerSpec {
    return this.#target.base;
  }

  /** The image new containers run (changed by a deploy). */
  get image(): string {
    return this.#target.image;
  }

  /** The running deploy, or the last one (null: none yet). */
  deployStatus(): DeployStatus | null {
    const d = this.#deploy;
    if (!d) return null;
    return {
      id: d.id,
      state: d.state,
      from: { image: d.from.image, spec: d.from.hash },
      to: { image: d.to.image, spec: d.to.hash },
      progress: { done: d.done, total: d.total },
      reason: d.reason,
      startedAt: new Date(d.startedAt).toISOString(),
      endedAt: d.endedAt === null ? null : new Date(d.endedAt).toISOString(),
    };
  }

  /**
   * Starts a rolling deploy to the spec with `changes` applied: for each old replica a
   * new one starts (`deployParallel` at a time); when it answers 200 it joins the
   * rotation and an old one drains and goes. A new one that fails to become ready, or
   * fails within `deployVerifyMs` of joining, rolls everything back. `status` is the
   * deploy as it starts; `done` resolves with it as it ends (`succeeded` or
   * `rolled-back`). Throws `DEPLOY_IN_PROGRESS` while one runs.
   *
   * The switch of spec is synchronous and so serialised with reconcile: a reconcile
   * plans and calls create in one synchronous run, so no plan straddles it.
   */
  deploy(changes: DeployChanges): { status: DeployStatus; done: Promise<DeployStatus> } {
    if (this.#closed) throw new SymphonyError('SHUTTING_DOWN', 'the orchestrator is stopping; deploy after the next start');
    const running = this.#deploy;
    if (running && (running.state === 'running' || running.state === 'rolling-back')) {
      throw new SymphonyError(
        'DEPLOY_IN_PROGRESS',
        `deploy ${running.id} (${running.from.image} → ${running.to.image}) is ${running.state}; wait for it to end (see /api/status), then deploy again`,
      );
    }
    const from = this.#target;
    const to = this.#makeTarget(changes.image ?? from.image, changes.env ?? from.env);
    const now = this.#clock.now();
    const outdated = to.hash === from.hash ? 0 : [...this.#containers.values()].filter((c) => isActive(c.state) && c.hash !== to.hash).length;
    const d: DeployRun = { id: ++this.#deploys, state: 'running', from, to, total: outdated, done: 0, reason: null, startedAt: now, endedAt: null, finished: signal() };
    this.#deploy = d;
    this.#log.info('deploy.started', `deploy ${d.id}: ${from.image} (${from.hash}) → ${to.image} (${to.hash}), ${outdated} replica(s) to replace, ${this.#o.deployParallel ?? 1} at a time`, {
      deploy: d.id,
      from: from.hash,
      to: to.hash,
      image: to.image,
      total: outdated,
    });
    const status = this.deployStatus()!;
    const done = d.finished.promise.then(() => this.deployStatus()!);
    if (to.hash === from.hash) {
      this.#endDeploy(d, 'succeeded', 'the spec is unchanged; nothing to replace');
    } else {
      this.#switchTo(to);
      this.#requestReconcile();
    }
    return { status, done };
  }

  /** Failures in a row, and when the next start may happen (null: no wait). */
  backoffStatus(): { failureStreak: number; nextStartAt: number | null } {
    const now = this.#clock.now();
    const next = this.#backoff.nextStartAt(now);
    return { failureStreak: this.#backoff.streak, nextStartAt: next > now ? next : null };
  }

  /** Whether the engine answers, and since when. */
  engineStatus(): EngineStatus {
    return this.#engine;
  }

  /** Asks for `replicas` containers; the owner gets there one change at a time. */
  setDesired(replicas: number): void {
    if (this.#closed) return;
    this.#desired = replicas;
    this.#requestReconcile();
  }

  /** Replicas the health checker probes: those starting or in rotation with a known address. */
  healthTargets(): { id: string; host: string; port: number; phase: 'starting' | 'ready' }[] {
    const out: { id: string; host: string; port: number; phase: 'starting' | 'ready' }[] = [];
    for (const c of this.#containers.values()) {
      if ((c.state === 'starting' || c.state === 'ready') && c.hostPort !== null) {
        out.push({ id: c.id, host: c.host, port: c.hostPort, phase: c.state });
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
        hostPort: c.hostPort ?? c.reservedPort,
        host: c.host,
        node: c.node,
        state: c.state,
        inFlight: c.upstream?.inFlight ?? 0,
        served: c.upstream?.served ?? 0,
        health: [...c.health],
        startedAt: new Date(c.startedAt ?? c.createdAt).toISOString(),
        adopted: c.adopted,
        spec: c.hash,
        image: c.image,
      }));
  }

  /**
   * A health probe finished. A starting container joins the rotation on its first
   * 200; a ready one leaves it on anything else, at once, and is replaced. One that
   * only did not answer in time (it may be busy) finishes its in-flight requests first.
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
      failure: probeFailure(result),
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
        this.#fail(c, verdict.reason, { drain: c.state === 'ready' && verdict.failure === 'timeout', counts: true });
        break;
    }
  }

  /**
   * The runtime says a replica stopped serving (its process exited, it was removed, its
   * swarm node went down): out of the rotation and replaced at once if it was serving.
   */
  replicaLost(id: string, reason: string): void {
    const c = this.#containers.get(id);
    if (!c) return; // not ours
    if (c.cutDrain) {
      // Draining, but its process is gone: nothing in flight can finish.
      c.cutDrain();
      return;
    }
    if (!isActive(c.state)) return; // ours to stop
    this.#fail(c, reason, { drain: false, counts: true });
  }

  /**
   * A runtime call outside the owner failed (its watch broke). If it says the
   * engine is away, the owner enters the engine-unavailable state.
   */
  engineError(err: unknown): void {
    if (isUnavailable(err)) this.#engineDown(err);
  }

  /**
   * Takes over what a previous run left: running containers of this service that
   * answer the health API join the rotation (those of another spec only until
   * replacements are ready); the others are removed. The desired count rises to what
   * was adopted (at most `keepUpTo`, --max), so nothing adopted is drained at once.
   */
  async adopt(options: { keepUpTo?: number } = {}): Promise<{ adopted: number; removed: number }> {
    const found = await this.#o.runtime.list();
    const counts = await this.#serialised(async () => {
      const taken = await this.#takeOver(found);
      // What was adopted is serving: count it in before the next reconcile, or an empty
      // request window would drain it in the same millisecond (the scaler then holds
      // the count for one window).
      this.#desired = Math.max(this.#desired, Math.min(taken.adopted, options.keepUpTo ?? Number.POSITIVE_INFINITY));
      return taken;
    });
    if (found.length > 0) this.#log.info('adoption.done', `adopted ${counts.adopted}, removed ${counts.removed} ${plural(counts.removed, 'container')} from an earlier run`, { ...counts });
    // What could not be adopted is removed in the background (retried until done).
    this.#requestReconcile();
    return counts;
  }

  /**
   * Stops acting. Without `keep`, every container leaves the rotation and is
   * stopped (SIGTERM, then SIGKILL after the stop timeout) and removed; removals the
   * engine refuses are retried for `shutdownRetryMs`.
   */
  async shutdown(options: { keep?: boolean } = {}): Promise<void> {
    this.#closed = true;
    this.#giveUpAt = this.#clock.now() + (this.#o.shutdownRetryMs ?? 30_000);
    if (this.#retryTimer !== null) this.#clock.clearTimeout(this.#retryTimer);
    if (this.#engineTimer !== null) this.#clock.clearTimeout(this.#engineTimer);
    const d = this.#deploy;
    if (d && (d.state === 'running' || d.state === 'rolling-back')) {
      d.reason ??= 'the orchestrator stopped during the deploy';
      this.#endDeploy(d, 'rolled-back', null);
    }
    await this.#chain;
    if (options.keep) {
      await this.#settled();
      this.#log.info('shutdown.kept', `leaving ${plural(this.#containers.size, 'container', true)} running for the next start to adopt`);
      return;
    }
    for (const c of this.#containers.values()) {
      if (isActive(c.state)) this.#leave(c, 'shutdown', { drain: true, gentle: true });
    }
    await this.#settled();
  }

  // --- transitions -------------------------------------------------------------

  #join(c: Managed, now: number): void {
    if (c.hostPort === null) return;
    c.state = 'ready';
    c.readyAt = now;
    c.upstream = new Upstream(c.id, c.hostPort, c.host);
    this.#o.pool.add(c.upstream);
    this.#noPortLogged = false;
    this.#log.info('container.ready', `${c.name} answered 200 and joined the rotation after ${now - c.createdAt}ms${c.node ? ` (on ${c.node})` : ''}`, {
      container: c.id,
      hostPort: c.hostPort,
      ...(c.node ? { node: c.node, host: c.host } : {}),
    });
    // An outdated one may now be retired.
    this.#requestReconcile();
  }

  /**
   * Out of the rotation now and replaced. `drain`: it may only be slow, so its
   * in-flight requests finish first (bounded by the drain timeout); otherwise it
   * is killed at once. `counts`: the failure is the app's (back-off).
   */
  #fail(c: Managed, reason: string, how: { drain: boolean; counts: boolean }): void {
    if (!isActive(c.state)) return;
    const wasReady = c.state === 'ready';
    const abort = this.#deploy
      ? deployAbortReason({
          phase: this.#deploy.state === 'running' ? 'running' : 'rolling-back',
          target: this.#deploy.to.hash,
          spec: c.hash,
          state: wasReady ? 'ready' : 'starting',
          readyAt: c.readyAt,
          now: this.#clock.now(),
          verifyMs: this.#o.deployVerifyMs ?? 10_000,
          failure: reason,
        })
      : null;
    this.#lastFailure = reason;
    // While the engine is away, containers fail because of it, not of the app.
    if (how.counts && this.#engine.state === 'up') this.#backoff.failed(this.#clock.now());
    this.#o.hooks?.replaced?.();
    this.#log.warn('container.unhealthy', `${c.name} ${wasReady ? 'left the rotation' : 'failed to start'} and will be replaced: ${reason}`, {
      container: c.id,
      reason,
    });
    this.#leave(c, reason, { drain: how.drain, gentle: false, failed: true });
    if (abort !== null) this.#rollBack(abort);
    this.#requestReconcile();
  }

  /** Leaves the rotation at once; in the background: drains, stops (or kills), removes. */
  #leave(c: Managed, why: string, how: Leaving): void {
    const upstream = this.#o.pool.remove(c.id) ?? c.upstream;
    const inFlight = upstream?.inFlight ?? 0;
    const draining = how.drain && upstream !== null && inFlight > 0;
    c.state = draining ? 'draining' : how.failed ? 'unhealthy' : 'stopping';
    if (how.gentle || draining) {
      this.#log.info('container.draining', `${c.name} left the rotation (${why}); ${inFlight === 0 ? 'nothing in flight' : `finishing ${plural(inFlight, 'in-flight request', true)}`}`, { container: c.id, reason: why });
    }
    this.#track(async () => {
      if (draining) await this.#drain(c, upstream);
      if (how.gentle && c.state !== 'unhealthy') {
        // Stopping gently: SIGTERM, SIGKILL after the stop timeout.
        c.state = 'stopping';
        try {
          await this.#o.runtime.stop(c.id, Math.max(0, Math.ceil(this.#o.stopTimeoutMs / 1000)));
        } catch (err) {
          if (isUnavailable(err)) this.#engineDown(err);
          this.#log.warn('container.stop_failed', `stopping ${c.name} failed, removing it by force: ${message(err)}`, { container: c.id });
        }
      }
      await this.#removeUntilDone(c);
    });
  }

  /** Waits for the in-flight requests to finish, the drain timeout, or the process to die. */
  async #drain(c: Managed, upstream: Upstream): Promise<void> {
    const outcome = await new Promise<'idle' | 'timeout' | 'died'>((resolve) => {
      const done = (how: 'idle' | 'timeout' | 'died'): void => {
        this.#clock.clearTimeout(timer);
        resolve(how);
      };
      const timer = this.#clock.setTimeout(() => done('timeout'), this.#o.drainTimeoutMs);
      c.cutDrain = () => done('died');
      void upstream.whenIdle().then(() => done('idle'));
    });
    c.cutDrain = null;
    if (outcome === 'timeout') {
      this.#log.warn('container.drain_timeout', `${c.name} still had ${plural(upstream.inFlight, 'request', true)} in flight after ${this.#o.drainTimeoutMs}ms`, { container: c.id });
    } else if (outcome === 'died') {
      c.state = 'unhealthy'; // nothing left to stop gently
      this.#log.info('container.drain_cut', `${c.name} died while draining; removing it now`, { container: c.id });
    }
  }

  /**
   * Removes by force, retrying until the engine confirms (a removal that failed is
   * never logged as done). After shutdown began, gives up at the shutdown deadline.
   */
  async #removeUntilDone(c: Managed): Promise<void> {
    c.removing = true;
    let delay = REMOVE_RETRY_FIRST_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#o.runtime.remove(c.id);
        break;
      } catch (err) {
        if (isUnavailable(err)) this.#engineDown(err);
        if (attempt === 1) this.#log.warn('container.remove_failed', `could not remove ${c.name} (${message(err)}); retrying until it is gone`, { container: c.id });
        if (this.#clock.now() >= this.#giveUpAt) {
          this.#log.error('container.remove_abandoned', `gave up removing ${c.name} at shutdown after ${attempt} attempt(s): ${message(err)}; the next start removes or adopts it`, { container: c.id });
          this.#containers.delete(c.id);
          return;
        }
        await Promise.race([sleep(this.#clock, Math.min(delay, Math.max(0, this.#giveUpAt - this.#clock.now()))), this.#engineBack.promise]);
        delay = Math.min(delay * 2, REMOVE_RETRY_MAX_MS);
      }
    }
    this.#containers.delete(c.id);
    this.#o.hooks?.removed?.();
    this.#log.info('container.removed', `${c.name} removed`, { container: c.id });
    this.#requestReconcile(); // a fixed host port it held is free now
  }

  // --- deploys -----------------------------------------------------------------

  #makeTarget(image: string, env: readonly string[]): Target {
    const base = baseSpec({ ...this.#o, image, env });
    return { base, hash: specHash(base), image, env: [...env] };
  }

  /** New containers come from `to`; those of another spec become outdated (they serve until replaced). */
  #switchTo(to: Target): void {
    this.#target = to;
    for (const c of this.#containers.values()) c.current = c.hash === to.hash;
  }

  /** Aborts the running deploy: the old spec is restored, start-first; the new containers drain and go once it is ready. */
  #rollBack(reason: string): void {
    const d = this.#deploy;
    if (!d || d.state !== 'running') return;
    d.state = 'rolling-back';
    d.reason = reason;
    this.#log.warn('deploy.rolling_back', `deploy ${d.id} is rolling back to ${d.from.image} (${d.from.hash}): ${reason}`, { deploy: d.id, reason });
    // The failures were the new spec's: the old one starts without back-off.
    this.#backoff.reset();
    this.#switchTo(d.from);
    this.#requestReconcile();
  }

  /** After a reconcile: reports progress, and ends the deploy once its target serves everything. */
  #checkDeploy(now: number): void {
    const d = this.#deploy;
    if (!d || (d.state !== 'running' && d.state !== 'rolling-back')) return;
    const phase = d.state;
    const view = deployProgress({
      phase,
      target: phase === 'running' ? d.to.hash : d.from.hash,
      total: d.total,
      containers: [...this.#containers.values()].map((c) => ({ spec: c.hash, state: c.state, readyAt: c.readyAt })),
      now,
      verifyMs: this.#o.deployVerifyMs ?? 10_000,
    });
    if (phase === 'running' && view.done !== d.done) {
      d.done = view.done;
      this.#log.info('deploy.progress', `deploy ${d.id}: ${d.done} of ${d.total} replica(s) replaced`, { deploy: d.id, done: d.done, total: d.total });
    }
    if (view.finished) this.#endDeploy(d, phase === 'running' ? 'succeeded' : 'rolled-back', null);
    else if (view.checkAt !== null) this.#scheduleRetry(view.checkAt);
  }

  #endDeploy(d: DeployRun, result: 'succeeded' | 'rolled-back', note: string | null): void {
    d.state = result;
    d.endedAt = this.#clock.now();
    const took = d.endedAt - d.startedAt;
    if (result === 'succeeded') {
      this.#log.info('deploy.succeeded', `deploy ${d.id} succeeded in ${took}ms: ${d.to.image} (${d.to.hash}) serves everything${note ? ` (${note})` : ''}`, { deploy: d.id, durationMs: took });
    } else {
      this.#log.warn('deploy.rolled_back', `deploy ${d.id} rolled back in ${took}ms: ${d.from.image} (${d.from.hash}) serves everything again. Reason: ${d.reason ?? note}`, {
        deploy: d.id,
        durationMs: took,
        reason: d.reason ?? note,
      });
    }
    this.#o.hooks?.deployed?.(result);
    d.finished.resolve();
  }

  // --- the engine --------------------------------------------------------------

  #engineDown(err: unknown): void {
    if (this.#engine.state === 'unavailable') return;
    this.#engine = { state: 'unavailable', since: this.#clock.now() };
    this.#log.warn('engine.unavailable', `the Docker engine does not answer (${message(err)}); serving with the containers that still pass health checks until it is back`);
    this.#pollEngine();
  }

  #pollEngine(): void {
    if (this.#closed) return;
    this.#engineTimer = this.#clock.setTimeout(() => {
      this.#engineTimer = null;
      this.#o.runtime.list().then(
        () => this.#engineUp(),
        () => this.#pollEngine(),
      );
    }, this.#o.enginePollMs ?? 1_000);
  }

  #engineUp(): void {
    if (this.#engine.state === 'up') return;
    const downFor = this.#clock.now() - (this.#engine.since ?? this.#clock.now());
    this.#engine = { state: 'up', since: this.#clock.now() };
    // Containers that failed around the outage failed because of it: the app starts afresh.
    this.#backoff.reset();
    this.#log.info('engine.available', `the Docker engine answers again after ${downFor}ms; reconciling with what it runs`, { downMs: downFor });
    const back = this.#engineBack;
    this.#engineBack = signal();
    back.resolve();
    if (this.#closed) return;
    this.#chain = this.#chain
      .then(async () => {
        if (this.#closed) return;
        await this.#resync(await this.#o.runtime.list());
      })
      .catch((err: unknown) => this.#chainFailed(err));
    this.#requestReconcile();
  }

  /** After an outage: forget what the engine no longer has, replace what stopped, take over what we did not know. */
  async #resync(found: readonly ReplicaSummary[]): Promise<void> {
    const listed = new Map(found.map((s) => [s.id, s]));
    for (const c of [...this.#containers.values()]) {
      const s = listed.get(c.id);
      if (c.removing) continue; // its removal is retried now and succeeds if it is gone
      if (!s) {
        this.#fail(c, 'container vanished while the engine was away', { drain: false, counts: false });
      } else if (s.state !== 'running' && isActive(c.state)) {
        this.#fail(c, `container ${s.state} after the engine came back`, { drain: false, counts: false });
      }
    }
    await this.#takeOver(found.filter((s) => !this.#containers.has(s.id)));
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
      .catch((err: unknown) => this.#chainFailed(err));
  }

  #serialised<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(work);
    this.#chain = run.then(
      () => {},
      () => {},
    );
    return run;
  }

  #chainFailed(err: unknown): void {
    if (isUnavailable(err)) {
      this.#engineDown(err);
      return; // the engine's return reconciles
    }
    this.#log.error('owner.error', `reconcile failed: ${message(err)}`);
    this.#scheduleRetry(this.#clock.now() + 1_000);
  }

  async #reconcile(): Promise<void> {
    // Nothing can be changed while the engine is away; its return reconciles.
    if (this.#engine.state === 'unavailable') return;
    const now = this.#clock.now();
    const plan = planReconcile({
      desired: this.#desired,
      containers: this.#planned(),
      now,
      nextStartAt: this.#backoff.nextStartAt(now),
      failureStreak: this.#backoff.streak,
      parallel: this.#deploy?.state === 'running' ? (this.#o.deployParallel ?? 1) : null,
    });
    for (const id of plan.retire) {
      const c = this.#containers.get(id);
      if (c) this.#leave(c, c.current ? 'scale down' : 'replaced by a container of the current spec', { drain: true, gentle: true });
    }
    this.#checkDeploy(now);
    if (plan.waitUntilMs !== null) this.#scheduleRetry(plan.waitUntilMs);
    if (plan.waitUntilMs !== null && plan.waitUntilMs !== this.#waitingUntil) {
      // The scaler asks every second; say it once per wait.
      this.#waitingUntil = plan.waitUntilMs;
      this.#log.warn('backoff.wait', `containers keep failing (${this.#backoff.streak} in a row); next start in ${plan.waitUntilMs - now}ms. Last failure: ${this.#lastFailure}`, {
        streak: this.#backoff.streak,
        delayMs: plan.waitUntilMs - now,
        missing: plan.missing,
      });
    }
    if (plan.start === 0) return;
    const ports = allocateHostPorts({
      range: this.#o.hostPorts ?? null,
      held: [...this.#containers.values()].flatMap((c) => [c.reservedPort, c.hostPort]),
      blocked: this.#blockedPorts,
      now,
      count: plan.start,
    });
    if (ports.length < plan.start && !this.#makeRoom(ports.length)) this.#noPort(now);
    await Promise.all(ports.map((port) => this.#startOne(port)));
  }

  /**
   * With --host-ports, outdated containers may hold the ports the current spec
   * needs: one at a time (nothing else leaving or starting, no port free at all),
   * one of them is retired with draining, so the rollout goes on. False when no
   * outdated container holds a port (then nothing but time frees one).
   */
  #makeRoom(portsFound: number): boolean {
    const all = [...this.#containers.values()];
    const [id] = pickToRetire(this.#planned().filter((c) => !c.current && c.hostPort !== null), 1);
    const c = id === undefined ? undefined : this.#containers.get(id);
    if (!c) return false;
    const busy = portsFound > 0 || all.some((o) => !isActive(o.state) || (o.current && o.state === 'starting'));
    // Busy: a start, a removal or a replacement under way reconciles again when it is done.
    if (!busy) this.#leave(c, 'making room on --host-ports for a container of the current spec', { drain: true, gentle: true });
    return true;
  }

  #noPort(now: number): void {
    const unblock = nextUnblockAt(this.#blockedPorts, now);
    // Ports held by our own containers being stopped come back with their removal (which reconciles).
    if (unblock !== null) this.#scheduleRetry(unblock);
    if (this.#noPortLogged) return;
    this.#noPortLogged = true;
    const range = this.#o.hostPorts;
    this.#log.warn('container.no_port', `no free port in --host-ports ${range?.first}-${range?.last}; waiting for one to be freed`, {
      blocked: [...this.#blockedPorts.keys()].filter((p) => (this.#blockedPorts.get(p) ?? 0) > now),
    });
  }

  /** Reconciles again at `at`, or earlier if a retry is already due earlier (each reconcile asks again for what it still needs). */
  #scheduleRetry(at: number): void {
    if (this.#closed) return;
    if (this.#retryTimer !== null) {
      if (this.#retryAt <= at) return;
      this.#clock.clearTimeout(this.#retryTimer);
    }
    this.#retryAt = at;
    this.#retryTimer = this.#clock.setTimeout(() => {
      this.#retryTimer = null;
      this.#requestReconcile();
    }, Math.max(0, at - this.#clock.now()));
  }

  /** Creates and starts one container on `hostPort` (0: the engine picks). */
  async #startOne(hostPort: number): Promise<void> {
    const name = `${this.#o.service}-${randomBytes(3).toString('hex')}`;
    const createdAt = this.#clock.now();
    const target = this.#target;
    let id: string;
    try {
      ({ id } = await this.#o.runtime.create(instanceSpec(target.base, { name, hostPort, hash: target.hash })));
    } catch (err) {
      if (isUnavailable(err)) {
        this.#engineDown(err);
        return; // not the app's fault; the engine's return reconciles
      }
      this.#lastFailure = `could not create a container: ${message(err)}`;
      this.#backoff.failed(this.#clock.now());
      this.#log.error('container.create_failed', this.#lastFailure, { image: target.image });
      if (this.#deploy?.state === 'running' && target.hash === this.#deploy.to.hash) this.#rollBack(`a container of the new spec could not be created: ${message(err)}`);
      this.#scheduleRetry(this.#backoff.nextStartAt(this.#clock.now()));
      return;
    }
    const c: Managed = {
      id,
      name,
      reservedPort: hostPort === 0 ? null : hostPort,
      hostPort: null,
      host: LOOPBACK,
      node: null,
      state: 'starting',
      createdAt,
      startedAt: null,
      readyAt: null,
      upstream: null,
      health: [],
      adopted: false,
      hash: target.hash,
      image: target.image,
      // A deploy may have switched the spec while the engine created it.
      current: target.hash === this.#target.hash,
      cutDrain: null,
      removing: false,
    };
    this.#containers.set(id, c);
    this.#o.hooks?.started?.();
    this.#log.info('container.created', `${name} created from ${target.image}`, { container: id, ...(c.reservedPort ? { hostPort: c.reservedPort } : {}) });
    try {
      const started = await this.#o.runtime.start(id);
      if (!isActive(c.state)) return; // it left while starting (lost, or shut down)
      c.host = started.address.host;
      c.hostPort = started.address.port;
      c.node = started.node;
      c.startedAt = started.startedAt ?? this.#clock.now();
      this.#log.debug('container.started', `${name} started on ${c.host}:${c.hostPort}${c.node ? ` (node ${c.node})` : ''}`, {
        container: id,
        hostPort: c.hostPort,
        ...(c.node ? { node: c.node, host: c.host } : {}),
      });
    } catch (err) {
      if (!isActive(c.state)) return; // it already left (its process died meanwhile)
      if (isUnavailable(err)) {
        this.#engineDown(err);
        this.#fail(c, `could not start: ${message(err)}`, { drain: false, counts: false });
      } else if (hostPort > 0 && isPortTaken(message(err))) {
        // Something else holds the port: not the app's fault. Pass over the port for a while.
        this.#blockedPorts.set(hostPort, this.#clock.now() + (this.#o.portBlockMs ?? 30_000));
        this.#log.warn('container.port_taken', `host port ${hostPort} is held by something else; trying the next free port of --host-ports`, { container: id, hostPort });
        this.#leave(c, `host port ${hostPort} taken`, { drain: false, gentle: false });
        this.#requestReconcile();
      } else {
        this.#fail(c, `could not start: ${message(err)}`, { drain: false, counts: true });
      }
    }
  }

  // --- adoption ----------------------------------------------------------------

  /** Adopts what can serve of `found` (containers the owner does not manage yet) and removes the rest. */
  async #takeOver(found: readonly ReplicaSummary[]): Promise<{ adopted: number; removed: number }> {
    let adopted = 0;
    let removed = 0;
    const probe = this.#o.probe ?? probeHealth;
    await Promise.all(
      found.map(async (s) => {
        const decision = adoptionDecision(s, { containerPort: this.#o.containerPort, hostPorts: this.#o.hostPorts ?? null, specHash: this.#target.hash });
        let why = decision.kind === 'remove' ? decision.why : '';
        if (decision.kind === 'probe') {
          const { host, port } = decision.address;
          const result = await probe({ host, port, path: this.#o.healthPath, timeoutMs: this.#o.healthTimeoutMs });
          if (result.ok) {
            await this.#adoptReady(s, decision.current ? null : decision.why);
            adopted++;
            return;
          }
          why = `its health API answered ${describeProbe(result)}`;
        }
        removed++;
        this.#log.info('container.orphan_removed', `removing a container left by an earlier run: ${why}`, { container: s.id });
        const c = this.#record(s, { reachable: false, current: false, startedAt: null });
        this.#leave(c, why, { drain: false, gentle: false });
      }),
    );
    return { adopted, removed };
  }

  async #adoptReady(s: ReplicaSummary, outdated: string | null): Promise<void> {
    let startedAt: number | null = null;
    try {
      startedAt = await this.#o.runtime.startedAt(s.id);
    } catch {
      // Only the start time is lost; the health API already answered.
    }
    const c = this.#record(s, { reachable: true, current: outdated === null, startedAt });
    // Its age, not a join time: it has been serving since before this process started.
    const ageMs = startedAt === null ? null : Math.max(0, this.#clock.now() - startedAt);
    const age = ageMs === null ? '' : ` (up ${formatAge(ageMs)})`;
    this.#log.info('container.adopted', `${c.name}${age} adopted from an earlier run${outdated ? `; it serves until a replacement of the current spec is ready, as ${outdated}` : ''}`, {
      container: c.id,
      hostPort: c.hostPort,
      ...(c.node ? { node: c.node, host: c.host } : {}),
      current: c.current,
      ...(ageMs === null ? {} : { ageMs }),
    });
    this.#join(c, this.#clock.now());
  }

  /** A record of a replica found on the engine; `reachable`: it is probed and may join at its address. */
  #record(s: ReplicaSummary, fields: { reachable: boolean; current: boolean; startedAt: number | null }): Managed {
    const c: Managed = {
      id: s.id,
      name: s.name,
      reservedPort: s.address?.port ?? null,
      hostPort: fields.reachable ? (s.address?.port ?? null) : null,
      host: s.address?.host ?? LOOPBACK,
      node: s.node,
      state: 'starting',
      createdAt: s.createdAt > 0 ? s.createdAt : this.#clock.now(),
      startedAt: fields.startedAt,
      readyAt: null,
      upstream: null,
      health: [],
      adopted: true,
      hash: s.labels[SPEC_LABEL] ?? 'unknown',
      image: s.image,
      current: fields.current,
      cutDrain: null,
      removing: false,
    };
    this.#containers.set(c.id, c);
    return c;
  }

  // --- helpers -----------------------------------------------------------------

  #planned(): PlannedContainer[] {
    return [...this.#containers.values()].map((c) => ({
      id: c.id,
      state: c.state,
      hostPort: c.hostPort ?? c.reservedPort,
      createdAt: c.createdAt,
      inFlight: c.upstream?.inFlight ?? 0,
      current: c.current,
    }));
  }

  #track(work: () => Promise<void>): void {
    const task = work().catch((err: unknown) => {
      this.#log.error('owner.error', message(err));
    });
    this.#background.add(task);
    void task.finally(() => this.#background.delete(task));
  }

  /** Waits for background work, including work it started meanwhile. */
  async #settled(): Promise<void> {
    while (this.#background.size > 0) await Promise.allSettled([...this.#background]);
  }
}

/** A promise and the function that resolves it. */
function signal(): Latch {
  let resolve = (): void => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** True when `err` says no engine answers (the client's DockerUnavailableError, by its stable code). */
function isUnavailable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'DOCKER_UNAVAILABLE';
}
