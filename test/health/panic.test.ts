import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CALM, PANIC_RELEASE_ROUNDS, panicStep, timeoutConclusive } from '../../src/health/panic.js';
import type { HealthRound, PanicState, PanicStep } from '../../src/health/panic.js';

describe('timeoutConclusive', () => {
  const rows: { name: string; timeoutMs: number; lagMs: number; want: boolean }[] = [
    { name: 'no lag: the container did not answer in time', timeoutMs: 800, lagMs: 0, want: true },
    { name: 'timer jitter is not lag', timeoutMs: 800, lagMs: 40, want: true },
    { name: 'just under half the timeout lost: still conclusive', timeoutMs: 800, lagMs: 399, want: true },
    { name: 'half the timeout lost: inconclusive', timeoutMs: 800, lagMs: 400, want: false },
    { name: 'stalled longer than the whole timeout: inconclusive', timeoutMs: 800, lagMs: 1500, want: false },
    { name: 'scales with the timeout: 400 ms is little against 5 s', timeoutMs: 5000, lagMs: 400, want: true },
  ];
  for (const row of rows) {
    test(row.name, () => assert.equal(timeoutConclusive({ timeoutMs: row.timeoutMs, lagMs: row.lagMs }), row.want));
  }
});

describe('panicStep', () => {
  const T = 1_700_000_000_000;
  const panicking = (quietRounds: number, since = T - 5000): PanicState => ({ panic: true, since, quietRounds });
  const round = (probed: number, timedOut: number, inconclusive = 0): HealthRound => ({ now: T, probed, timedOut, inconclusive });

  const rows: { name: string; state: PanicState; round: HealthRound; want: PanicStep }[] = [
    { name: 'calm, all answered: calm, nothing held', state: CALM, round: round(3, 0), want: { state: CALM, failTimeouts: true, change: null } },
    { name: 'calm, one of three timed out: it fails (it alone is stuck)', state: CALM, round: round(3, 1), want: { state: CALM, failTimeouts: true, change: null } },
    { name: 'calm, the only ready container timed out: it fails (no panic with one)', state: CALM, round: round(1, 1), want: { state: CALM, failTimeouts: true, change: null } },
    {
      name: 'calm, two of two timed out: panic starts, nothing fails',
      state: CALM,
      round: round(2, 2),
      want: { state: { panic: true, since: T, quietRounds: 1 }, failTimeouts: false, change: 'started' },
    },
    {
      name: 'calm, all timed out, some while we lagged: panic, quiet count stays 0',
      state: CALM,
      round: round(3, 2, 1),
      want: { state: { panic: true, since: T, quietRounds: 0 }, failTimeouts: false, change: 'started' },
    },
    {
      name: 'calm, every timeout was our lag: nothing learned, no panic',
      state: CALM,
      round: round(3, 0, 3),
      want: { state: CALM, failTimeouts: false, change: null },
    },
    {
      name: 'panic, still all timed out: stays, since kept, one more quiet round',
      state: panicking(1),
      round: round(2, 2),
      want: { state: panicking(2), failTimeouts: false, change: null },
    },
    {
      name: 'panic, one container left and it timed out: stays (entering needs two, staying one)',
      state: panicking(1),
      round: round(1, 1),
      want: { state: panicking(2), failTimeouts: false, change: null },
    },
    {
      name: 'panic, a lagging round resets the quiet count',
      state: panicking(2),
      round: round(2, 1, 1),
      want: { state: panicking(0), failTimeouts: false, change: null },
    },
    {
      name: 'panic, every timeout was our lag: stays, quiet count reset',
      state: panicking(2),
      round: round(2, 0, 2),
      want: { state: panicking(0), failTimeouts: false, change: null },
    },
    {
      name: `panic, quiet round number ${PANIC_RELEASE_ROUNDS}: released, the timeouts fail`,
      state: panicking(PANIC_RELEASE_ROUNDS - 1),
      round: round(2, 2),
      want: { state: CALM, failTimeouts: true, change: 'released' },
    },
    {
      name: 'panic, one container answered: panic ends, the other timeouts fail',
      state: panicking(1),
      round: round(3, 2),
      want: { state: CALM, failTimeouts: true, change: 'ended' },
    },
    {
      name: 'panic, a timed-out container answered non-200 this round: panic ends',
      state: panicking(1),
      round: round(2, 1),
      want: { state: CALM, failTimeouts: true, change: 'ended' },
    },
    {
      name: 'panic, nothing probed (all in flight or gone): unchanged',
      state: panicking(1),
      round: round(0, 0),
      want: { state: panicking(1), failTimeouts: false, change: null },
    },
  ];
  for (const row of rows) {
    test(row.name, () => assert.deepEqual(panicStep(row.state, row.round), row.want));
  }

  test(`a whole episode: all time out with no lag of ours for ${PANIC_RELEASE_ROUNDS} rounds, then the failures go through`, () => {
    let state = CALM;
    const changes: (string | null)[] = [];
    const failed: boolean[] = [];
    for (let i = 0; i < PANIC_RELEASE_ROUNDS; i++) {
      const step = panicStep(state, { now: T + i * 1000, probed: 4, timedOut: 4, inconclusive: 0 });
      state = step.state;
      changes.push(step.change);
      failed.push(step.failTimeouts);
    }
    assert.deepEqual(failed, [...Array<boolean>(PANIC_RELEASE_ROUNDS - 1).fill(false), true]);
    assert.deepEqual(changes, ['started', ...Array<null>(PANIC_RELEASE_ROUNDS - 2).fill(null), 'released']);
    assert.deepEqual(state, CALM);
  });
});
