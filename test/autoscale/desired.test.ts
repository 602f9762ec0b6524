import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { desiredReplicas, ScaleRuleError } from '../../src/autoscale/desired.js';
import type { ScaleDecision } from '../../src/status.js';

describe('desiredReplicas', () => {
  const rows: { name: string; count: number; base: number; min: number; max: number; want: ScaleDecision }[] = [
    { name: 'no requests: one replica', count: 0, base: 20, min: 1, max: 5, want: { replicas: 1, reason: 'Rule', proposed: 1, count: 0 } },
    { name: '19: still one', count: 19, base: 20, min: 1, max: 5, want: { replicas: 1, reason: 'Rule', proposed: 1, count: 19 } },
    { name: '20: two', count: 20, base: 20, min: 1, max: 5, want: { replicas: 2, reason: 'Rule', proposed: 2, count: 20 } },
    { name: '39: two', count: 39, base: 20, min: 1, max: 5, want: { replicas: 2, reason: 'Rule', proposed: 2, count: 39 } },
    { name: '40: three', count: 40, base: 20, min: 1, max: 5, want: { replicas: 3, reason: 'Rule', proposed: 3, count: 40 } },
    { name: '59: three', count: 59, base: 20, min: 1, max: 5, want: { replicas: 3, reason: 'Rule', proposed: 3, count: 59 } },
    { name: 'exactly max by the rule is not clamped', count: 80, base: 20, min: 1, max: 5, want: { replicas: 5, reason: 'Rule', proposed: 5, count: 80 } },
    { name: 'above max: capped', count: 100, base: 20, min: 1, max: 5, want: { replicas: 5, reason: 'TooManyReplicas', proposed: 6, count: 100 } },
    { name: 'below min: raised', count: 0, base: 20, min: 3, max: 5, want: { replicas: 3, reason: 'TooFewReplicas', proposed: 1, count: 0 } },
    { name: 'exactly min by the rule is not clamped', count: 40, base: 20, min: 3, max: 5, want: { replicas: 3, reason: 'Rule', proposed: 3, count: 40 } },
    { name: 'min 0 allows one from the rule', count: 0, base: 20, min: 0, max: 5, want: { replicas: 1, reason: 'Rule', proposed: 1, count: 0 } },
    { name: 'min = max pins it', count: 1000, base: 20, min: 2, max: 2, want: { replicas: 2, reason: 'TooManyReplicas', proposed: 51, count: 1000 } },
    { name: 'base 1: one per request', count: 3, base: 1, min: 1, max: 10, want: { replicas: 4, reason: 'Rule', proposed: 4, count: 3 } },
    { name: 'huge count', count: 1e15, base: 20, min: 1, max: 5, want: { replicas: 5, reason: 'TooManyReplicas', proposed: 5e13 + 1, count: 1e15 } },
    { name: 'infinite count is capped', count: Infinity, base: 20, min: 1, max: 5, want: { replicas: 5, reason: 'TooManyReplicas', proposed: Infinity, count: Infinity } },
    { name: 'negative count is treated as none', count: -5, base: 20, min: 1, max: 5, want: { replicas: 1, reason: 'Rule', proposed: 1, count: 0 } },
    { name: 'NaN count is treated as none', count: Number.NaN, base: 20, min: 1, max: 5, want: { replicas: 1, reason: 'Rule', proposed: 1, count: 0 } },
  ];
  for (const row of rows) {
    test(row.name, () => {
      assert.deepEqual(desiredReplicas(row), row.want, row.name);
    });
  }

  const bad: { name: string; base: number; min: number; max: number; message: RegExp }[] = [
    { name: 'base 0', base: 0, min: 1, max: 5, message: /base scale count/ },
    { name: 'fractional base', base: 2.5, min: 1, max: 5, message: /base scale count/ },
    { name: 'min above max', base: 20, min: 6, max: 5, message: /--min and --max/ },
    { name: 'negative min', base: 20, min: -1, max: 5, message: /--min and --max/ },
    { name: 'fractional max', base: 20, min: 1, max: 2.5, message: /--min and --max/ },
  ];
  for (const row of bad) {
    test(`rejects ${row.name}`, () => {
      assert.throws(
        () => desiredReplicas({ count: 10, base: row.base, min: row.min, max: row.max }),
        (e: unknown) => e instanceof ScaleRuleError && e.code === 'SCALE_RULE_INVALID' && row.message.test(e.message),
      );
    });
  }
});
