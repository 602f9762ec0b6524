// Follows the engine's event stream for the service's containers, so a container
// that dies or is removed behind our back is replaced at once instead of at the
// next health check. Reconnects with `since` so no event is lost in between. A
// broken stream is said once per outage (and reported to the owner, which decides
// whether the engine is away); reconnecting after that is quiet until it opens again.
import { sleep, systemClock, type Clock } from '../clock.js';
import type { DockerClient, DockerEvent } from '../docker/index.js';
import { silentLogger, type Logger } from '../log.js';
import { serviceFilter } from '../orchestrator/labels.js';

/** Container actions that mean "it is no longer serving". */
export const EXIT_ACTIONS = ['die', 'oom', 'destroy'] as const;

/** Options of an EventsWatcher. */
export interface EventsWatcherOptions {
  readonly docker: Pick<DockerClient, 'events'>;
  readonly service: string;
  readonly onExit: (id: string, action: string, exitCode: string | undefined) => void;
  /** The stream broke (the first time since it last opened). */
  readonly onBroken?: (err: unknown) => void;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Wait before reconnecting after the stream broke. @default 1000 */
  readonly reconnectDelayMs?: number;
}

/** Watches `die`/`oom`/`destroy` of the service's containers until stopped. */
export class EventsWatcher {
  readonly #o: EventsWatcherOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  #abort: AbortController | null = null;
  #loop: Promise<void> | null = null;
  /** Since when the stream has been broken (null: it is open, or opening for the first time). */
  #brokenSince: number | null = null;

  constructor(options: EventsWatcherOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#log = options.logger ?? silentLogger;
  }

  /** Starts following events from now. */
  start(): void {
    if (this.#loop) return;
    this.#abort = new AbortController();
    this.#loop = this.#run(this.#abort.signal);
  }

  /** Stops following and waits for the stream to close. */
  async stop(): Promise<void> {
    this.#abort?.abort();
    await this.#loop;
    this.#loop = null;
  }

  async #run(signal: AbortSignal): Promise<void> {
    let since = Math.floor(this.#clock.now() / 1000);
    while (!signal.aborted) {
      try {
        const events = this.#o.docker.events({
          since,
          filters: { type: ['container'], label: [serviceFilter(this.#o.service)], event: [...EXIT_ACTIONS] },
          signal,
          onOpen: () => this.#opened(),
        });
        for await (const event of events) {
          since = Math.max(since, event.time);
          this.#handle(event);
        }
      } catch (err) {
        if (signal.aborted) break;
        this.#broke(err);
      }
      if (!signal.aborted) await sleep(this.#clock, this.#o.reconnectDelayMs ?? 1_000);
    }
  }

  #opened(): void {
    if (this.#brokenSince === null) return;
    this.#log.info('events.reconnected', `the engine's event stream is open again after ${this.#clock.now() - this.#brokenSince}ms`);
    this.#brokenSince = null;
  }

  #broke(err: unknown): void {
    if (this.#brokenSince !== null) return; // already said; keep retrying quietly
    this.#brokenSince = this.#clock.now();
    this.#log.warn('events.reconnect', `the engine's event stream broke (${err instanceof Error ? err.message : String(err)}); reconnecting every ${this.#o.reconnectDelayMs ?? 1_000}ms until it answers`);
    this.#o.onBroken?.(err);
  }

  #handle(event: DockerEvent): void {
    if (event.type !== 'container') return;
    // `die` carries the exit code; `destroy` after our own removal is ignored by the owner.
    this.#o.onExit(event.id, event.action, event.attributes['exitCode']);
  }
}
