import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adoptedWarmup, stabilizeScaleDown, type AdoptedHold, type Recommendation } from '../../src/autoscale/stabilize.js';
import type { ScaleDecision } from '../../src/status.js';

const T = 1_700_000_000_000;
const rule = (replicas: number, reason: ScaleDecision['reason'] = 'Rule'): ScaleDecision => ({ replicas, reason, proposed: replicas, count: (replicas - 1) * 20 });
const recs = (...pairs: [number, number][]): Recommendation[] => pairs.map(([ago, replicas]) => ({ at: T - ago, replicas }));

describe('stabilizeScaleDown', () => {
  const rows: {
    name: string;
    recent: Recommendation[];
    decision: ScaleDecision;
    delayMs: number;
    replicas: number;
    reason: ScaleDecision['reason'];
    kept: number;
  }[] = [
    { name: 'no delay: the rule at once, no history', recent: recs([1000, 5]), decision: rule(1), delayMs: 0, replicas: 1, reason: 'Rule', kept: 0 },
    { name: 'first tick: only the newest', recent: [], decision: rule(3), delayMs: 60_000, replicas: 3, reason: 'Rule', kept: 1 },
    { name: 'scale up is never delayed', recent: recs([5000, 2], [1000, 2]), decision: rule(4), delayMs: 60_000, replicas: 4, reason: 'Rule', kept: 3 },
    { name: 'a burst 30 s ago holds a 60 s delay up', recent: recs([30_000, 5], [10_000, 2]), decision: rule(1), delayMs: 60_000, replicas: 5, reason: 'ScaleDownStabilized', kept: 3 },
    { name: 'the highest inside the delay, not the newest', recent: recs([50_000, 2], [40_000, 4], [1000, 3]), decision: rule(1), delayMs: 60_000, replicas: 4, reason: 'ScaleDownStabilized', kept: 4 },
    { name: 'exactly delayMs old has expired', recent: recs([60_000, 5], [59_999, 3]), decision: rule(1), delayMs: 60_000, replicas: 3, reason: 'ScaleDownStabilized', kept: 2 },
    { name: 'everything older than the delay: scale down', recent: recs([90_000, 5], [70_000, 4]), decision: rule(2), delayMs: 60_000, replicas: 2, reason: 'Rule', kept: 1 },
    { name: 'equal to the newest keeps the rule reason', recent: recs([1000, 3]), decision: rule(3, 'TooManyReplicas'), delayMs: 60_000, replicas: 3, reason: 'TooManyReplicas', kept: 2 },
    { name: 'a clamp reason is replaced when an older count holds', recent: recs([1000, 3]), decision: rule(2, 'TooFewReplicas'), delayMs: 60_000, replicas: 3, reason: 'ScaleDownStabilized', kept: 2 },
    { name: 'a recommendation from the future (clock stepped back) is dropped', recent: recs([-5000, 5]), decision: rule(1), delayMs: 60_000, replicas: 1, reason: 'Rule', kept: 1 },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const { decision, recent } = stabilizeScaleDown(row.recent, row.decision, T, row.delayMs);
      assert.equal(decision.replicas, row.replicas, `${row.name}: replicas`);
      assert.equal(decision.reason, row.reason, `${row.name}: reason`);
      assert.equal(decision.proposed, row.decision.proposed, `${row.name}: the rule's proposal is kept for the log`);
      assert.equal(recent.length, row.kept, `${row.name}: history kept`);
    });
  }

  test('the history it returns feeds the next call: a bounded, rolling maximum', () => {
    let recent: readonly Recommendation[] = [];
    const seen: number[] = [];
    // One tick a second: a burst to 5 at t = 2 s, then the rule asks for 1; delay 5 s.
    const asks = [1, 1, 5, 1, 1, 1, 1, 1, 1, 1];
    asks.forEach((replicas, i) => {
      const out = stabilizeScaleDown(recent, rule(replicas), T + i * 1000, 5000);
      recent = out.recent;
      seen.push(out.decision.replicas);
    });
    assert.deepEqual(seen, [1, 1, 5, 5, 5, 5, 5, 1, 1, 1]);
    assert.equal(recent.length, 5, 'only the last 5 s are kept');
  });
});

describe('adoptedWarmup', () => {
  const hold: AdoptedHold = { adopted: 3, since: T };
  const rows: { name: string; decision: ScaleDecision; hold: AdoptedHold | null; at: number; max: number; replicas: number; reason: ScaleDecision['reason'] }[] = [
    { name: 'nothing adopted: the decision as is', decision: rule(1), hold: null, at: T, max: 5, replicas: 1, reason: 'Rule' },
    { name: 'right after the start the adopted stay', decision: rule(1), hold, at: T, max: 5, replicas: 3, reason: 'AdoptedWarmup' },
    { name: 'one ms before the window has passed', decision: rule(1, 'TooFewReplicas'), hold, at: T + 29_999, max: 5, replicas: 3, reason: 'AdoptedWarmup' },
    { name: 'after one whole window the rule decides', decision: rule(1), hold, at: T + 30_000, max: 5, replicas: 1, reason: 'Rule' },
    { name: 'the rule asking for more wins', decision: rule(4), hold, at: T + 1000, max: 5, replicas: 4, reason: 'Rule' },
    { name: 'the rule asking for the same keeps its reason', decision: rule(3), hold, at: T + 1000, max: 5, replicas: 3, reason: 'Rule' },
    { name: 'never above max', decision: rule(1), hold, at: T + 1000, max: 2, replicas: 2, reason: 'AdoptedWarmup' },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const decision = adoptedWarmup(row.decision, row.hold, row.at, 30_000, row.max);
      assert.equal(decision.replicas, row.replicas, `${row.name}: replicas`);
      assert.equal(decision.reason, row.reason, `${row.name}: reason`);
    });
  }
});
