import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { allocateHostPort, pickToRetire, planReconcile, type PlannedContainer } from '../../src/orchestrator/plan.js';

const c = (id: string, state: PlannedContainer['state'], extra: Partial<PlannedContainer> = {}): PlannedContainer => ({
  id,
  state,
  hostPort: null,
  createdAt: 0,
  inFlight: 0,
  ...extra,
});

describe('pickToRetire', () => {
  const rows: { name: string; containers: PlannedContainer[]; n: number; want: string[] }[] = [
    { name: 'nothing to retire', containers: [c('a', 'ready')], n: 0, want: [] },
    { name: 'starting before ready', containers: [c('a', 'ready'), c('b', 'starting')], n: 1, want: ['b'] },
    { name: 'fewest in flight first', containers: [c('a', 'ready', { inFlight: 3 }), c('b', 'ready', { inFlight: 1 })], n: 1, want: ['b'] },
    { name: 'newest on a tie', containers: [c('a', 'ready', { createdAt: 1 }), c('b', 'ready', { createdAt: 2 })], n: 1, want: ['b'] },
    { name: 'never one already leaving', containers: [c('a', 'draining'), c('b', 'stopping'), c('c', 'unhealthy'), c('d', 'ready')], n: 2, want: ['d'] },
  ];
  for (const row of rows) test(row.name, () => assert.deepEqual(pickToRetire(row.containers, row.n), row.want));
});

describe('allocateHostPort', () => {
  const range = { first: 8000, last: 8002 };
  const rows: { name: string; range: typeof range | null; taken: (number | null)[]; want: number | null }[] = [
    { name: 'ephemeral without a range', range: null, taken: [], want: 0 },
    { name: 'first port of an empty range', range, taken: [], want: 8000 },
    { name: 'the lowest free one', range, taken: [8000, 8002], want: 8001 },
    { name: 'a port freed in the middle is reused', range, taken: [8000, null, 8002], want: 8001 },
    { name: 'none when all are held', range, taken: [8000, 8001, 8002], want: null },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const containers = row.taken.map((port, i) => c(`c${i}`, 'ready', { hostPort: port }));
      assert.equal(allocateHostPort(row.range, containers), row.want);
    });
  }
});

describe('planReconcile', () => {
  const base = { now: 1000, nextStartAt: 1000, failureStreak: 0 };
  const rows: { name: string; input: Parameters<typeof planReconcile>[0]; want: ReturnType<typeof planReconcile> }[] = [
    { name: 'steady', input: { ...base, desired: 1, containers: [c('a', 'ready')] }, want: { kind: 'steady' } },
    { name: 'scale up starts all missing at once', input: { ...base, desired: 3, containers: [c('a', 'ready')] }, want: { kind: 'start', count: 2 } },
    { name: 'starting ones count', input: { ...base, desired: 2, containers: [c('a', 'ready'), c('b', 'starting')] }, want: { kind: 'steady' } },
    { name: 'leaving ones do not count', input: { ...base, desired: 2, containers: [c('a', 'ready'), c('b', 'draining'), c('c', 'unhealthy')] }, want: { kind: 'start', count: 1 } },
    { name: 'scale down', input: { ...base, desired: 1, containers: [c('a', 'ready', { createdAt: 1 }), c('b', 'ready', { createdAt: 2 })] }, want: { kind: 'retire', ids: ['b'] } },
    { name: 'back-off holds starts', input: { desired: 1, containers: [], now: 1000, nextStartAt: 3000, failureStreak: 3 }, want: { kind: 'wait', untilMs: 3000, missing: 1 } },
    { name: 'while failing, one at a time', input: { desired: 3, containers: [], now: 1000, nextStartAt: 1000, failureStreak: 2 }, want: { kind: 'start', count: 1 } },
    { name: 'while failing, wait for the one starting', input: { desired: 3, containers: [c('a', 'starting')], now: 1000, nextStartAt: 1000, failureStreak: 2 }, want: { kind: 'steady' } },
    { name: 'a single failure is replaced in full at once', input: { desired: 2, containers: [], now: 1000, nextStartAt: 1000, failureStreak: 1 }, want: { kind: 'start', count: 2 } },
  ];
  for (const row of rows) test(row.name, () => assert.deepEqual(planReconcile(row.input), row.want));
});
