// Follows the engine's event stream for the service's containers, so a container
// that dies or is removed behind our back is replaced at once instead of at the
// next health check. Reconnects with `since` so no event is lost in between.
import { sleep, systemClock, type Clock } from '../clock.js';
import type { DockerClient, DockerEvent } from '../docker/index.js';
import { silentLogger, type Logger } from '../log.js';
import { serviceFilter } from './labels.js';

/** Container actions that mean "it is no longer serving". */
export const EXIT_ACTIONS = ['die', 'oom', 'destroy'] as const;

export interface EventsWatcherOptions {
  readonly docker: Pick<DockerClient, 'events'>;
  readonly service: string;
  readonly onExit: (id: string, action: string, exitCode: string | undefined) => void;
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
        });
        for await (const event of events) {
          since = Math.max(since, event.time);
          this.#handle(event);
        }
      } catch (err) {
        if (signal.aborted) break;
        this.#log.warn('events.reconnect', `the engine's event stream broke (${err instanceof Error ? err.message : String(err)}); reconnecting`);
      }
      if (!signal.aborted) await sleep(this.#clock, this.#o.reconnectDelayMs ?? 1_000);
    }
  }

  #handle(event: DockerEvent): void {
    if (event.type !== 'container') return;
    // `die` carries the exit code; `destroy` after our own removal is ignored by the owner.
    this.#o.onExit(event.id, event.action, event.attributes['exitCode']);
  }
}
