import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BackoffTracker, backoffDelay } from '../../src/health/backoff.js';

describe('backoffDelay', () => {
  const rows: { name: string; streak: number; options?: { baseMs?: number; capMs?: number }; want: number }[] = [
    { name: 'no failure', streak: 0, want: 0 },
    { name: 'a single crash is replaced at once', streak: 1, want: 0 },
    { name: 'second in a row: 1 s', streak: 2, want: 1000 },
    { name: 'third: 2 s', streak: 3, want: 2000 },
    { name: 'fourth: 4 s', streak: 4, want: 4000 },
    { name: 'seventh: 32 s', streak: 7, want: 32_000 },
    { name: 'eighth: capped at 60 s', streak: 8, want: 60_000 },
    { name: 'very long streak stays at the cap', streak: 5000, want: 60_000 },
    { name: 'custom base and cap', streak: 4, options: { baseMs: 100, capMs: 300 }, want: 300 },
    { name: 'custom base below cap', streak: 3, options: { baseMs: 100 }, want: 200 },
    { name: 'negative streak', streak: -3, want: 0 },
    { name: 'NaN streak', streak: Number.NaN, want: 0 },
  ];
  for (const row of rows) {
    test(row.name, () => assert.equal(backoffDelay(row.streak, row.options), row.want, row.name));
  }
});

type Step =
  | { do: 'failed'; at: number }
  | { do: 'healthy'; readyAt: number; at: number }
  | { do: 'reset' }
  | { do: 'expect'; at: number; streak: number; nextStartAt: number };

describe('BackoffTracker', () => {
  const rows: { name: string; steps: Step[] }[] = [
    { name: 'fresh: start now', steps: [{ do: 'expect', at: 100, streak: 0, nextStartAt: 100 }] },
    {
      name: 'one crash: replace at once',
      steps: [{ do: 'failed', at: 1000 }, { do: 'expect', at: 1000, streak: 1, nextStartAt: 1000 }],
    },
    {
      name: 'crash loop: 1 s, 2 s, 4 s after each failure',
      steps: [
        { do: 'failed', at: 1000 },
        { do: 'failed', at: 1500 },
        { do: 'expect', at: 1500, streak: 2, nextStartAt: 2500 },
        { do: 'failed', at: 3000 },
        { do: 'expect', at: 3000, streak: 3, nextStartAt: 5000 },
        { do: 'failed', at: 6000 },
        { do: 'expect', at: 6000, streak: 4, nextStartAt: 10_000 },
        { do: 'expect', at: 12_000, streak: 4, nextStartAt: 12_000 },
      ],
    },
    {
      name: 'a replacement ready for 10 s resets the streak',
      steps: [
        { do: 'failed', at: 1000 },
        { do: 'failed', at: 2000 },
        { do: 'healthy', readyAt: 4000, at: 13_999 },
        { do: 'expect', at: 13_999, streak: 2, nextStartAt: 13_999 },
        { do: 'healthy', readyAt: 4000, at: 14_000 },
        { do: 'expect', at: 14_000, streak: 0, nextStartAt: 14_000 },
        { do: 'failed', at: 20_000 },
        { do: 'expect', at: 20_000, streak: 1, nextStartAt: 20_000 },
      ],
    },
    {
      name: 'an old healthy neighbour does not reset a crash loop',
      steps: [
        { do: 'failed', at: 50_000 },
        { do: 'failed', at: 51_000 },
        { do: 'healthy', readyAt: 0, at: 52_000 },
        { do: 'expect', at: 52_000, streak: 2, nextStartAt: 52_000 },
        { do: 'failed', at: 53_000 },
        { do: 'expect', at: 53_000, streak: 3, nextStartAt: 55_000 },
      ],
    },
    {
      name: 'reset forgets failures that were not the app\'s (an engine outage)',
      steps: [
        { do: 'failed', at: 1000 },
        { do: 'failed', at: 1000 },
        { do: 'failed', at: 1000 },
        { do: 'expect', at: 1000, streak: 3, nextStartAt: 3000 },
        { do: 'reset' },
        { do: 'expect', at: 1000, streak: 0, nextStartAt: 1000 },
        { do: 'failed', at: 1500 },
        { do: 'expect', at: 1500, streak: 1, nextStartAt: 1500 },
      ],
    },
    {
      name: 'a late failure report does not move the last failure back',
      steps: [
        { do: 'failed', at: 5000 },
        { do: 'failed', at: 4000 },
        { do: 'expect', at: 5000, streak: 2, nextStartAt: 6000 },
      ],
    },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const tracker = new BackoffTracker();
      row.steps.forEach((step, i) => {
        if (step.do === 'failed') tracker.failed(step.at);
        else if (step.do === 'healthy') tracker.healthySince(step.readyAt, step.at);
        else if (step.do === 'reset') tracker.reset();
        else {
          assert.equal(tracker.streak, step.streak, `${row.name}, step ${i}: streak`);
          assert.equal(tracker.nextStartAt(step.at), step.nextStartAt, `${row.name}, step ${i}: nextStartAt`);
        }
      });
    });
  }

  test('options are passed through', () => {
    const tracker = new BackoffTracker({ baseMs: 10, capMs: 25, stableAfterMs: 100 });
    for (let i = 0; i < 5; i++) tracker.failed(0);
    assert.equal(tracker.nextStartAt(0), 25);
    assert.equal(tracker.lastFailureAt, 0);
    tracker.healthySince(0, 100);
    assert.equal(tracker.streak, 0);
    assert.equal(tracker.lastFailureAt, undefined);
  });
});
