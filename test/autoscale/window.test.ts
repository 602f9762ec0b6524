import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SlidingWindow, WindowOptionsError } from '../../src/autoscale/window.js';

// Window of 1000 ms in 100 ms buckets: slot(t) = floor(t / 100), 10 slots kept.
const T0 = 1_700_000_000_000;

describe('SlidingWindow edges (1000 ms window, 100 ms buckets)', () => {
  const rows: { name: string; records: number[]; at: number; want: number }[] = [
    { name: 'nothing recorded', records: [], at: 0, want: 0 },
    { name: 'counted at the instant it is recorded', records: [0], at: 0, want: 1 },
    { name: 'on a boundary: still counted 1 ms before windowMs', records: [0], at: 999, want: 1 },
    { name: 'on a boundary: gone exactly at windowMs', records: [0], at: 1000, want: 0 },
    { name: 'mid-bucket: gone at the end of its bucket + window (950 ms later)', records: [50], at: 1000, want: 0 },
    { name: 'mid-bucket: counted until then', records: [50], at: 999, want: 1 },
    { name: 'last ms of a bucket expires with that bucket', records: [99, 100], at: 1099, want: 1 },
    { name: 'first ms of the next bucket lives 100 ms longer', records: [99, 100], at: 1000, want: 1 },
    { name: 'many in one bucket', records: [10, 20, 30, 40], at: 500, want: 4 },
    { name: 'spread over the window, oldest expiring', records: [0, 250, 500, 750, 999], at: 1250, want: 3 },
    { name: 'jump far ahead empties it', records: [0, 500, 900], at: 1_000_000, want: 0 },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const w = new SlidingWindow({ windowMs: 1000 });
      for (const t of row.records) w.record(T0 + t);
      assert.equal(w.count(T0 + row.at), row.want, row.name);
    });
  }

  test('counts repeatedly as time passes, expiring bucket by bucket', () => {
    const w = new SlidingWindow({ windowMs: 1000 });
    for (let t = 0; t < 1000; t += 10) w.record(T0 + t); // 10 per bucket
    assert.equal(w.count(T0 + 999), 100);
    assert.equal(w.count(T0 + 1000), 90);
    assert.equal(w.count(T0 + 1099), 90);
    assert.equal(w.count(T0 + 1100), 80);
    assert.equal(w.count(T0 + 1899), 10, 'the last bucket (900..999) lives until 1900');
    assert.equal(w.count(T0 + 1900), 0);
  });

  test('matches a naive model of the rule on random traffic', () => {
    const w = new SlidingWindow({ windowMs: 1000, resolutionMs: 100 });
    const kept: number[] = [];
    let t = T0;
    let seed = 42;
    const rand = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 5000; i++) {
      t += Math.floor(rand() * 60);
      if (rand() < 0.8) {
        w.record(t);
        kept.push(t);
      } else {
        const nowSlot = Math.floor(t / 100);
        const want = kept.filter((r) => nowSlot - Math.floor(r / 100) < 10).length;
        assert.equal(w.count(t), want, `at step ${i}`);
      }
    }
  });
});

describe('SlidingWindow with time going backwards', () => {
  test('a late record inside the window lands in its own bucket', () => {
    const w = new SlidingWindow({ windowMs: 1000 });
    w.record(T0 + 500);
    w.record(T0 + 300); // arrives after 500 but happened earlier
    assert.equal(w.count(T0 + 1299), 2);
    assert.equal(w.count(T0 + 1300), 1, 'the 300 one expires with its own bucket');
    assert.equal(w.count(T0 + 1500), 0);
  });

  test('a record older than the whole window is ignored', () => {
    const w = new SlidingWindow({ windowMs: 1000 });
    w.record(T0 + 2000);
    w.record(T0 + 500);
    assert.equal(w.count(T0 + 2000), 1);
    assert.equal(w.count(T0 + 3000), 0, 'nothing left behind in a reused bucket');
  });

  test('a count slightly behind the newest record neither loses nor double counts', () => {
    const w = new SlidingWindow({ windowMs: 1000 });
    w.record(T0 + 2000);
    w.record(T0 + 2050);
    assert.equal(w.count(T0 + 1950), 2);
    assert.equal(w.count(T0 + 2999), 2);
    assert.equal(w.count(T0 + 3000), 0);
  });

  test('a clock stepped back by more than a window restarts the window', () => {
    const w = new SlidingWindow({ windowMs: 1000 });
    for (let i = 0; i < 3; i++) w.record(T0 + 10_000);
    assert.equal(w.count(T0 + 10_000), 3);
    assert.equal(w.count(T0 + 5000), 0);
    w.record(T0 + 5000);
    w.record(T0 + 5500);
    assert.equal(w.count(T0 + 5999), 2);
    assert.equal(w.count(T0 + 6000), 1);
    assert.equal(w.count(T0 + 6500), 0);
  });

  test('non-finite timestamps are ignored', () => {
    const w = new SlidingWindow({ windowMs: 1000 });
    w.record(T0);
    w.record(Number.NaN);
    w.record(Number.POSITIVE_INFINITY);
    assert.equal(w.count(Number.NaN), 1);
    assert.equal(w.count(T0 + 1), 1);
  });
});

describe('SlidingWindow options', () => {
  test('a window that is not a multiple of the resolution rounds up to whole buckets', () => {
    const w = new SlidingWindow({ windowMs: 250, resolutionMs: 100 });
    assert.equal(w.bucketCount, 3);
    w.record(T0);
    assert.equal(w.count(T0 + 299), 1);
    assert.equal(w.count(T0 + 300), 0);
  });

  test('a resolution longer than the window is cut to the window', () => {
    const w = new SlidingWindow({ windowMs: 50 });
    assert.equal(w.bucketCount, 1);
    assert.equal(w.resolutionMs, 50);
    w.record(T0);
    assert.equal(w.count(T0 + 49), 1);
    assert.equal(w.count(T0 + 50), 0);
  });

  const bad: { name: string; windowMs: number; resolutionMs?: number }[] = [
    { name: 'zero window', windowMs: 0 },
    { name: 'negative window', windowMs: -1000 },
    { name: 'NaN window', windowMs: Number.NaN },
    { name: 'zero resolution', windowMs: 1000, resolutionMs: 0 },
    { name: 'infinite resolution', windowMs: 1000, resolutionMs: Number.POSITIVE_INFINITY },
  ];
  for (const row of bad) {
    test(`rejects ${row.name}`, () => {
      assert.throws(
        () => new SlidingWindow(row.resolutionMs === undefined ? { windowMs: row.windowMs } : { windowMs: row.windowMs, resolutionMs: row.resolutionMs }),
        (e: unknown) => e instanceof WindowOptionsError && e.code === 'WINDOW_OPTIONS_INVALID' && /milliseconds/.test(e.message),
      );
    });
  }
});

describe('SlidingWindow memory', () => {
  test('10 million records keep memory flat and the bucket array fixed', () => {
    const w = new SlidingWindow({ windowMs: 30_000 });
    const buckets = w.bucketCount;
    assert.equal(buckets, 300);
    // Warm up so JIT and first allocations are not counted as growth.
    for (let i = 0; i < 100_000; i++) w.record(T0 + i);
    const before = process.memoryUsage().heapUsed;
    // 10M requests over ~83 minutes: ~2000 req/s, each timestamp distinct.
    let t = T0 + 100_000;
    let maxCount = 0;
    for (let i = 0; i < 10_000_000; i++) {
      t += 0.5;
      w.record(t);
      if (i % 1_000_000 === 0) maxCount = Math.max(maxCount, w.count(t));
    }
    const growth = process.memoryUsage().heapUsed - before;
    assert.equal(w.bucketCount, buckets);
    assert.ok(growth < 5 * 1024 * 1024, `heap grew by ${(growth / 1024 / 1024).toFixed(1)} MB`);
    // t is on a bucket boundary: 299 full buckets of 200 plus the one record at t.
    assert.equal(w.count(t), 299 * 200 + 1);
    assert.ok(maxCount <= 60_000, `never more than 30 s of traffic, saw ${maxCount}`);
  });
});
