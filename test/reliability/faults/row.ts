// One row of the reliability record: a fault, how it was injected, what the load saw,
// what was left behind and what the orchestrator did. Each fault test fills one, and
// `withRow` writes it (even when the test fails) as JSON into
// $SYMPHONY_RELIABILITY_ROWS, which scripts/reliability-report.ts turns into RELIABILITY.md.
import { AssertionError } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { failedOf, type LoadResult } from '../load.js';

/** A named expectation of the row and whether it held. */
export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** What the load saw, without its timeline (kept short for the record). */
export interface LoadSummary {
  readonly sent: number;
  readonly byStatus: Record<string, number>;
  readonly failedByStatus: Record<string, number>;
  readonly connectionErrors: number;
  readonly byMethod: LoadResult['byMethod'];
  readonly badBodies: number;
  readonly firstErrors: readonly string[];
  /** Requests sent per second, and failures per second, for the seconds that had any. */
  readonly timeline: LoadResult['timeline'];
}

/** The JSON each fault test writes. */
export interface RowRecord {
  readonly kind: 'fault';
  readonly fault: string;
  readonly injected: string;
  readonly suite: 'fast' | 'full';
  readonly startedAt: string;
  readonly durationMs: number;
  readonly load: LoadSummary | null;
  readonly failedGets: number | null;
  readonly failedPosts: number | null;
  /** Containers with the test's service label left after shutdown (null: not measured). */
  readonly orphans: number | null;
  /** Log events of the orchestrator during the row, by name. */
  readonly orchestrator: Record<string, number>;
  readonly notes: readonly string[];
  readonly checks: readonly Check[];
  readonly error: string | null;
  readonly passed: boolean;
}

/** The mutable row a test fills in. */
export class Row {
  readonly started = Date.now();
  load: LoadResult | null = null;
  orphans: number | null = null;
  orchestrator: Record<string, number> = {};
  readonly notes: string[] = [];
  readonly checks: Check[] = [];
  error: string | null = null;

  constructor(
    readonly fault: string,
    readonly injected: string,
    readonly suite: 'fast' | 'full' = 'fast',
  ) {}

  /** Records an expectation; the test fails at the end if any did not hold. */
  check(name: string, ok: boolean, detail = ''): boolean {
    this.checks.push({ name, ok, detail });
    return ok;
  }

  /** Records `actual === expected` as a check. */
  expect(name: string, actual: unknown, expected: unknown): boolean {
    return this.check(name, Object.is(actual, expected), `got ${JSON.stringify(actual)}, want ${JSON.stringify(expected)}`);
  }

  /** Adds two load runs' counts (for rows loaded in phases). */
  addLoad(result: LoadResult): void {
    this.load = this.load ? mergeLoad(this.load, result) : result;
  }

  /** The JSON form. */
  record(): RowRecord {
    const load = this.load;
    return {
      kind: 'fault',
      fault: this.fault,
      injected: this.injected,
      suite: this.suite,
      startedAt: new Date(this.started).toISOString(),
      durationMs: Date.now() - this.started,
      load: load && {
        sent: load.sent,
        byStatus: load.byStatus,
        failedByStatus: load.failedByStatus,
        connectionErrors: load.connectionErrors,
        byMethod: load.byMethod,
        badBodies: load.badBodies,
        firstErrors: load.firstErrors,
        timeline: load.timeline.filter((p) => p.sent + p.ok + p.failed + p.errors > 0),
      },
      failedGets: load ? failedOf(load, 'GET') : null,
      failedPosts: load ? failedOf(load, 'POST') : null,
      orphans: this.orphans,
      orchestrator: this.orchestrator,
      notes: this.notes,
      checks: this.checks,
      error: this.error,
      passed: this.error === null && this.checks.every((c) => c.ok),
    };
  }
}

function addCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

function mergeLoad(a: LoadResult, b: LoadResult): LoadResult {
  const byMethod: LoadResult['byMethod'] = { ...a.byMethod };
  for (const [m, c] of Object.entries(b.byMethod)) {
    const x = byMethod[m];
    byMethod[m] = x ? { sent: x.sent + c.sent, byStatus: addCounts(x.byStatus, c.byStatus), errors: addCounts(x.errors, c.errors) } : c;
  }
  return {
    durationMs: a.durationMs + b.durationMs,
    sent: a.sent + b.sent,
    answered: a.answered + b.answered,
    byStatus: addCounts(a.byStatus, b.byStatus),
    failedByStatus: addCounts(a.failedByStatus, b.failedByStatus),
    connectionErrors: a.connectionErrors + b.connectionErrors,
    byMethod,
    badBodies: a.badBodies + b.badBodies,
    firstErrors: [...a.firstErrors, ...b.firstErrors].slice(0, 5),
    timeline: [...a.timeline, ...b.timeline.map((p) => ({ ...p, second: p.second + a.timeline.length }))],
  };
}

/** Log events by name, e.g. `{ "container.unhealthy": 1, "container.ready": 2 }`. */
export function eventCounts(events: readonly { event: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events) out[e.event] = (out[e.event] ?? 0) + 1;
  return out;
}

/** Where rows go: $SYMPHONY_RELIABILITY_ROWS, or nowhere (the test still asserts). */
export function rowsDir(): string | null {
  return process.env['SYMPHONY_RELIABILITY_ROWS'] || null;
}

/** Whether the slow rows run (`make reliability` sets SYMPHONY_RELIABILITY_FULL=1). */
export const FULL = process.env['SYMPHONY_RELIABILITY_FULL'] === '1';

/**
 * Runs one fault row: `body` fills the row; the row is written whatever happened,
 * summarised as a test diagnostic, and then asserted (an error, or any failed check,
 * fails the test).
 */
export async function withRow(t: TestContext, row: Row, body: (row: Row) => Promise<void>): Promise<void> {
  try {
    await body(row);
  } catch (err) {
    row.error = err instanceof Error ? (err.stack ?? err.message).slice(0, 2000) : String(err);
  }
  const record = row.record();
  const dir = rowsDir();
  if (dir) {
    mkdirSync(dir, { recursive: true });
    const slug = row.fault.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
    writeFileSync(path.join(dir, `fault-${slug}.json`), `${JSON.stringify(record, null, 2)}\n`);
  }
  t.diagnostic(
    `${row.fault}: sent ${record.load?.sent ?? 0}, failed GETs ${record.failedGets ?? '-'}, failed POSTs ${record.failedPosts ?? '-'}, ` +
      `errors ${record.load?.connectionErrors ?? 0}, orphans ${record.orphans ?? '-'}, events ${JSON.stringify(record.orchestrator)}`,
  );
  if (row.error !== null) throw new AssertionError({ message: `${row.fault}: ${row.error}` });
  const bad = row.checks.filter((c) => !c.ok);
  if (bad.length > 0) throw new AssertionError({ message: `${row.fault}: ${bad.map((c) => `${c.name} (${c.detail})`).join('; ')}` });
}
