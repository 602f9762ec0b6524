import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pickToRetire, planReconcile, type PlannedContainer, type ReconcilePlan } from '../../src/orchestrator/plan.js';

const c = (id: string, state: PlannedContainer['state'], extra: Partial<PlannedContainer> = {}): PlannedContainer => ({
  id,
  state,
  hostPort: null,
  createdAt: 0,
  inFlight: 0,
  current: true,
  ...extra,
});
const old = (id: string, state: PlannedContainer['state'], extra: Partial<PlannedContainer> = {}): PlannedContainer => c(id, state, { current: false, ...extra });

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

describe('planReconcile', () => {
  const base = { now: 1000, nextStartAt: 1000, failureStreak: 0 };
  const plan = (p: Partial<ReconcilePlan>): ReconcilePlan => ({ retire: [], start: 0, waitUntilMs: null, missing: 0, ...p });
  const rows: { name: string; input: Parameters<typeof planReconcile>[0]; want: ReconcilePlan }[] = [
    { name: 'steady', input: { ...base, desired: 1, containers: [c('a', 'ready')] }, want: plan({}) },
    { name: 'scale up starts all missing at once', input: { ...base, desired: 3, containers: [c('a', 'ready')] }, want: plan({ start: 2, missing: 2 }) },
    { name: 'starting ones count', input: { ...base, desired: 2, containers: [c('a', 'ready'), c('b', 'starting')] }, want: plan({}) },
    {
      name: 'leaving ones do not count',
      input: { ...base, desired: 2, containers: [c('a', 'ready'), c('b', 'draining'), c('c', 'unhealthy'), c('d', 'stopping')] },
      want: plan({ start: 1, missing: 1 }),
    },
    { name: 'scale down', input: { ...base, desired: 1, containers: [c('a', 'ready', { createdAt: 1 }), c('b', 'ready', { createdAt: 2 })] }, want: plan({ retire: ['b'] }) },
    {
      name: 'scale down while one drains: the draining one is not picked again',
      input: { ...base, desired: 1, containers: [c('a', 'ready', { createdAt: 1 }), c('b', 'ready', { createdAt: 2 }), c('x', 'draining')] },
      want: plan({ retire: ['b'] }),
    },
    { name: 'back-off holds starts', input: { desired: 1, containers: [], now: 1000, nextStartAt: 3000, failureStreak: 3 }, want: plan({ waitUntilMs: 3000, missing: 1 }) },
    { name: 'while failing, one at a time', input: { desired: 3, containers: [], now: 1000, nextStartAt: 1000, failureStreak: 2 }, want: plan({ start: 1, missing: 3 }) },
    { name: 'while failing, wait for the one starting', input: { desired: 3, containers: [c('a', 'starting')], now: 1000, nextStartAt: 1000, failureStreak: 2 }, want: plan({ missing: 2 }) },
    { name: 'a single failure is replaced in full at once', input: { desired: 2, containers: [], now: 1000, nextStartAt: 1000, failureStreak: 1 }, want: plan({ start: 2, missing: 2 }) },
    {
      name: 'outdated ones keep serving while replacements start',
      input: { ...base, desired: 2, containers: [old('o1', 'ready'), old('o2', 'ready')] },
      want: plan({ start: 2, missing: 2 }),
    },
    {
      name: 'outdated ones keep serving while replacements are only starting',
      input: { ...base, desired: 2, containers: [old('o1', 'ready'), old('o2', 'ready'), c('n1', 'starting'), c('n2', 'starting')] },
      want: plan({}),
    },
    {
      name: 'one replacement ready: one outdated retired (fewest in flight)',
      input: { ...base, desired: 2, containers: [old('o1', 'ready', { inFlight: 2 }), old('o2', 'ready'), c('n1', 'ready'), c('n2', 'starting')] },
      want: plan({ retire: ['o2'] }),
    },
    {
      name: 'all replacements ready: every outdated one retired',
      input: { ...base, desired: 2, containers: [old('o1', 'ready'), old('o2', 'ready'), c('n1', 'ready'), c('n2', 'ready')] },
      want: plan({ retire: ['o1', 'o2'] }),
    },
    {
      name: 'outdated ones keep serving while the new spec backs off',
      input: { desired: 1, containers: [old('o1', 'ready')], now: 1000, nextStartAt: 5000, failureStreak: 4 },
      want: plan({ waitUntilMs: 5000, missing: 1 }),
    },
    {
      name: 'more outdated than desired: the surplus goes at once',
      input: { ...base, desired: 1, containers: [old('o1', 'ready', { createdAt: 1 }), old('o2', 'ready', { createdAt: 2 })] },
      want: plan({ retire: ['o2'], start: 1, missing: 1 }),
    },
  ];
  for (const row of rows) test(row.name, () => assert.deepEqual(planReconcile(row.input), row.want));
});
