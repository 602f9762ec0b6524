// Structured events: every module reports what happened through a Logger; the
// Symphony fans each record out to the log output, the admin's recent-events list
// and the library's event subscribers.

/** Severity of a record, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Every level, lowest first. */
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** One thing that happened: a line in the log, an entry in the status, an event for embedders. */
export interface LogRecord {
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly level: LogLevel;
  /** Stable, dotted name of what happened, e.g. `container.ready`, `scale.decision`. */
  readonly event: string;
  /** Human sentence. */
  readonly message: string;
  /** Docker id (full) of the container the record concerns, if any. */
  readonly container?: string;
  /** Extra structured data (counts, reasons, ports). */
  readonly fields?: Readonly<Record<string, unknown>>;
}

/** Extra data for a record; `container` is lifted to the record itself. */
export type LogFields = Readonly<Record<string, unknown>> & { readonly container?: string };

/** What modules log through. */
export interface Logger {
  /** Whether records of this level go anywhere (lets hot paths skip building them). */
  enabled?(level: LogLevel): boolean;
  log(level: LogLevel, event: string, message: string, fields?: LogFields): void;
  debug(event: string, message: string, fields?: LogFields): void;
  info(event: string, message: string, fields?: LogFields): void;
  warn(event: string, message: string, fields?: LogFields): void;
  error(event: string, message: string, fields?: LogFields): void;
}

/** Receives every record at or above the logger's level. */
export type LogSink = (record: LogRecord) => void;

/** How an EventLogger is built. */
export interface EventLoggerOptions {
  /** Records below this level are dropped. @default 'info' */
  readonly level?: LogLevel;
  /** Where records go. */
  readonly sinks?: readonly LogSink[];
  /** Clock. @default Date.now */
  readonly now?: () => number;
}

/** A Logger that stamps records and hands them to its sinks. */
export class EventLogger implements Logger {
  readonly #minLevel: number;
  readonly #sinks: LogSink[];
  readonly #now: () => number;

  constructor(options: EventLoggerOptions = {}) {
    this.#minLevel = LOG_LEVELS.indexOf(options.level ?? 'info');
    this.#sinks = [...(options.sinks ?? [])];
    this.#now = options.now ?? Date.now;
  }

  /** Adds a sink; returns a function that removes it. */
  addSink(sink: LogSink): () => void {
    this.#sinks.push(sink);
    return () => {
      const i = this.#sinks.indexOf(sink);
      if (i >= 0) this.#sinks.splice(i, 1);
    };
  }

  enabled(level: LogLevel): boolean {
    return this.#sinks.length > 0 && LOG_LEVELS.indexOf(level) >= this.#minLevel;
  }

  log(level: LogLevel, event: string, message: string, fields?: LogFields): void {
    if (LOG_LEVELS.indexOf(level) < this.#minLevel) return;
    const { container, ...rest } = fields ?? {};
    const record: LogRecord = {
      time: this.#now(),
      level,
      event,
      message,
      ...(typeof container === 'string' ? { container } : {}),
      ...(Object.keys(rest).length > 0 ? { fields: rest } : {}),
    };
    for (const sink of this.#sinks) {
      // A failing sink (a closed stream, a throwing subscriber) must not break the caller.
      try {
        sink(record);
      } catch {
        /* ignored on purpose */
      }
    }
  }

  debug(event: string, message: string, fields?: LogFields): void {
    this.log('debug', event, message, fields);
  }
  info(event: string, message: string, fields?: LogFields): void {
    this.log('info', event, message, fields);
  }
  warn(event: string, message: string, fields?: LogFields): void {
    this.log('warn', event, message, fields);
  }
  error(event: string, message: string, fields?: LogFields): void {
    this.log('error', event, message, fields);
  }
}

/** A logger that drops everything (for tests and embedders who want silence). */
export const silentLogger: Logger = new EventLogger({ sinks: [] });

/** One JSON object per line. */
export function formatJson(record: LogRecord): string {
  return JSON.stringify({ ...record, time: new Date(record.time).toISOString() });
}

/**
 * `2026-11-25T10:00:00.000Z INFO  container.ready [3f2a1b9c0d4e] message key=value`.
 * A field the message already says is left out (JSON lines keep every field).
 */
export function formatText(record: LogRecord): string {
  const parts = [new Date(record.time).toISOString(), record.level.toUpperCase().padEnd(5), record.event];
  if (record.container) parts.push(`[${record.container.slice(0, 12)}]`);
  parts.push(record.message);
  for (const [key, value] of Object.entries(record.fields ?? {})) {
    if (saidIn(record.message, value)) continue;
    parts.push(`${key}=${typeof value === 'string' ? quoteIfNeeded(value) : JSON.stringify(value)}`);
  }
  return parts.join(' ');
}

// A string the message contains, or a number of 3+ digits not part of a longer number
// in it (`after 1500ms` says durationMs=1500; a short number such as 1 is too easily a
// coincidence to leave out).
function saidIn(message: string, value: unknown): boolean {
  if (typeof value === 'string') return value !== '' && message.includes(value);
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  const text = String(value);
  if (text.replace(/[-.]/g, '').length < 3) return false;
  return new RegExp(`(?<![\\w.])${text.replace('.', '\\.')}(?!\\d|\\.\\d)`).test(message);
}

function quoteIfNeeded(value: string): string {
  return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
}

/** The newest `capacity` records, for status pages. */
export class RecentRecords {
  readonly #capacity: number;
  readonly #items: LogRecord[] = [];

  constructor(capacity = 200) {
    this.#capacity = capacity;
  }

  readonly sink: LogSink = (record) => {
    this.#items.push(record);
    if (this.#items.length > this.#capacity) this.#items.shift();
  };

  /** Newest first. */
  newestFirst(limit = this.#capacity): LogRecord[] {
    return this.#items.slice(-limit).reverse();
  }
}
