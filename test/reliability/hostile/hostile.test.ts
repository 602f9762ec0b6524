// The hostile-input differential suite (issue 7): every corpus case and a seeded batch
// of mutants go both to a plain node:http server (the reference) and through the
// ProxyServer to a recording upstream, with victim clients on the same upstream pool.
// SYMPHONY_HOSTILE_CASES sets the number of mutants (2,000; 10,000 with
// SYMPHONY_RELIABILITY_FULL=1), SYMPHONY_HOSTILE_SEED their seed (printed, so a failure
// is reproduced — with the same corpus, which the mutants are drawn from),
// SYMPHONY_RELIABILITY_OUT where the summary JSON goes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { CORPUS, MISBEHAVING_UPSTREAM } from './corpus.js';
import { proxyFront, runAll, runCase } from './harness.js';
import type { CaseResult } from './harness.js';
import { mutants } from './mutator.js';
import { startReference } from './reference.js';
import type { ReferenceServer } from './reference.js';
import { summarize } from './summary.js';
import { show } from './verdict.js';

/** A non-negative integer from the environment, or the default; anything else is a mistake worth failing on. */
function envCount(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return n;
}

const SEED = envCount('SYMPHONY_HOSTILE_SEED', 20261125) >>> 0;
/** `make reliability` (SYMPHONY_RELIABILITY_FULL=1) runs five times the fast suite's mutants. */
const MUTANTS = envCount('SYMPHONY_HOSTILE_CASES', process.env['SYMPHONY_RELIABILITY_FULL'] === '1' ? 10_000 : 2000);
/** What a row of the summary cannot show by its numbers. */
const CLASS_NOTES: Readonly<Record<string, string>> = {
  trailers: 'end-to-end trailer fields must arrive as sent (node re-chunks the body; chunk extensions are not kept)',
  upgrade: 'the recording upstream never answers 101, so tunnels are exercised up to the handshake',
  version: 'node:http accepts HTTP/0.9-style request lines (with headers); the proxy forwards them as HTTP/1.1',
  connect: 'node:http (the reference) closes CONNECT without an answer; the proxy must answer it',
  split: 'the same kinds of input sent in several writes with a pause between',
  'misbehaving-upstream': 'well-formed requests; the member sends one response nobody asked for (right behind its answer, or on the idle connection)',
};
const CONCURRENCY = 8;
const MUTANT_CASES = mutants(CORPUS, SEED, MUTANTS);

/** How a failing case is shown: its name, the exact bytes, and each broken rule. */
function explain(r: CaseResult): string {
  const bytes = r.case.bytes.length > 400 ? `${show(r.case.bytes.subarray(0, 400))} … (${r.case.bytes.length} bytes)` : show(r.case.bytes);
  const cuts = r.case.splits === undefined ? '' : ` (in writes cut at byte ${r.case.splits.join(', ')})`;
  return [`${r.case.class}/${r.case.name}`, `  sent: ${bytes}${cuts}`, ...r.verdict.violations.map((v) => `  ${v.class}: ${v.detail}`)].join('\n');
}

describe('hostile input through the proxy, against node:http as the reference', () => {
  let reference: ReferenceServer | undefined;
  let corpus: CaseResult[] = [];
  let mutated: CaseResult[] = [];
  let misbehaving: CaseResult[] = [];

  before(async () => {
    const ref = await startReference();
    reference = ref;
    corpus = await runAll(CORPUS, ref, proxyFront, { concurrency: CONCURRENCY, tagPrefix: 'c' });
    mutated = await runAll(MUTANT_CASES, ref, proxyFront, { concurrency: CONCURRENCY, tagPrefix: 'm' });
    misbehaving = await Promise.all(MISBEHAVING_UPSTREAM.map((m, i) => runCase(m.case, `u${i}`, ref, proxyFront, { extraResponseAfter: m.extra })));
  });

  after(async () => {
    await reference?.close();
    const out = process.env['SYMPHONY_RELIABILITY_OUT'];
    if (out === undefined || out === '') return;
    const mutantNote = `${MUTANTS} mutants of the corpus, seed ${SEED} (SYMPHONY_HOSTILE_SEED to replay)`;
    const summary = summarize([...corpus, ...misbehaving, ...mutated], (r) => (r.case.class.startsWith('mutated') ? 'mutated' : r.case.class), (cls) => (cls === 'mutated' ? mutantNote : (CLASS_NOTES[cls] ?? '')));
    writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
  });

  test('the corpus has at least 150 cases with unique names', () => {
    assert.ok(CORPUS.length >= 150, `${CORPUS.length} cases`);
    assert.equal(new Set(CORPUS.map((c) => c.name)).size, CORPUS.length);
  });

  test('every run was observed: the reference and the upstream saw traffic', () => {
    // A harness that silently observed nothing would pass every rule; the baselines must reach both.
    const baselines = corpus.filter((r) => r.case.class === 'baseline');
    assert.ok(baselines.length > 0);
    for (const r of baselines) {
      assert.ok(r.observation.reference.requests.length > 0, `${r.case.name}: the reference parsed nothing`);
      assert.ok(r.verdict.forwarded > 0, `${r.case.name}: nothing reached the upstream`);
    }
    assert.ok(corpus.some((r) => r.verdict.referenceRejected), 'the reference rejected nothing');
  });

  for (const [i, c] of CORPUS.entries()) {
    test(`${c.class}/${c.name}`, () => {
      const r = corpus[i];
      assert.ok(r !== undefined, 'the case did not run');
      assert.equal(r.verdict.violations.length, 0, explain(r));
    });
  }

  for (const [i, m] of MISBEHAVING_UPSTREAM.entries()) {
    test(`${m.case.class}/${m.case.name}: the unasked-for response reaches no client`, () => {
      const r = misbehaving[i];
      assert.ok(r !== undefined, 'the case did not run');
      assert.ok(r.verdict.forwarded >= 1, 'the request never reached the member');
      assert.equal(r.verdict.violations.length, 0, explain(r));
    });
  }

  test(`${MUTANTS} mutants of seed ${SEED} break no rule`, (t) => {
    t.diagnostic(`seed ${SEED}, ${MUTANTS} mutants (replay with SYMPHONY_HOSTILE_SEED=${SEED} SYMPHONY_HOSTILE_CASES=${MUTANTS})`);
    assert.equal(mutated.length, MUTANTS);
    const broken = mutated.filter((r) => r.verdict.violations.length > 0);
    assert.equal(broken.length, 0, `${broken.length} of ${MUTANTS} mutants broke a rule:\n${broken.slice(0, 15).map(explain).join('\n')}`);
  });
});
