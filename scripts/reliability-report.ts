// Writes RELIABILITY.md from the rows a reliability run left in a directory: one JSON
// per fault row (test/reliability/faults/row.ts) and the hostile-input suite's summary
// (hostile.json, whatever its rows are). Run by scripts/reliability.sh; the machine,
// date and exact command go in the header so a reader can repeat the run.
//   node --import tsx scripts/reliability-report.ts --rows DIR --command "make reliability" --status N --seconds S [--out RELIABILITY.md]
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RowRecord } from '../test/reliability/faults/row.js';

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? process.argv[i + 1] : fallback;
  if (value === undefined) throw new Error(`missing --${name}`);
  return value;
}

const rowsDir = arg('rows');
const command = arg('command', 'make reliability');
const status = Number(arg('status', '0'));
const seconds = Number(arg('seconds', '0'));
const out = arg('out', 'RELIABILITY.md');

// Events that say what the orchestrator did about a fault (the rest is routine).
const QUIET = new Set(['scale.decision', 'proxy.summary', 'symphony.started', 'symphony.stopping', 'symphony.stopped', 'adoption.done', 'admin.listening', 'cli.signal']);

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function counts(c: Record<string, number>): string {
  const entries = Object.entries(c).filter(([, n]) => n > 0);
  return entries.length === 0 ? '0' : entries.map(([k, n]) => `${k}: ${n}`).join(', ');
}

function did(events: Record<string, number>): string {
  const entries = Object.entries(events).filter(([e]) => !QUIET.has(e));
  return entries.length === 0 ? '—' : entries.map(([e, n]) => (n === 1 ? e : `${e} ×${n}`)).join(', ');
}

function verdict(r: RowRecord): string {
  if (r.passed) return 'pass';
  const why = r.error ? [`error: ${r.error.split('\n')[0] ?? ''}`] : r.checks.filter((c) => !c.ok).map((c) => `${c.name} (${c.detail})`);
  return `**FAIL**: ${why.join('; ')}`;
}

function faultTable(rows: RowRecord[]): string {
  const head =
    '| Fault | Suite | How it was injected | Time (s) | Requests sent | Failed GETs | Failed POSTs | Failed by status | Connection errors | Orphans | What the orchestrator did (log events) | Result | Notes |\n' +
    '|---|---|---|---:|---:|---:|---:|---|---:|---:|---|---|---|';
  const lines = rows.map((r) =>
    [
      r.fault,
      r.suite,
      r.injected,
      (r.durationMs / 1000).toFixed(1),
      String(r.load?.sent ?? '—'),
      String(r.failedGets ?? '—'),
      String(r.failedPosts ?? '—'),
      r.load ? counts(r.load.failedByStatus) : '—',
      String(r.load?.connectionErrors ?? '—'),
      String(r.orphans ?? '—'),
      did(r.orchestrator),
      verdict(r),
      r.notes.join('; '),
    ]
      .map(cell)
      .join(' | '),
  );
  return [head, ...lines.map((l) => `| ${l} |`)].join('\n');
}

/** The hostile suite's summary, whatever its exact shape: its first list of objects becomes a table. */
function hostileSection(file: string): string {
  if (!existsSync(file)) return '_The hostile-input suite wrote no summary (SYMPHONY_RELIABILITY_OUT); see the run log._';
  const data = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const list = Array.isArray(data) ? data : Object.values(data as Record<string, unknown>).find((v) => Array.isArray(v));
  const scalars = (o: Record<string, unknown>): [string, string][] =>
    Object.entries(o).map(([k, v]) => [k, typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)]);
  const parts: string[] = [];
  if (!Array.isArray(data) && typeof data === 'object' && data !== null) {
    const top = scalars(data as Record<string, unknown>).filter(([, v]) => !v.startsWith('['));
    if (top.length > 0) parts.push(top.map(([k, v]) => `- ${k}: ${cell(v).slice(0, 300)}`).join('\n'));
  }
  if (Array.isArray(list) && list.length > 0 && typeof list[0] === 'object') {
    const keys = [...new Set(list.flatMap((o) => Object.keys(o as object)))];
    // A row that counts violations gets a verdict, like the fault rows.
    const judged = keys.includes('violations');
    const header = [...keys, ...(judged ? ['result'] : [])];
    const lines = (list as Record<string, unknown>[]).map((o) => {
      const cells = keys.map((k) => cell(o[k] === undefined ? '' : typeof o[k] === 'object' ? JSON.stringify(o[k]) : String(o[k])).slice(0, 400));
      if (judged) cells.push(o['violations'] === 0 ? 'pass' : '**FAIL**');
      return `| ${cells.join(' | ')} |`;
    });
    parts.push([`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...lines].join('\n'));
  }
  return parts.join('\n\n');
}

function machine(): string {
  const cpu = os.cpus();
  let docker = 'unknown';
  try {
    docker = execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', timeout: 10_000 }).trim();
  } catch {
    // No engine answered: said as "unknown".
  }
  return `${cpu.length} × ${cpu[0]?.model ?? 'CPU'}, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}, Docker engine ${docker}`;
}

const rows = readdirSync(rowsDir)
  .filter((f) => f.startsWith('fault-') && f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(path.join(rowsDir, f), 'utf8')) as RowRecord)
  .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
const passed = rows.filter((r) => r.passed).length;
const fast = rows.filter((r) => r.suite === 'fast').reduce((s, r) => s + r.durationMs, 0) / 1000;

const text = `# Reliability record

Written by \`${command}\` (scripts/reliability.sh → scripts/reliability-report.ts); do not edit by hand.

- Date: ${rows[0]?.startedAt ?? new Date().toISOString()} (first row started)
- Machine: ${machine()}
- Command: \`${command}\` — the reliability test files with \`SYMPHONY_RELIABILITY_FULL=1\` (the fast rows also run in \`make test\`)
- Run: ${seconds} s in all, test exit status ${status}; fault rows: ${passed} of ${rows.length} pass; the fast rows took ${fast.toFixed(0)} s of it

Each fault row is an end-to-end test on the real engine with the demo image, under a
load of concurrent keep-alive clients (test/reliability/load.ts). *Failed* counts
answers that were not 2xx plus connection errors; *orphans* are containers with the
row's service label left after its clean shutdown. Each row runs its own service. The
goal: zero failed requests wherever a retry is safe, zero orphans everywhere; a row
that falls short says why (its failed checks, then its notes). *Suite*: \`fast\` rows
run in \`make test\` too; \`full\` rows only here.

## Faults on the real engine, under load

${rows.length === 0 ? '_No fault rows were written; see the run log._' : faultTable(rows)}

## Hostile input (differential, test/reliability/hostile)

${hostileSection(path.join(rowsDir, 'hostile.json'))}
`;

writeFileSync(out, text);
process.stdout.write(`wrote ${out}: ${passed} of ${rows.length} fault rows pass\n`);
