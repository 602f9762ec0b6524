// The hostile suite's rows for RELIABILITY.md: one per input class, counting what the
// reference refused, what reached the upstream, what the proxy refused itself, and
// which rules broke. Pure; the test writes it where SYMPHONY_RELIABILITY_OUT says.
import type { CaseResult } from './harness.js';

/** One row of the summary. */
export interface SummaryRow {
  readonly class: string;
  readonly cases: number;
  readonly referenceRejected: number;
  readonly forwarded: number;
  readonly refusedByProxy: number;
  readonly violations: number;
  readonly notes: string;
}

/** The file the faults engineer's report generator reads. */
export interface Summary {
  readonly suite: 'hostile';
  readonly rows: readonly SummaryRow[];
}

/** Groups results by `classOf` (default: the case's class), in first-seen order. */
export function summarize(results: readonly CaseResult[], classOf: (r: CaseResult) => string = (r) => r.case.class, notesOf: (cls: string) => string = () => ''): Summary {
  const groups = new Map<string, CaseResult[]>();
  for (const r of results) {
    const cls = classOf(r);
    const list = groups.get(cls) ?? [];
    list.push(r);
    groups.set(cls, list);
  }
  const rows = [...groups].map(([cls, list]): SummaryRow => {
    const broken = list.filter((r) => r.verdict.violations.length > 0);
    const kinds = new Map<string, number>();
    for (const r of broken) for (const v of new Set(r.verdict.violations.map((x) => x.class))) kinds.set(v, (kinds.get(v) ?? 0) + 1);
    const what = [...kinds].map(([k, n]) => `${k} ×${n}`).join(', ');
    const which = broken.slice(0, 5).map((r) => r.case.name).join('; ');
    const extra = notesOf(cls);
    return {
      class: cls,
      cases: list.length,
      referenceRejected: list.filter((r) => r.verdict.referenceRejected).length,
      forwarded: list.filter((r) => r.verdict.forwarded > 0).length,
      refusedByProxy: list.filter((r) => r.verdict.refusedByProxy).length,
      violations: broken.length,
      notes: [extra, broken.length === 0 ? '' : `${what}: ${which}${broken.length > 5 ? '; …' : ''}`].filter((s) => s !== '').join(' — '),
    };
  });
  return { suite: 'hostile', rows };
}
