// The pure decisions of a rolling deploy (deploy.ts), and the --deploy-parallel limit
// of planReconcile (plan.ts), as tables of named rows.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deployAbortReason, deployProgress, type DeployContainer, type DeployProgress } from '../../src/orchestrator/deploy.js';
import { planReconcile, type PlannedContainer, type ReconcilePlan } from '../../src/orchestrator/plan.js';

const NEW = 'new0000000000000';
const OLD = 'old0000000000000';
const at = (spec: string, state: DeployContainer['state'], readyAt: number | null = state === 'ready' ? 0 : null): DeployContainer => ({ spec, state, readyAt });

describe('deployProgress', () => {
  const base = { phase: 'running' as const, target: NEW, total: 2, now: 20_000, verifyMs: 10_000 };
  const rows: { name: string; input: Parameters<typeof deployProgress>[0]; want: DeployProgress }[] = [
    { name: 'just started: nothing replaced', input: { ...base, containers: [at(OLD, 'ready'), at(OLD, 'ready'), at(NEW, 'starting')] }, want: { done: 0, finished: false, checkAt: null } },
    {
      name: 'one replaced (the old one drains: not counted), the next starting',
      input: { ...base, containers: [at(OLD, 'draining'), at(OLD, 'ready'), at(NEW, 'ready', 5_000), at(NEW, 'starting')] },
      want: { done: 1, finished: false, checkAt: null },
    },
    {
      name: 'all replaced but the last joined within the verify period: look again when it ends',
      input: { ...base, containers: [at(NEW, 'ready', 5_000), at(NEW, 'ready', 15_000), at(OLD, 'stopping')] },
      want: { done: 2, finished: false, checkAt: 25_000 },
    },
    { name: 'all replaced and verified: succeeded', input: { ...base, containers: [at(NEW, 'ready', 5_000), at(NEW, 'ready', 10_000)] }, want: { done: 2, finished: true, checkAt: null } },
    {
      name: 'a scale-up replica still starting holds the end',
      input: { ...base, containers: [at(NEW, 'ready', 0), at(NEW, 'ready', 0), at(NEW, 'starting')] },
      want: { done: 2, finished: false, checkAt: null },
    },
    { name: 'nothing ready (every new one failed): not finished', input: { ...base, containers: [at(NEW, 'unhealthy')] }, want: { done: 2, finished: false, checkAt: null } },
    {
      name: 'scaled down during the deploy: done never exceeds total',
      input: { ...base, total: 1, containers: [at(NEW, 'ready', 0)] },
      want: { done: 1, finished: true, checkAt: null },
    },
    {
      name: 'rolling back: finished once the old spec alone serves, with no verify period',
      input: { ...base, phase: 'rolling-back', target: OLD, containers: [at(OLD, 'ready', 19_999), at(OLD, 'ready', 0), at(NEW, 'draining')] },
      want: { done: 2, finished: true, checkAt: null },
    },
    {
      name: 'rolling back: a new one still serving holds the end',
      input: { ...base, phase: 'rolling-back', target: OLD, containers: [at(OLD, 'ready'), at(NEW, 'ready')] },
      want: { done: 1, finished: false, checkAt: null },
    },
  ];
  for (const row of rows) test(row.name, () => assert.deepEqual(deployProgress(row.input), row.want));
});

describe('deployAbortReason', () => {
  const base = { phase: 'running' as const, target: NEW, spec: NEW, readyAt: null, now: 30_000, verifyMs: 10_000, failure: 'health API answered 500' };
  const rows: { name: string; input: Parameters<typeof deployAbortReason>[0]; want: RegExp | null }[] = [
    { name: 'a new one that never became ready aborts', input: { ...base, state: 'starting' }, want: /failed to become ready: health API answered 500/ },
    { name: 'a new one failing within the verify period aborts', input: { ...base, state: 'ready', readyAt: 25_000 }, want: /5000ms after joining the rotation \(within --deploy-verify 10000ms\)/ },
    { name: 'a new one failing after its verify period is only replaced', input: { ...base, state: 'ready', readyAt: 20_000 }, want: null },
    { name: 'an old one failing does not abort', input: { ...base, spec: OLD, state: 'starting' }, want: null },
    { name: 'nothing aborts a rollback', input: { ...base, phase: 'rolling-back', state: 'starting' }, want: null },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const got = deployAbortReason(row.input);
      if (row.want === null) assert.equal(got, null);
      else assert.match(got ?? '', row.want);
    });
  }
});

describe('planReconcile with --deploy-parallel', () => {
  const cur = (id: string, state: PlannedContainer['state']): PlannedContainer => ({ id, state, hostPort: null, createdAt: 0, inFlight: 0, current: true });
  const old = (id: string, state: PlannedContainer['state']): PlannedContainer => ({ ...cur(id, state), current: false });
  const base = { now: 1000, nextStartAt: 1000, failureStreak: 0 };
  const plan = (p: Partial<ReconcilePlan>): ReconcilePlan => ({ retire: [], start: 0, waitUntilMs: null, missing: 0, ...p });
  const rows: { name: string; input: Parameters<typeof planReconcile>[0]; want: ReconcilePlan }[] = [
    {
      name: 'one at a time: one replacement starts, the old ones keep serving',
      input: { ...base, desired: 3, parallel: 1, containers: [old('a', 'ready'), old('b', 'ready'), old('c', 'ready')] },
      want: plan({ start: 1, missing: 3 }),
    },
    {
      name: 'one at a time: none more while one starts',
      input: { ...base, desired: 3, parallel: 1, containers: [old('a', 'ready'), old('b', 'ready'), old('c', 'ready'), cur('n', 'starting')] },
      want: plan({ missing: 2 }),
    },
    {
      name: 'a replacement ready: one old one retired, the next replacement starts',
      input: { ...base, desired: 3, parallel: 1, containers: [old('a', 'ready'), old('b', 'ready'), old('c', 'ready'), cur('n', 'ready')] },
      want: plan({ retire: ['a'], start: 1, missing: 2 }),
    },
    {
      name: 'two at a time',
      input: { ...base, desired: 3, parallel: 2, containers: [old('a', 'ready'), old('b', 'ready'), old('c', 'ready')] },
      want: plan({ start: 2, missing: 3 }),
    },
    {
      name: 'a scale-up during the deploy starts new-spec replicas at once, beside the replacement',
      input: { ...base, desired: 5, parallel: 1, containers: [old('a', 'ready'), old('b', 'ready'), cur('n', 'ready')] },
      want: plan({ start: 3, missing: 4 }),
    },
    { name: 'no limit outside a deploy', input: { ...base, desired: 3, parallel: null, containers: [old('a', 'ready'), old('b', 'ready'), old('c', 'ready')] }, want: plan({ start: 3, missing: 3 }) },
  ];
  for (const row of rows) test(row.name, () => assert.deepEqual(planReconcile(row.input), row.want));
});
