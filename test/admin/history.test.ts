import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { History, Ring, markOf, sampleOf, unseenRecords } from '../../src/admin/history.js';
import type { EventCursor, HistoryMark } from '../../src/admin/history.js';
import type { LogRecord } from '../../src/log.js';
import { fakeContainer, fakeStatus } from './fake-status.js';

const T = 1_700_000_000_000;

function rec(time: number, event: string, fields?: Record<string, unknown>, container?: string): LogRecord {
  return { time, level: 'info', event, message: `${event} at ${time}`, ...(fields ? { fields } : {}), ...(container ? { container } : {}) };
}

describe('Ring', () => {
  const rows: { name: string; capacity: number; push: number[]; want: number[] }[] = [
    { name: 'empty', capacity: 3, push: [], want: [] },
    { name: 'below capacity keeps order', capacity: 3, push: [1, 2], want: [1, 2] },
    { name: 'exactly full', capacity: 3, push: [1, 2, 3], want: [1, 2, 3] },
    { name: 'one over drops the oldest', capacity: 3, push: [1, 2, 3, 4], want: [2, 3, 4] },
    { name: 'wraps more than once', capacity: 3, push: [1, 2, 3, 4, 5, 6, 7], want: [5, 6, 7] },
    { name: 'capacity one keeps the newest', capacity: 1, push: [1, 2], want: [2] },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const ring = new Ring<number>(row.capacity);
      for (const n of row.push) ring.push(n);
      assert.deepEqual(ring.toArray(), row.want);
      assert.equal(ring.size, row.want.length);
    });
  }
  test('a capacity that is not a positive integer is refused', () => {
    for (const bad of [0, -1, 1.5, NaN]) assert.throws(() => new Ring(bad), RangeError, String(bad));
  });
});

describe('sampleOf', () => {
  const rows: { name: string; previous: { t: number; requests: number } | undefined; requests: number; now: number; wantRate: number | null }[] = [
    { name: 'first sample has no rate', previous: undefined, requests: 10, now: T, wantRate: null },
    { name: 'requests per second over one second', previous: { t: T - 1000, requests: 10 }, requests: 17, now: T, wantRate: 7 },
    { name: 'over two seconds (a skipped tick)', previous: { t: T - 2000, requests: 10 }, requests: 16, now: T, wantRate: 3 },
    { name: 'no traffic is a rate of 0', previous: { t: T - 1000, requests: 10 }, requests: 10, now: T, wantRate: 0 },
    { name: 'a counter that went backwards has no rate', previous: { t: T - 1000, requests: 10 }, requests: 4, now: T, wantRate: null },
    { name: 'no time passed has no rate', previous: { t: T, requests: 10 }, requests: 12, now: T, wantRate: null },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const s = sampleOf(fakeStatus({ requests: row.requests }), row.now, row.previous);
      assert.equal(s.rate, row.wantRate);
      assert.equal(s.t, row.now);
    });
  }
  test('counts running (starting + ready) and ready apart; draining, unhealthy and stopping are neither', () => {
    const status = fakeStatus({ states: ['ready', 'ready', 'starting', 'draining', 'unhealthy', 'stopping'], windowCount: 33, desired: 4 });
    assert.deepEqual(sampleOf(status, T, undefined), { t: T, count: 33, rate: null, desired: 4, running: 3, ready: 2 });
  });
});

describe('markOf', () => {
  const rows: { name: string; record: LogRecord; owed: number; want: HistoryMark['kind'] | undefined; wantOwed: number }[] = [
    { name: 'unhealthy is a crash and owes a replacement', record: rec(T, 'container.unhealthy', {}, 'abc'), owed: 0, want: 'crash', wantOwed: 1 },
    { name: 'a second crash owes two', record: rec(T, 'container.unhealthy'), owed: 1, want: 'crash', wantOwed: 2 },
    { name: 'a creation that is owed is a replacement', record: rec(T, 'container.created'), owed: 2, want: 'replacement', wantOwed: 1 },
    { name: 'a creation nobody owes is part of a scale-up, not marked', record: rec(T, 'container.created'), owed: 0, want: undefined, wantOwed: 0 },
    { name: 'desired up is a scale-up', record: rec(T, 'scale.decision', { previous: 2, desired: 4 }), owed: 1, want: 'scale-up', wantOwed: 1 },
    { name: 'desired down is a scale-down', record: rec(T, 'scale.decision', { previous: 4, desired: 1 }), owed: 0, want: 'scale-down', wantOwed: 0 },
    { name: 'only the reason changed: no mark', record: rec(T, 'scale.decision', { previous: 3, desired: 3 }), owed: 0, want: undefined, wantOwed: 0 },
    { name: 'a deploy that starts is marked', record: rec(T, 'deploy.started'), owed: 1, want: 'deploy', wantOwed: 1 },
    { name: 'a rolled-back deploy is marked', record: rec(T, 'deploy.rolled_back'), owed: 0, want: 'rollback', wantOwed: 0 },
    { name: 'a succeeded deploy makes no second mark', record: rec(T, 'deploy.succeeded'), owed: 0, want: undefined, wantOwed: 0 },
    { name: 'the first decision (no previous): no mark', record: rec(T, 'scale.decision', { desired: 3 }), owed: 0, want: undefined, wantOwed: 0 },
    { name: 'other events: no mark', record: rec(T, 'container.ready'), owed: 1, want: undefined, wantOwed: 1 },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const { mark, owed } = markOf(row.record, row.owed);
      assert.equal(mark?.kind, row.want);
      assert.equal(owed, row.wantOwed);
      if (mark) {
        assert.equal(mark.t, row.record.time);
        assert.equal(mark.event, row.record.event);
        assert.equal(mark.message, row.record.message);
        assert.equal(mark.container, row.record.container);
      }
    });
  }
});

describe('unseenRecords', () => {
  const a = rec(T, 'a');
  const b = rec(T + 1, 'b');
  const c1 = rec(T + 2, 'c1');
  const c2 = rec(T + 2, 'c2');
  const d = rec(T + 3, 'd');
  const rows: { name: string; newestFirst: LogRecord[]; cursor: EventCursor | undefined; want: string[]; wantCursor: EventCursor | undefined }[] = [
    { name: 'nothing yet', newestFirst: [], cursor: undefined, want: [], wantCursor: undefined },
    { name: 'first read takes all, oldest first', newestFirst: [b, a], cursor: undefined, want: ['a', 'b'], wantCursor: { time: T + 1, seenAtTime: 1 } },
    { name: 'nothing new', newestFirst: [b, a], cursor: { time: T + 1, seenAtTime: 1 }, want: [], wantCursor: { time: T + 1, seenAtTime: 1 } },
    { name: 'newer records only', newestFirst: [d, c2, c1, b, a], cursor: { time: T + 1, seenAtTime: 1 }, want: ['c1', 'c2', 'd'], wantCursor: { time: T + 3, seenAtTime: 1 } },
    { name: 'a second record in the same millisecond', newestFirst: [c2, c1, b], cursor: { time: T + 2, seenAtTime: 1 }, want: ['c2'], wantCursor: { time: T + 2, seenAtTime: 2 } },
    { name: 'the list dropped its oldest entries', newestFirst: [d, c2], cursor: { time: T + 2, seenAtTime: 2 }, want: ['d'], wantCursor: { time: T + 3, seenAtTime: 1 } },
    { name: 'an emptied list keeps the cursor', newestFirst: [], cursor: { time: T, seenAtTime: 1 }, want: [], wantCursor: { time: T, seenAtTime: 1 } },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const { fresh, cursor } = unseenRecords(row.newestFirst, row.cursor);
      assert.deepEqual(
        fresh.map((r) => r.event),
        row.want,
      );
      assert.deepEqual(cursor, row.wantCursor);
    });
  }
});

describe('History', () => {
  test('keeps one sample per record call, oldest first, and only the last span', () => {
    const history = new History({ intervalMs: 1000, spanMs: 5000 });
    for (let i = 0; i < 8; i++) history.record(fakeStatus({ windowCount: i, events: [] }), T + i * 1000);
    const now = T + 7000;
    const snap = history.snapshot(now);
    assert.deepEqual(
      snap.samples.map((s) => s.count),
      [2, 3, 4, 5, 6, 7],
      'samples from now-5s to now',
    );
    assert.equal(snap.intervalMs, 1000);
    assert.equal(snap.spanMs, 5000);
    assert.deepEqual(
      history.snapshot(now + 3000).samples.map((s) => s.count),
      [5, 6, 7],
      'older samples fall out of the span as time passes',
    );
  });

  test('the rings hold no more than span / interval items, however long it runs', () => {
    const history = new History({ intervalMs: 1000, spanMs: 10_000 });
    // Every second: a crash and its replacement, far more marks than slots over time.
    for (let i = 0; i < 100; i++) {
      const t = T + i * 1000;
      history.record(fakeStatus({ events: [rec(t, 'container.created'), rec(t, 'container.unhealthy')] }), t);
    }
    const all = history.snapshot(T + 99_000);
    assert.equal(all.samples.length, 11, 'span / interval + 1: both ends of the span');
    assert.equal(all.marks.length, 11);
    assert.equal(all.samples[0]?.t, T + 89_000, 'the oldest kept is exactly one span old');
    assert.deepEqual(new Set(all.marks.map((m) => m.kind)), new Set(['crash', 'replacement']));
  });

  test('a story: scale-up, crash and replacement are marked once each, at their times', () => {
    const history = new History();
    const events: LogRecord[] = [];
    const at = (s: number): number => T + s * 1000;
    const story: Record<number, LogRecord[]> = {
      2: [rec(at(2) - 300, 'scale.decision', { previous: 1, desired: 3 })],
      3: [rec(at(3) - 500, 'container.created'), rec(at(3) - 400, 'container.created')],
      6: [rec(at(6) - 100, 'container.unhealthy', {}, fakeContainer(2).id)],
      7: [rec(at(7) - 800, 'container.created')],
    };
    for (let s = 0; s < 10; s++) {
      events.unshift(...(story[s] ?? []).slice().reverse());
      history.record(fakeStatus({ events: [...events] }), at(s));
    }
    const marks = history.snapshot(at(9)).marks;
    assert.deepEqual(
      marks.map((m) => [m.kind, m.t]),
      [
        ['scale-up', at(2) - 300],
        ['crash', at(6) - 100],
        ['replacement', at(7) - 800],
      ],
    );
    assert.equal(marks[1]?.container, fakeContainer(2).id);
  });
});
