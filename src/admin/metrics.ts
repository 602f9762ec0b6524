// A tiny Prometheus registry: counters, gauges and histograms rendered in the text
// exposition format (version 0.0.4). Pure: no I/O, so tests check exact output.
import { SymphonyError } from '../errors.js';

/** Label names to values for one series. */
export type Labels = Readonly<Record<string, string>>;

/** Codes of {@link MetricError}. */
export type MetricErrorCode = 'METRIC_NEGATIVE_INCREMENT' | 'METRIC_BAD_NAME' | 'METRIC_DUPLICATE' | 'METRIC_BAD_BUCKETS';

/** Thrown when a metric is used in a way Prometheus would misread. */
export class MetricError extends SymphonyError {
  override readonly name = 'MetricError';
  declare readonly code: MetricErrorCode;
  constructor(code: MetricErrorCode, message: string) {
    super(code, message);
  }
}

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Escapes a label value: backslash, double quote and newline, per the exposition format. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Escapes HELP text: backslash and newline (quotes are allowed there). */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Formats a sample value the way Prometheus parses it (`+Inf`, `-Inf`, `NaN`). */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** `{a="1",b="2"}` with labels sorted by name, or '' when there are none. */
export function formatLabels(labels: Labels): string {
  const names = Object.keys(labels).sort();
  if (names.length === 0) return '';
  for (const name of names) {
    if (!LABEL_RE.test(name) || name.startsWith('__')) {
      throw new MetricError('METRIC_BAD_NAME', `label name "${name}" is not valid in Prometheus; use [a-zA-Z_][a-zA-Z0-9_]* not starting with "__"`);
    }
  }
  return `{${names.map((n) => `${n}="${escapeLabelValue(labels[n] ?? '')}"`).join(',')}}`;
}

// A stable key for a label set, so {a,b} and {b,a} are the same series.
function seriesKey(labels: Labels): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

/** Anything the registry can render as one metric family. */
export interface Metric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  /** Sample lines, without HELP/TYPE. */
  samples(): string[];
}

function checkName(name: string): void {
  if (!NAME_RE.test(name)) {
    throw new MetricError('METRIC_BAD_NAME', `metric name "${name}" is not valid in Prometheus; use [a-zA-Z_:][a-zA-Z0-9_:]*`);
  }
}

/** One series of a counter, for hot paths: its labels were checked once; add to `value` (never subtract). */
export interface CounterSeries {
  value: number;
}

/** A value that only grows (resets only when the process restarts). */
export class Counter implements Metric {
  readonly type = 'counter' as const;
  readonly #series = new Map<string, { labels: Labels; value: number }>();

  constructor(readonly name: string, readonly help: string) {
    checkName(name);
  }

  /** Adds `n` (default 1) to the series with these labels; a negative `n` throws. */
  inc(labels: Labels = {}, n = 1): void {
    if (!(n >= 0) || !Number.isFinite(n)) {
      throw new MetricError('METRIC_NEGATIVE_INCREMENT', `counter ${this.name} can only grow; got ${n}. Use a Gauge for values that go down.`);
    }
    formatLabels(labels); // validates names early, at the call site that made them
    const key = seriesKey(labels);
    const s = this.#series.get(key);
    if (s) s.value += n;
    else this.#series.set(key, { labels: { ...labels }, value: n });
  }

  /** Makes a series appear with 0 before its first event (so rates work from the start). */
  touch(labels: Labels = {}): void {
    this.inc(labels, 0);
  }

  /**
   * The series with these labels (created at 0), to count into directly: per-event
   * calls then cost a number increment, and labels are formatted only at scrape time.
   */
  series(labels: Labels = {}): CounterSeries {
    this.touch(labels);
    return this.#series.get(seriesKey(labels)) as CounterSeries;
  }

  /** Current value of one series (0 if never touched). */
  get(labels: Labels = {}): number {
    return this.#series.get(seriesKey(labels))?.value ?? 0;
  }

  samples(): string[] {
    return [...this.#series.values()].map((s) => `${this.name}${formatLabels(s.labels)} ${formatValue(s.value)}`);
  }
}

/** A value that is set to whatever it is now. */
export class Gauge implements Metric {
  readonly type = 'gauge' as const;
  readonly #series = new Map<string, { labels: Labels; value: number }>();

  constructor(readonly name: string, readonly help: string) {
    checkName(name);
  }

  /** Sets the series with these labels. */
  set(value: number, labels: Labels = {}): void {
    formatLabels(labels);
    this.#series.set(seriesKey(labels), { labels: { ...labels }, value });
  }

  /** Current value of one series (0 if never set). */
  get(labels: Labels = {}): number {
    return this.#series.get(seriesKey(labels))?.value ?? 0;
  }

  /** Drops every series (before setting those that exist now, when label values come and go). */
  clear(): void {
    this.#series.clear();
  }

  samples(): string[] {
    return [...this.#series.values()].map((s) => `${this.name}${formatLabels(s.labels)} ${formatValue(s.value)}`);
  }
}

/** Default buckets for request durations in seconds (Prometheus client defaults). */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Counts observations into cumulative `le` buckets, plus their sum and count. */
export class Histogram implements Metric {
  readonly type = 'histogram' as const;
  readonly buckets: readonly number[];
  // Per-bucket (non-cumulative) counts; the last slot is +Inf. Cumulated on render.
  readonly #counts: number[];
  #sum = 0;
  #count = 0;

  constructor(readonly name: string, readonly help: string, buckets: readonly number[] = DEFAULT_BUCKETS) {
    checkName(name);
    const sorted = [...buckets].filter((b) => b !== Infinity);
    for (let i = 0; i < sorted.length; i++) {
      const b = sorted[i] as number;
      if (!Number.isFinite(b) || (i > 0 && b <= (sorted[i - 1] as number))) {
        throw new MetricError('METRIC_BAD_BUCKETS', `histogram ${name} buckets must be finite and strictly increasing; got [${buckets.join(', ')}]`);
      }
    }
    this.buckets = sorted;
    this.#counts = new Array<number>(sorted.length + 1).fill(0);
  }

  /** Records one observation. */
  observe(value: number): void {
    // A plain loop: this runs once per proxied request.
    const buckets = this.buckets;
    let i = 0;
    while (i < buckets.length && !(value <= (buckets[i] as number))) i++;
    this.#counts[i] = (this.#counts[i] ?? 0) + 1;
    this.#sum += value;
    this.#count += 1;
  }

  /** Number of observations so far. */
  get count(): number {
    return this.#count;
  }

  /** Sum of observations so far. */
  get sum(): number {
    return this.#sum;
  }

  samples(): string[] {
    const lines: string[] = [];
    let cumulative = 0;
    const les = [...this.buckets, Infinity];
    les.forEach((le, i) => {
      cumulative += this.#counts[i] ?? 0;
      lines.push(`${this.name}_bucket${formatLabels({ le: formatValue(le) })} ${cumulative}`);
    });
    lines.push(`${this.name}_sum ${formatValue(this.#sum)}`);
    lines.push(`${this.name}_count ${this.#count}`);
    return lines;
  }
}

/** Holds metric families and renders them, one `# HELP`/`# TYPE` block per family. */
export class Registry {
  readonly #metrics = new Map<string, Metric>();

  /** Adds a metric and returns it; a second metric with the same name throws. */
  register<M extends Metric>(metric: M): M {
    if (this.#metrics.has(metric.name)) {
      throw new MetricError('METRIC_DUPLICATE', `a metric named ${metric.name} is already registered; each family must appear once`);
    }
    this.#metrics.set(metric.name, metric);
    return metric;
  }

  /** Creates and registers a counter. */
  counter(name: string, help: string): Counter {
    return this.register(new Counter(name, help));
  }

  /** Creates and registers a gauge. */
  gauge(name: string, help: string): Gauge {
    return this.register(new Gauge(name, help));
  }

  /** Creates and registers a histogram. */
  histogram(name: string, help: string, buckets?: readonly number[]): Histogram {
    return this.register(new Histogram(name, help, buckets));
  }

  /** The whole exposition, ending with a newline. */
  render(): string {
    const out: string[] = [];
    for (const m of this.#metrics.values()) {
      out.push(`# HELP ${m.name} ${escapeHelp(m.help)}`);
      out.push(`# TYPE ${m.name} ${m.type}`);
      out.push(...m.samples());
    }
    return out.length > 0 ? `${out.join('\n')}\n` : '';
  }
}
