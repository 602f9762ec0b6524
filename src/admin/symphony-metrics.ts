// The symphony_* metric families. Counters are bumped from the orchestrator's hooks;
// gauges are read from the status at scrape time, so they can never drift from it.
import { CONTAINER_STATES } from '../status.js';
import type { SymphonyStatus } from '../status.js';
import { Registry } from './metrics.js';
import type { Counter, CounterSeries, Gauge, Histogram } from './metrics.js';

/** Response classes counted by `symphony_requests_total`; 499 = client went away first (nginx's convention). */
export type CodeClass = '2xx' | '3xx' | '4xx' | '5xx' | '499';

/** How a request that found no ready container ended. */
export type QueueOutcome = 'served' | 'timeout' | 'rejected';

/** Buckets for proxied request durations, in seconds. */
export const REQUEST_DURATION_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Maps an HTTP status (and whether the client aborted) to its `code_class` label. */
export function codeClass(status: number, clientAborted: boolean): CodeClass {
  if (clientAborted) return '499';
  if (status >= 500) return '5xx';
  if (status >= 400) return '4xx';
  if (status >= 300) return '3xx';
  // 1xx never ends a request here; anything below 300 counts as success.
  return '2xx';
}

/** Every symphony_ metric family, with the methods the orchestrator's hooks call. */
export class SymphonyMetrics {
  /** The underlying registry (embedders may register their own families on it). */
  readonly registry = new Registry();

  readonly #requests: Counter;
  /** `symphony_requests_total` by code class, counted into directly on every request. */
  readonly #requestsByClass: Readonly<Record<CodeClass, CounterSeries>>;
  readonly #duration: Histogram;
  readonly #connectErrors: Counter;
  readonly #retries: Counter;
  readonly #queueWaits: Counter;
  readonly #containers: Gauge;
  readonly #byNode: Gauge;
  readonly #desired: Gauge;
  readonly #window: Gauge;
  readonly #healthChecks: Counter;
  readonly #healthFailures: Counter;
  readonly #healthInconclusive: Counter;
  readonly #healthPanic: Gauge;
  readonly #loopLag: Gauge;
  readonly #started: Counter;
  readonly #replaced: Counter;
  readonly #removed: Counter;
  readonly #scale: Counter;
  readonly #engineUp: Gauge;
  readonly #deploys: Counter;

  constructor() {
    const r = this.registry;
    this.#requests = r.counter('symphony_requests_total', 'Proxied requests by response class (499: the client closed the connection first).');
    this.#duration = r.histogram('symphony_request_duration_seconds', 'Time from receiving a request to finishing its response, in seconds.', REQUEST_DURATION_BUCKETS);
    this.#connectErrors = r.counter('symphony_upstream_connect_errors_total', 'Connections to a container that failed before a byte was sent.');
    this.#retries = r.counter('symphony_retries_total', 'Requests sent again to another container.');
    this.#queueWaits = r.counter('symphony_queue_waits_total', 'Requests that waited for a ready container, by how the wait ended.');
    this.#containers = r.gauge('symphony_containers', 'Managed containers by state.');
    this.#byNode = r.gauge('symphony_node_replicas', 'On a swarm: replicas by node and state (no series on one engine).');
    this.#desired = r.gauge('symphony_desired_replicas', 'Replicas the scaler wants now.');
    this.#window = r.gauge('symphony_window_requests', 'Requests counted in the current scaling window.');
    this.#healthChecks = r.counter('symphony_health_checks_total', 'Health probes sent to containers.');
    this.#healthFailures = r.counter('symphony_health_check_failures_total', 'Health probes that failed.');
    this.#healthInconclusive = r.counter(
      'symphony_health_checks_inconclusive_total',
      'Health probes that timed out but were not counted against the container, by reason (event_loop_lag: ours was stalled; panic: every ready container timed out at once).',
    );
    this.#healthPanic = r.gauge('symphony_health_panic', '1 while every ready container is timing out together and their timeouts are held back (they keep serving).');
    this.#loopLag = r.gauge('symphony_event_loop_lag_seconds', "The longest stall of the orchestrator's own event loop in the last second, in seconds.");
    this.#started = r.counter('symphony_containers_started_total', 'Containers created and started.');
    this.#replaced = r.counter('symphony_containers_replaced_total', 'Containers replaced after failing health checks or dying.');
    this.#removed = r.counter('symphony_containers_removed_total', 'Containers removed (scale down, replacement, shutdown).');
    this.#scale = r.counter('symphony_scale_decisions_total', 'Scaling decisions that changed the desired replicas, by direction.');
    this.#engineUp = r.gauge('symphony_engine_up', '1 while the Docker engine answers, 0 while it is unavailable.');
    this.#deploys = r.counter('symphony_deploys_total', 'Deploys ended, by result (succeeded, or rolled_back to the old spec).');
    for (const result of ['succeeded', 'rolled_back'] as const) this.#deploys.touch({ result });

    // Every labelled series exists from the first scrape, so rate() and alerts see 0, not "no data".
    const byClass = (c: CodeClass): CounterSeries => this.#requests.series({ code_class: c });
    this.#requestsByClass = { '2xx': byClass('2xx'), '3xx': byClass('3xx'), '4xx': byClass('4xx'), '5xx': byClass('5xx'), '499': byClass('499') };
    for (const o of ['served', 'timeout', 'rejected'] as const) this.#queueWaits.touch({ outcome: o });
    for (const d of ['up', 'down'] as const) this.#scale.touch({ direction: d });
    for (const reason of ['event_loop_lag', 'panic'] as const) this.#healthInconclusive.touch({ reason });
    this.#healthPanic.set(0);
    this.#loopLag.set(0);
    for (const c of [this.#connectErrors, this.#retries, this.#healthChecks, this.#healthFailures, this.#started, this.#replaced, this.#removed]) c.touch();
    for (const s of CONTAINER_STATES) this.#containers.set(0, { state: s });
    this.#desired.set(0);
    this.#window.set(0);
    this.#engineUp.set(1);
  }

  /** A proxied request finished (or the client went away). */
  requestDone(status: number, durationMs: number, clientAborted: boolean): void {
    this.#requestsByClass[codeClass(status, clientAborted)].value++;
    this.#duration.observe(Math.max(0, durationMs) / 1000);
  }

  /** A connection to a container failed before anything was sent. */
  connectError(): void {
    this.#connectErrors.inc();
  }

  /** A request was sent again to another container. */
  retry(): void {
    this.#retries.inc();
  }

  /** A request that waited for a ready container finished waiting. */
  queueWait(outcome: QueueOutcome): void {
    this.#queueWaits.inc({ outcome });
  }

  /** A health probe finished. */
  healthCheck(ok: boolean): void {
    this.#healthChecks.inc();
    if (!ok) this.#healthFailures.inc();
  }

  /** A health probe timed out but was not reported, and why. */
  healthInconclusive(reason: 'event_loop_lag' | 'panic'): void {
    this.#healthInconclusive.inc({ reason });
  }

  /** A container was created and started. */
  containerStarted(): void {
    this.#started.inc();
  }

  /** A deploy ended. */
  deployEnded(result: 'succeeded' | 'rolled-back'): void {
    this.#deploys.inc({ result: result === 'succeeded' ? 'succeeded' : 'rolled_back' });
  }

  /** A container was replaced. */
  containerReplaced(): void {
    this.#replaced.inc();
  }

  /** A container was removed. */
  containerRemoved(): void {
    this.#removed.inc();
  }

  /** The scaler changed the desired replicas. */
  scaleDecision(direction: 'up' | 'down'): void {
    this.#scale.inc({ direction });
  }

  /** Sets the gauges from `status` and renders every family. */
  render(status: SymphonyStatus): string {
    const byState = new Map<string, number>(CONTAINER_STATES.map((s) => [s, 0]));
    for (const c of status.containers) byState.set(c.state, (byState.get(c.state) ?? 0) + 1);
    for (const [state, n] of byState) this.#containers.set(n, { state });
    // Nodes come and go: only the pairs that exist now.
    this.#byNode.clear();
    for (const c of status.containers) {
      if (c.node !== null) this.#byNode.set(this.#byNode.get({ node: c.node, state: c.state }) + 1, { node: c.node, state: c.state });
    }
    this.#desired.set(status.desired);
    this.#window.set(status.window.count);
    this.#healthPanic.set(status.health.panic ? 1 : 0);
    this.#loopLag.set(status.health.eventLoopLagMs / 1000);
    this.#engineUp.set(status.engine.state === 'up' ? 1 : 0);
    return this.registry.render();
  }
}
