import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TumblingWindow } from '../../src/autoscale/tumbling.js';
import { WindowOptionsError } from '../../src/autoscale/window.js';

const T0 = 1_700_000_000_000;

describe('TumblingWindow', () => {
  test('nothing happens before the first request', () => {
    const w = new TumblingWindow({ windowMs: 1000 });
    assert.equal(w.count(T0), 0);
    assert.equal(w.closeDue(T0 + 1_000_000), undefined);
    assert.equal(w.startedAt, undefined);
    assert.equal(w.endsAt, undefined);
  });

  test('the first request starts the first window', () => {
    const w = new TumblingWindow({ windowMs: 1000 });
    w.record(T0 + 300);
    assert.equal(w.startedAt, T0 + 300);
    assert.equal(w.endsAt, T0 + 1300);
  });

  test('a window covers [start, start + windowMs) and closes once, exactly at its end', () => {
    const w = new TumblingWindow({ windowMs: 1000 });
    w.record(T0);
    w.record(T0 + 500);
    w.record(T0 + 999);
    assert.equal(w.count(T0 + 999), 3);
    assert.equal(w.closeDue(T0 + 999), undefined, 'not yet ended');
    assert.deepEqual(w.closeDue(T0 + 1000), { count: 3, endedAt: T0 + 1000 });
    assert.equal(w.closeDue(T0 + 1000), undefined, 'reported once');
    assert.equal(w.count(T0 + 1000), 0, 'count reset');
  });

  test('a request exactly at the end belongs to the next window', () => {
    const w = new TumblingWindow({ windowMs: 1000 });
    w.record(T0);
    w.record(T0 + 1000);
    assert.deepEqual(w.closeDue(T0 + 1000), { count: 1, endedAt: T0 + 1000 });
    assert.deepEqual(w.closeDue(T0 + 2000), { count: 1, endedAt: T0 + 2000 });
  });

  test('empty windows still end on schedule once started', () => {
    const w = new TumblingWindow({ windowMs: 1000 });
    w.record(T0);
    assert.deepEqual(w.closeDue(T0 + 1000), { count: 1, endedAt: T0 + 1000 });
    assert.deepEqual(w.closeDue(T0 + 2000), { count: 0, endedAt: T0 + 2000 });
    assert.deepEqual(w.closeDue(T0 + 3500), { count: 0, endedAt: T0 + 3000 });
    assert.equal(w.endsAt, T0 + 4000, 'windows stay on the grid of the first request');
  });

  test('when several windows ended unseen, only the newest is reported', () => {
    const w = new TumblingWindow({ windowMs: 1000 });
    w.record(T0);
    w.record(T0 + 1500); // rolls the first window over, unreported
    assert.deepEqual(w.closeDue(T0 + 2100), { count: 1, endedAt: T0 + 2000 }, 'the window with the 1500 request');
    w.record(T0 + 2200);
    assert.deepEqual(w.closeDue(T0 + 5200), { count: 0, endedAt: T0 + 5000 }, 'three ended; the newest was empty');
  });

  test('a late timestamp counts in the current window, never in a closed one', () => {
    const w = new TumblingWindow({ windowMs: 1000 });
    w.record(T0);
    assert.deepEqual(w.closeDue(T0 + 1000), { count: 1, endedAt: T0 + 1000 });
    w.record(T0 + 200); // clock stepped back
    assert.equal(w.count(T0 + 1100), 1);
    assert.deepEqual(w.closeDue(T0 + 2000), { count: 1, endedAt: T0 + 2000 });
  });

  test('rejects a window that is not a positive length', () => {
    for (const windowMs of [0, -1, Number.NaN]) {
      assert.throws(() => new TumblingWindow({ windowMs }), WindowOptionsError, String(windowMs));
    }
  });
});
