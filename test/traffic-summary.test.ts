import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventLogger } from '../src/log.js';
import type { LogRecord } from '../src/log.js';
import { NO_TRAFFIC, SUMMARY_INTERVAL_MS, TrafficSummaryLoop, TrafficTally, trafficSummary } from '../src/traffic-summary.js';
import type { TrafficCounts } from '../src/traffic-summary.js';
import { FakeClock } from './helpers/fake-clock.js';

const counts = (over: Partial<TrafficCounts>): TrafficCounts => ({ ...NO_TRAFFIC, ...over });

describe('trafficSummary', () => {
  const rows: { name: string; previous: TrafficCounts; current: TrafficCounts; periodMs: number; want: string | null }[] = [
    { name: 'nothing happened: no line', previous: NO_TRAFFIC, current: NO_TRAFFIC, periodMs: 60_000, want: null },
    {
      name: 'nothing happened since the last reading, however much before: no line',
      previous: counts({ requests: 500, clientAborted: 3 }),
      current: counts({ requests: 500, clientAborted: 3 }),
      periodMs: 60_000,
      want: null,
    },
    { name: 'only successful requests: count and rate', previous: NO_TRAFFIC, current: counts({ requests: 1200 }), periodMs: 60_000, want: 'last 60 s: 1200 requests, 20.0/s' },
    { name: 'one request, singular', previous: NO_TRAFFIC, current: counts({ requests: 1 }), periodMs: 60_000, want: 'last 60 s: 1 request, 0.0/s' },
    {
      name: '499s and 5xx are named, as differences since the last reading',
      previous: counts({ requests: 100, clientAborted: 2, serverErrors: 1 }),
      current: counts({ requests: 160, clientAborted: 9, serverErrors: 4 }),
      periodMs: 60_000,
      want: 'last 60 s: 60 requests, 1.0/s; 3 answered 5xx; 7 closed by the client first (499)',
    },
    {
      name: 'retries and waits for a ready container',
      previous: NO_TRAFFIC,
      current: counts({ requests: 30, retries: 1, queueServed: 5, queueTimedOut: 2, queueRejected: 4 }),
      periodMs: 30_000,
      want: 'last 30 s: 30 requests, 1.0/s; 1 retry; 7 waited for a ready container (2 gave up); 4 refused: wait queue full',
    },
    {
      name: 'a retry alone is worth a line',
      previous: counts({ requests: 10 }),
      current: counts({ requests: 10, retries: 2 }),
      periodMs: 60_000,
      want: 'last 60 s: 0 requests, 0.0/s; 2 retries',
    },
    { name: 'a zero-length period (stop right after start) has no rate', previous: NO_TRAFFIC, current: counts({ requests: 2 }), periodMs: 0, want: 'last 0 s: 2 requests' },
  ];
  for (const row of rows) {
    test(row.name, () => assert.equal(trafficSummary(row.previous, row.current, row.periodMs)?.message ?? null, row.want));
  }

  test('the fields carry the same differences and the period', () => {
    const s = trafficSummary(counts({ requests: 5 }), counts({ requests: 8, clientAborted: 1 }), 1500);
    assert.deepEqual(s?.fields, { requests: 3, serverErrors: 0, clientAborted: 1, retries: 0, queueServed: 0, queueTimedOut: 0, queueRejected: 0, periodMs: 1500 });
  });
});

describe('TrafficTally', () => {
  test('counts each outcome once, a 499 never as a 5xx', () => {
    const t = new TrafficTally();
    t.requestDone(200, false);
    t.requestDone(503, false);
    t.requestDone(502, true); // the client left first: 499, whatever status the proxy noted
    t.requestDone(0, true);
    t.retry();
    t.queueWait('served');
    t.queueWait('timeout');
    t.queueWait('rejected');
    t.queueWait('rejected');
    assert.deepEqual(t.counts, { requests: 4, serverErrors: 1, clientAborted: 2, retries: 1, queueServed: 1, queueTimedOut: 1, queueRejected: 2 });
  });

  test('counts is a snapshot', () => {
    const t = new TrafficTally();
    const before = t.counts;
    t.requestDone(200, false);
    assert.equal(before.requests, 0);
  });
});

describe('TrafficSummaryLoop', () => {
  function setup() {
    const clock = new FakeClock();
    const tally = new TrafficTally();
    const records: LogRecord[] = [];
    const loop = new TrafficSummaryLoop({ clock, logger: new EventLogger({ now: () => clock.now(), sinks: [(r) => records.push(r)] }), read: () => tally.counts });
    return { clock, tally, records, loop };
  }

  test('one info line per interval in which anything happened, none for quiet ones', () => {
    const { clock, tally, records, loop } = setup();
    loop.start();
    tally.requestDone(200, false);
    tally.requestDone(200, true);
    clock.advance(SUMMARY_INTERVAL_MS - 1);
    assert.equal(records.length, 0, 'not before the interval');
    clock.advance(1);
    assert.deepEqual(
      records.map((r) => [r.level, r.event, r.message]),
      [['info', 'proxy.summary', 'last 60 s: 2 requests, 0.0/s; 1 closed by the client first (499)']],
    );
    clock.advance(SUMMARY_INTERVAL_MS); // quiet
    assert.equal(records.length, 1);
    tally.retry();
    clock.advance(SUMMARY_INTERVAL_MS);
    assert.equal(records.length, 2);
    assert.equal(records[1]?.message, 'last 60 s: 0 requests, 0.0/s; 1 retry');
    loop.stop();
  });

  test('stop() logs the partial last period and cancels the timer', () => {
    const { clock, tally, records, loop } = setup();
    loop.start();
    clock.advance(10_000);
    tally.requestDone(502, false);
    loop.stop();
    assert.equal(records.at(-1)?.message, 'last 10 s: 1 request, 0.1/s; 1 answered 5xx');
    assert.equal(clock.pending, 0);
    loop.stop();
    assert.equal(records.length, 1, 'a second stop() logs nothing');
  });

  test('counts from before start() are not reported', () => {
    const { clock, tally, records, loop } = setup();
    tally.requestDone(200, false);
    loop.start();
    clock.advance(SUMMARY_INTERVAL_MS);
    assert.equal(records.length, 0);
    loop.stop();
  });
});
