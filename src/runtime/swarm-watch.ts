// Follows the replicas of a swarm runtime by polling the manager's services, tasks and
// nodes (about 35 ms a call) every pollMs: the manager has no task events, and a killed
// dockerd's containers keep answering, so only the lists say when a replica's node is
// down or Swarm replaced its task. Service and node events only cue a poll at once.
import type { Clock, TimerHandle } from '../clock.js';
import type { DockerClient } from '../docker/client.js';
import type { SwarmApi } from '../docker/swarm.js';
import type { Logger } from '../log.js';
import { lostReason, nodeMap } from './swarm-view.js';
import type { RuntimeWatch, RuntimeWatchHandlers } from './types.js';

/** Least time between two polls when events cue them back to back. */
const CUED_GAP_MS = 100;

/** A replica the runtime follows: the running task it was last seen with. A new object per change. */
export interface TrackedReplica {
  readonly taskId: string;
}

/** Options of a SwarmWatch. */
export interface SwarmWatchOptions {
  readonly swarm: Pick<SwarmApi, 'listServices' | 'listTasks' | 'listNodes'>;
  /** The manager's event stream (absent: polling only). */
  readonly events?: DockerClient['events'];
  /** `docker-symphony.service=<name>`: what the service's services and tasks carry. */
  readonly label: string;
  /** Service ID → tracked replica; shared with the runtime, which adds and drops entries. */
  readonly tracked: Map<string, TrackedReplica>;
  readonly handlers: RuntimeWatchHandlers;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly pollMs: number;
}

/** A running poll loop (and its event subscription). */
export class SwarmWatch implements RuntimeWatch {
  readonly #o: SwarmWatchOptions;
  readonly #abort = new AbortController();
  readonly #loops: Promise<void>[];
  #wakeUp: (() => void) | null = null;
  #wakePending = false;
  /** Since when the manager has not answered (null: it answers). */
  #brokenSince: number | null = null;
  #lastFailure = '';

  constructor(options: SwarmWatchOptions) {
    this.#o = options;
    this.#loops = [this.#pollLoop(), ...(options.events ? [this.#eventLoop(options.events)] : [])];
  }

  /** Ends the loop and the event stream; resolves once both have. */
  async stop(): Promise<void> {
    this.#abort.abort();
    this.#wake();
    await Promise.all(this.#loops);
  }

  /** Polls at once (or right after the poll under way). */
  #wake(): void {
    if (this.#wakeUp) this.#wakeUp();
    else this.#wakePending = true;
  }

  async #pollLoop(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      await this.#poll();
      if (signal.aborted) break;
      if (this.#wakePending) {
        // Woken while polling: look again soon, but an event storm must not become a poll storm.
        this.#wakePending = false;
        await this.#sleep(Math.min(CUED_GAP_MS, this.#o.pollMs), false);
      } else {
        await this.#sleep(this.#o.pollMs);
      }
    }
  }

  /** One look at the lists; each tracked replica found not serving is reported once and dropped. */
  async #poll(): Promise<void> {
    const { swarm, tracked, label } = this.#o;
    // Judge only what was tracked before the lists were read: a replica started meanwhile is not in them.
    const before = new Map(tracked);
    try {
      const [services, tasks, nodes] = await Promise.all([
        swarm.listServices({ labels: [label] }),
        swarm.listTasks({ label: [label] }),
        swarm.listNodes(),
      ]);
      this.#answered();
      const byId = new Map(services.map((s) => [s.id, s]));
      const nodesById = nodeMap(nodes);
      for (const [id, replica] of before) {
        if (tracked.get(id) !== replica) continue;
        const reason = lostReason(replica.taskId, byId.get(id), tasks, nodesById);
        if (reason === null) continue;
        tracked.delete(id);
        this.#o.handlers.lost(id, reason);
      }
    } catch (err) {
      if (this.#abort.signal.aborted) return;
      this.#failed(err);
    }
  }

  #answered(): void {
    if (this.#brokenSince !== null) {
      this.#o.logger.info('swarm.watch_recovered', `the swarm manager answers again after ${this.#o.clock.now() - this.#brokenSince}ms`);
    }
    this.#brokenSince = null;
    this.#lastFailure = '';
  }

  #failed(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    if ((err as { code?: unknown }).code !== 'DOCKER_UNAVAILABLE') {
      // It answered, with an error (no leader, …): say it once per kind, keep polling.
      if (message !== this.#lastFailure) this.#o.logger.warn('swarm.watch_failed', `polling the swarm manager failed: ${message}; retrying every ${this.#o.pollMs}ms`);
      this.#lastFailure = message;
      return;
    }
    if (this.#brokenSince !== null) return;
    this.#brokenSince = this.#o.clock.now();
    this.#o.logger.warn('swarm.watch_broken', `the swarm manager does not answer (${message}); polling every ${this.#o.pollMs}ms until it does`);
    this.#o.handlers.broken(err);
  }

  async #eventLoop(events: DockerClient['events']): Promise<void> {
    const signal = this.#abort.signal;
    let open = false;
    while (!signal.aborted) {
      try {
        const onOpen = (): void => {
          if (!open) this.#o.logger.debug('swarm.events_open', "following the manager's service and node events (each one cues a poll)");
          open = true;
        };
        for await (const event of events({ filters: { type: ['service', 'node'] }, signal, onOpen })) {
          this.#o.logger.debug('swarm.event', `${event.type} ${event.action} ${event.id.slice(0, 12)}: polling now`);
          this.#wake();
        }
      } catch (err) {
        // The poll loop says when the manager is away; the stream only reconnects.
        if (open && !signal.aborted) this.#o.logger.debug('swarm.events_closed', `the manager's event stream ended (${err instanceof Error ? err.message : String(err)}); reconnecting`);
        open = false;
      }
      if (!signal.aborted) await this.#sleep(this.#o.pollMs, false);
    }
  }

  /** Waits `ms`, or (when `wakeable`) until woken or stopped. */
  #sleep(ms: number, wakeable = true): Promise<void> {
    const signal = this.#abort.signal;
    return new Promise<void>((resolve) => {
      let timer: TimerHandle | undefined;
      const done = (): void => {
        if (wakeable) this.#wakeUp = null;
        signal.removeEventListener('abort', done);
        if (timer !== undefined) this.#o.clock.clearTimeout(timer);
        resolve();
      };
      timer = this.#o.clock.setTimeout(done, ms);
      signal.addEventListener('abort', done);
      if (wakeable) this.#wakeUp = done;
    });
  }
}
