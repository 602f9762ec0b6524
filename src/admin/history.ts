// Five minutes of the orchestrator's recent past at one-second resolution, kept on the
// server so that a page opened late (or a screenshot) still shows the scale-up or the
// crash that came before it. Pure: the admin server's timer calls `record(status, now)`
// every second. The types here are also the shape of `GET /api/history`.
import type { LogRecord } from '../log.js';
import type { SymphonyStatus } from '../status.js';

/** One second of the orchestrator, as the charts draw it. */
export interface HistorySample {
  /** Milliseconds since the epoch (server clock). */
  readonly t: number;
  /** Requests in the scaling window. */
  readonly count: number;
  /** Requests per second through the proxy since the previous sample; null for the first. */
  readonly rate: number | null;
  readonly desired: number;
  /** Containers starting or ready. */
  readonly running: number;
  readonly ready: number;
}

/** What a mark on the charts stands for. */
export type MarkKind = 'crash' | 'replacement' | 'scale-up' | 'scale-down' | 'deploy' | 'rollback';

/** A moment worth drawing as a vertical line on the charts. */
export interface HistoryMark {
  readonly t: number;
  readonly kind: MarkKind;
  /** The log event it comes from, e.g. `container.unhealthy`. */
  readonly event: string;
  readonly message: string;
  readonly container?: string;
}

/** What `GET /api/history` returns: oldest first. */
export interface HistorySnapshot {
  readonly intervalMs: number;
  readonly spanMs: number;
  readonly samples: readonly HistorySample[];
  readonly marks: readonly HistoryMark[];
}

/** A fixed-capacity ring: pushing beyond capacity overwrites the oldest item. */
export class Ring<T> {
  readonly #items: (T | undefined)[];
  #start = 0;
  #size = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer; got ${capacity}`);
    this.#items = new Array<T | undefined>(capacity);
  }

  /** Adds an item, dropping the oldest when full. */
  push(item: T): void {
    this.#items[(this.#start + this.#size) % this.capacity] = item;
    if (this.#size < this.capacity) this.#size++;
    else this.#start = (this.#start + 1) % this.capacity;
  }

  /** Number of items held. */
  get size(): number {
    return this.#size;
  }

  /** The items, oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.#size; i++) out.push(this.#items[(this.#start + i) % this.capacity] as T);
    return out;
  }
}

/** The sample for `status` at `now`; the rate comes from the proxy's request counter. */
export function sampleOf(status: SymphonyStatus, now: number, previous: { t: number; requests: number } | undefined): HistorySample {
  let ready = 0;
  let running = 0;
  for (const c of status.containers) {
    if (c.state === 'ready') ready++;
    if (c.state === 'ready' || c.state === 'starting') running++;
  }
  const requests = status.proxy.requests;
  // A counter that went backwards (a new proxy) has no meaningful rate for this second.
  const rate = previous !== undefined && now > previous.t && requests >= previous.requests ? ((requests - previous.requests) * 1000) / (now - previous.t) : null;
  return { t: now, count: status.window.count, rate, desired: status.desired, running, ready };
}

/**
 * The mark a log record makes, if any. A crash (`container.unhealthy`) owes a
 * replacement; the next `container.created` pays it and is marked as one, while other
 * creations belong to the scale-up already marked.
 */
export function markOf(record: LogRecord, owedReplacements: number): { mark: HistoryMark | undefined; owed: number } {
  const base = { t: record.time, event: record.event, message: record.message, ...(record.container !== undefined ? { container: record.container } : {}) };
  switch (record.event) {
    case 'container.unhealthy':
      return { mark: { ...base, kind: 'crash' }, owed: owedReplacements + 1 };
    case 'container.created':
      return owedReplacements > 0 ? { mark: { ...base, kind: 'replacement' }, owed: owedReplacements - 1 } : { mark: undefined, owed: 0 };
    case 'scale.decision': {
      const desired = record.fields?.['desired'];
      const previous = record.fields?.['previous'];
      if (typeof desired !== 'number' || typeof previous !== 'number' || desired === previous) return { mark: undefined, owed: owedReplacements };
      return { mark: { ...base, kind: desired > previous ? 'scale-up' : 'scale-down' }, owed: owedReplacements };
    }
    case 'deploy.started':
      return { mark: { ...base, kind: 'deploy' }, owed: owedReplacements };
    case 'deploy.rolled_back':
      return { mark: { ...base, kind: 'rollback' }, owed: owedReplacements };
    default:
      return { mark: undefined, owed: owedReplacements };
  }
}

/** Where the sampler stopped reading the status's event list: the newest time seen and how many records had it. */
export interface EventCursor {
  readonly time: number;
  readonly seenAtTime: number;
}

/**
 * The records of `newestFirst` not seen before `cursor`, oldest first, and the new
 * cursor. Records are told apart by time and by how many share it, so a list that
 * keeps only its newest entries is read without repeats.
 */
export function unseenRecords(newestFirst: readonly LogRecord[], cursor: EventCursor | undefined): { fresh: LogRecord[]; cursor: EventCursor | undefined } {
  const oldestFirst = [...newestFirst].reverse();
  const newest = oldestFirst[oldestFirst.length - 1];
  if (newest === undefined) return { fresh: [], cursor };
  let skipAtTime = cursor?.seenAtTime ?? 0;
  const fresh: LogRecord[] = [];
  for (const r of oldestFirst) {
    if (cursor !== undefined && r.time < cursor.time) continue;
    if (cursor !== undefined && r.time === cursor.time && skipAtTime > 0) {
      skipAtTime--;
      continue;
    }
    fresh.push(r);
  }
  const seenAtTime = oldestFirst.filter((r) => r.time === newest.time).length;
  return { fresh, cursor: newest.time >= (cursor?.time ?? -Infinity) ? { time: newest.time, seenAtTime } : cursor };
}

/** Options for {@link History}. */
export interface HistoryOptions {
  /** The sampling interval the caller's timer keeps (reported to readers). @default 1000 */
  readonly intervalMs?: number;
  /** How far back the history reaches. @default 300000 (5 minutes) */
  readonly spanMs?: number;
}

/** Samples and marks of the last `spanMs`, in bounded rings; the caller's timer feeds it. */
export class History {
  readonly #intervalMs: number;
  readonly #spanMs: number;
  readonly #samples: Ring<HistorySample>;
  // Crash storms are bounded too: at most one mark per sample slot on average.
  readonly #marks: Ring<HistoryMark>;
  #previous: { t: number; requests: number } | undefined;
  #cursor: EventCursor | undefined;
  #owed = 0;

  constructor(options: HistoryOptions = {}) {
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#spanMs = options.spanMs ?? 300_000;
    // Both ends of the span are kept: 5 minutes at 1 s is 301 samples.
    const slots = Math.ceil(this.#spanMs / this.#intervalMs) + 1;
    this.#samples = new Ring(slots);
    this.#marks = new Ring(slots);
  }

  /** Records the status as it is at `now`: one sample, and a mark for each new record that makes one. */
  record(status: SymphonyStatus, now: number): void {
    this.#samples.push(sampleOf(status, now, this.#previous));
    this.#previous = { t: now, requests: status.proxy.requests };
    const { fresh, cursor } = unseenRecords(status.events, this.#cursor);
    this.#cursor = cursor;
    for (const record of fresh) {
      const { mark, owed } = markOf(record, this.#owed);
      this.#owed = owed;
      if (mark) this.#marks.push(mark);
    }
  }

  /** The samples and marks of the last `spanMs` before `now`, oldest first. */
  snapshot(now: number): HistorySnapshot {
    const since = now - this.#spanMs;
    return {
      intervalMs: this.#intervalMs,
      spanMs: this.#spanMs,
      samples: this.#samples.toArray().filter((s) => s.t >= since),
      marks: this.#marks.toArray().filter((m) => m.t >= since),
    };
  }
}
