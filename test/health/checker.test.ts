import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HealthChecker } from '../../src/health/checker.js';
import type { HealthTarget, InconclusiveReason } from '../../src/health/checker.js';
import type { LoopLagMeter } from '../../src/health/loop-lag.js';
import { PANIC_RELEASE_ROUNDS } from '../../src/health/panic.js';
import type { ProbeOptions, ProbeResult } from '../../src/health/probe.js';
import { EventLogger } from '../../src/log.js';
import type { LogRecord } from '../../src/log.js';
import type { HealthResult } from '../../src/status.js';
import { FakeClock } from '../helpers/fake-clock.js';

/**
 * Moves the fake clock in 50 ms steps, letting probe promises settle between timers
 * (one big advance would fire every tick before any probe could finish).
 */
async function run(clock: FakeClock, ms: number): Promise<void> {
  for (let done = 0; done < ms; done += 50) await clock.tick(Math.min(50, ms - done));
  if (ms === 0) await clock.tick(0);
}

const OK: ProbeResult = { ok: true, status: 200, durationMs: 3 };

/** A probe the test controls: 'instant' answers at once, 'held' waits for release(). */
function fakeProbe(mode: 'instant' | 'held') {
  const calls: { port: number; options: ProbeOptions; release: (r: ProbeResult) => void; released?: boolean }[] = [];
  const probe = (options: ProbeOptions): Promise<ProbeResult> =>
    new Promise((resolve) => {
      // A stopped checker aborts its probes; the real probe resolves with 'aborted' and drops its listener.
      const onAbort = () => settle({ ok: false, error: 'aborted', durationMs: 0 });
      const settle = (r: ProbeResult) => {
        options.signal?.removeEventListener('abort', onAbort);
        resolve(r);
      };
      calls.push({ port: options.port, options, release: settle });
      options.signal?.addEventListener('abort', onAbort);
      if (mode === 'instant') settle(OK);
    });
  const count = (port: number) => calls.filter((c) => c.port === port).length;
  return { probe, calls, count };
}

/** A lag meter the test sets: `stalled` is what the next question gets; every window asked is kept. */
function fakeLag() {
  const asked: [number, number][] = [];
  const meter: LoopLagMeter & { stalled: number; recent: number; running: boolean } = {
    stalled: 0,
    recent: 0,
    running: false,
    start() {
      meter.running = true;
    },
    stop() {
      meter.running = false;
    },
    stalledDuring(from: number, to: number) {
      asked.push([from, to]);
      return meter.stalled;
    },
    recentMs: () => meter.recent,
  };
  return { meter, asked };
}

function setup(targets: HealthTarget[], mode: 'instant' | 'held', extra: { intervalMs?: number; startupIntervalMs?: number } = {}) {
  const clock = new FakeClock();
  const fake = fakeProbe(mode);
  const lag = fakeLag();
  const results: { id: string; result: HealthResult }[] = [];
  const inconclusive: { id: string; reason: InconclusiveReason }[] = [];
  const records: LogRecord[] = [];
  const checker = new HealthChecker({
    targets: () => targets,
    path: '/api/v1/_health',
    intervalMs: extra.intervalMs ?? 1000,
    ...(extra.startupIntervalMs !== undefined ? { startupIntervalMs: extra.startupIntervalMs } : {}),
    timeoutMs: 500,
    clock,
    probe: fake.probe,
    lag: lag.meter,
    logger: new EventLogger({ level: 'debug', now: () => clock.now(), sinks: [(r) => records.push(r)] }),
    onResult: (id, result) => results.push({ id, result }),
    onInconclusive: (id, _result, reason) => inconclusive.push({ id, reason }),
  });
  /** The probes of this port still waiting for release(). */
  const open = (port: number) => fake.calls.filter((c) => c.port === port && !c.released);
  /** Releases the oldest open probe of `port`. */
  const release = (port: number, r: ProbeResult) => {
    const call = open(port)[0];
    assert.ok(call, `a probe of ${port} is running`);
    call.released = true;
    call.release(r);
  };
  const events = (name: string) => records.filter((r) => r.event === name);
  return { clock, checker, results, inconclusive, lag, records, events, release, open, ...fake };
}

const TIMEOUT: ProbeResult = { ok: false, error: 'timeout', durationMs: 500 };

const A: HealthTarget = { id: 'a', port: 1001, phase: 'ready' };
const B: HealthTarget = { id: 'b', port: 1002, phase: 'starting' };

describe('HealthChecker', () => {
  test('many containers probed at once give each probe a signal of its own (no MaxListenersExceededWarning)', async () => {
    const targets = Array.from({ length: 15 }, (_, i): HealthTarget => ({ id: `c${i}`, port: 2000 + i, phase: 'ready' }));
    const { checker, calls } = setup(targets, 'held');
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      checker.start();
      assert.equal(calls.length, 15);
      assert.equal(new Set(calls.map((c) => c.options.signal)).size, 15, 'one signal per probe');
      await checker.stop();
      assert.ok(calls.every((c) => c.options.signal?.aborted), 'stop() aborts every running probe');
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
      assert.deepEqual(warnings.filter((w) => w.name === 'MaxListenersExceededWarning'), []);
    } finally {
      process.off('warning', onWarning);
    }
  });

  test('probes ready targets every intervalMs and starting ones every startupIntervalMs (default 250)', async () => {
    const { clock, checker, count, results, calls } = setup([A, B], 'instant');
    checker.start();
    assert.deepEqual([count(1001), count(1002)], [1, 1], 'both probed at once on start');
    await run(clock, 999);
    assert.deepEqual([count(1001), count(1002)], [1, 4]);
    await run(clock, 1);
    assert.deepEqual([count(1001), count(1002)], [2, 5]);
    await run(clock, 1000);
    assert.deepEqual([count(1001), count(1002)], [3, 9]);
    assert.equal(results.length, 12, 'every result reported');
    assert.deepEqual(calls[0]?.options.path, '/api/v1/_health');
    assert.equal(calls[0]?.options.host, '127.0.0.1');
    assert.equal(calls[0]?.options.timeoutMs, 500);
    await checker.stop();
  });

  test('startupIntervalMs defaults to intervalMs when that is shorter, and can be set', async () => {
    const short = setup([B], 'instant', { intervalMs: 100 });
    short.checker.start();
    await run(short.clock, 1000);
    assert.equal(short.count(1002), 11);
    await short.checker.stop();

    const custom = setup([B], 'instant', { startupIntervalMs: 500 });
    custom.checker.start();
    await run(custom.clock, 1000);
    assert.equal(custom.count(1002), 3);
    await custom.checker.stop();
  });

  test('a target whose phase changes moves to the other cadence', async () => {
    const target = { id: 'c', port: 1003, phase: 'starting' as HealthTarget['phase'] };
    const { clock, checker, count } = setup([target], 'instant');
    checker.start();
    await run(clock, 500);
    assert.equal(count(1003), 3);
    target.phase = 'ready';
    await run(clock, 499); // starting ticks find nothing; ready tick not due until 1000
    assert.equal(count(1003), 3);
    await run(clock, 1);
    assert.equal(count(1003), 4);
    await checker.stop();
  });

  test('a slow probe is not doubled: ticks skip the target until it finishes', async () => {
    const { clock, checker, calls, count, results } = setup([A], 'held');
    checker.start();
    await run(clock, 5000);
    assert.equal(count(1001), 1);
    assert.deepEqual(checker.inFlight, ['a']);
    calls[0]?.release({ ok: false, error: 'timeout', durationMs: 500 });
    await run(clock, 0);
    assert.equal(results.length, 1);
    assert.deepEqual(checker.inFlight, []);
    await run(clock, 1000);
    assert.equal(count(1001), 2, 'probed again on the next tick');
    await checker.stop();
  });

  test('a result is stamped with the clock at completion', async () => {
    const { clock, checker, calls, results } = setup([A], 'held');
    checker.start();
    await run(clock, 300);
    calls[0]?.release({ ok: true, status: 200, durationMs: 300 });
    await run(clock, 0);
    assert.deepEqual(results[0], { id: 'a', result: { time: clock.now(), ok: true, status: 200, durationMs: 300 } });
    await checker.stop();
  });

  test('probeNow probes at once when nothing is running, and ignores unknown ids', async () => {
    const { clock, checker, count, results } = setup([A], 'instant');
    checker.start();
    await run(clock, 100);
    assert.equal(count(1001), 1);
    const r = await checker.probeNow('a');
    assert.equal(count(1001), 2);
    assert.equal(r?.ok, true);
    assert.equal(results.length, 2);
    assert.equal(await checker.probeNow('nope'), undefined);
    await checker.stop();
    assert.equal(await checker.probeNow('a'), undefined, 'a stopped checker probes nothing');
  });

  test('stop() clears the timers, aborts running probes, waits for them and reports nothing after', async () => {
    const { clock, checker, calls, results, lag } = setup([A, B], 'held');
    checker.start();
    assert.equal(lag.meter.running, true, 'the lag meter runs with the checker');
    assert.equal(clock.pending, 2, 'one timer per cadence');
    assert.equal(calls.length, 2);
    await checker.stop();
    assert.equal(clock.pending, 0);
    assert.ok(calls.every((c) => c.options.signal?.aborted));
    assert.deepEqual(checker.inFlight, []);
    assert.equal(results.length, 0);
    assert.equal(lag.meter.running, false, 'the lag meter stops with the checker');
    await run(clock, 10_000);
    assert.equal(calls.length, 2, 'no probe after stop');
  });

  test('start() after stop() works again', async () => {
    const { clock, checker, count } = setup([A], 'instant');
    checker.start();
    await checker.stop();
    checker.start();
    await run(clock, 1000);
    assert.equal(count(1001), 3);
    await checker.stop();
  });

  test('a throwing onResult or a rejecting probe does not stop the loop', async () => {
    const clock = new FakeClock();
    const records: LogRecord[] = [];
    const seen: HealthResult[] = [];
    const checker = new HealthChecker({
      targets: () => [A],
      path: '/h',
      intervalMs: 1000,
      timeoutMs: 100,
      clock,
      logger: new EventLogger({ sinks: [(r) => records.push(r)] }),
      probe: () => Promise.reject(new Error('boom')),
      onResult: (_id, result) => {
        seen.push(result);
        throw new Error('owner failed');
      },
    });
    checker.start();
    await run(clock, 2000);
    await checker.stop();
    assert.equal(seen.length, 3);
    assert.deepEqual({ ok: seen[0]?.ok, error: seen[0]?.error }, { ok: false, error: 'boom' });
    assert.equal(records.filter((r) => r.event === 'health.callback_failed').length, 3);
  });
});

describe('HealthChecker: probeNow', () => {
  test('a probe that began before the call does not count if it succeeded: it is awaited, then a fresh one decides', async () => {
    const { clock, checker, calls, results, release } = setup([A], 'held');
    checker.start(); // the tick's probe is running
    let settled: HealthResult | undefined | 'pending' = 'pending';
    void checker.probeNow('a').then((r) => (settled = r));
    await run(clock, 0);
    assert.equal(calls.length, 1, 'one probe at a time: no second probe while the first runs');
    release(1001, OK); // began before the crash the caller saw
    await run(clock, 0);
    assert.equal(settled, 'pending', 'the earlier success is not the answer');
    assert.equal(calls.length, 2, 'a fresh probe started');
    release(1001, { ok: false, status: 500, durationMs: 2 });
    await run(clock, 0);
    assert.deepEqual(settled, { time: clock.now(), ok: false, status: 500, durationMs: 2 });
    assert.deepEqual(results.map((r) => r.result.status), [200, 500], 'both reported');
    await checker.stop();
  });

  test('a failure reported by the running probe stands: no second probe', async () => {
    const { clock, checker, calls, release } = setup([A], 'held');
    checker.start();
    const pending = checker.probeNow('a');
    release(1001, { ok: false, error: 'ECONNREFUSED', durationMs: 1 });
    const r = await pending;
    assert.deepEqual({ ok: r?.ok, error: r?.error }, { ok: false, error: 'ECONNREFUSED' });
    await run(clock, 0);
    assert.equal(calls.length, 1);
    await checker.stop();
  });

  test('callers that ask together share the fresh probe', async () => {
    const { clock, checker, calls, results, release } = setup([A], 'held');
    checker.start();
    const first = checker.probeNow('a');
    const second = checker.probeNow('a');
    release(1001, OK);
    await run(clock, 0);
    assert.equal(calls.length, 2, 'one fresh probe for both callers');
    const third = checker.probeNow('a'); // asked while the fresh probe runs: it began before, so not shared
    release(1001, { ok: false, status: 503, durationMs: 1 });
    const [r1, r2, r3] = await Promise.all([first, second, third]);
    assert.equal(r1, r2);
    assert.equal(r1?.status, 503);
    assert.equal(r3, r1, 'a failure that began before the third call stands for it too');
    assert.equal(results.length, 2);
    await checker.stop();
  });

  test('a fresh probe that times out while our loop lags answers undefined: nothing confirmed', async () => {
    const { clock, checker, lag, results, inconclusive, release } = setup([A], 'held');
    checker.start();
    release(1001, OK);
    await run(clock, 0);
    const pending = checker.probeNow('a');
    lag.meter.stalled = 400;
    await run(clock, 500);
    release(1001, TIMEOUT);
    assert.equal(await pending, undefined);
    assert.deepEqual(inconclusive, [{ id: 'a', reason: 'event_loop_lag' }]);
    assert.equal(results.length, 1, 'only the first, ok, result');
    await checker.stop();
  });
});

describe('HealthChecker: timeouts that say nothing about the container', () => {
  const A2: HealthTarget = { id: 'a2', port: 2002, phase: 'ready' };
  const A3: HealthTarget = { id: 'a3', port: 2003, phase: 'ready' };

  test('a timeout while our event loop was stalled is not reported; the container is probed again next interval', async () => {
    const { clock, checker, lag, results, inconclusive, release, count } = setup([A], 'held');
    const t0 = clock.now();
    checker.start();
    lag.meter.stalled = 250; // half the 500 ms timeout
    await run(clock, 500);
    release(1001, TIMEOUT);
    await run(clock, 0);
    assert.deepEqual(lag.asked, [[t0, t0 + 500]], 'asked about the probe\'s own lifetime');
    assert.equal(results.length, 0);
    assert.deepEqual(inconclusive, [{ id: 'a', reason: 'event_loop_lag' }]);
    await run(clock, 500);
    assert.equal(count(1001), 2, 'probed again at the next interval');
    lag.meter.stalled = 249; // just under half: the timeout is the container's
    release(1001, TIMEOUT);
    await run(clock, 0);
    assert.deepEqual(results.map((r) => r.result.error), ['timeout']);
    await checker.stop();
  });

  test('a non-200 answer and a refused connection are reported at once, however much we lag', async () => {
    const { clock, checker, lag, results, inconclusive, release } = setup([A, A2], 'held');
    checker.start();
    lag.meter.stalled = 10_000;
    release(1001, { ok: false, status: 500, durationMs: 1 });
    await run(clock, 0);
    assert.deepEqual(results.map((r) => [r.id, r.result.status]), [['a', 500]], 'reported before the round is complete');
    release(2002, { ok: false, error: 'ECONNREFUSED', durationMs: 1 });
    await run(clock, 0);
    assert.deepEqual(results.map((r) => r.id), ['a', 'a2']);
    await run(clock, 1000);
    release(1001, { ok: false, status: 503, error: 'timeout', durationMs: 500 }); // answered 503, then its body stalled
    await run(clock, 0);
    assert.deepEqual(results.map((r) => [r.id, r.result.status]), [['a', 500], ['a2', undefined], ['a', 503]]);
    assert.deepEqual(inconclusive, []);
    await checker.stop();
  });

  test('a lone ready container that times out with no lag of ours fails (no panic with one)', async () => {
    const { clock, checker, results, release, events } = setup([A], 'held');
    checker.start();
    await run(clock, 500);
    release(1001, TIMEOUT);
    await run(clock, 0);
    assert.deepEqual(results.map((r) => r.result.error), ['timeout']);
    assert.equal(checker.status().panic, false);
    assert.equal(events('health.panic').length, 0);
    await checker.stop();
  });

  test('every ready container timing out in one round: none fails, panic is logged once and shown in status', async () => {
    const { clock, checker, results, inconclusive, release, events } = setup([A, A2, A3], 'held');
    checker.start();
    await run(clock, 500);
    release(1001, TIMEOUT);
    release(2002, TIMEOUT);
    await run(clock, 0);
    assert.equal(results.length, 0, 'timeouts wait for the rest of their round');
    release(2003, TIMEOUT);
    await run(clock, 0);
    assert.equal(results.length, 0, 'kept in rotation');
    assert.deepEqual(inconclusive.map((i) => i.reason), ['panic', 'panic', 'panic']);
    const panicAt = clock.now();
    assert.deepEqual(checker.status(), { panic: true, since: panicAt, eventLoopLagMs: 0 });
    assert.equal(events('health.panic').length, 1);
    assert.equal(events('health.panic')[0]?.level, 'warn');
    await run(clock, 500); // next round
    for (const port of [1001, 2002, 2003]) release(port, TIMEOUT);
    await run(clock, 0);
    assert.equal(results.length, 0);
    assert.equal(events('health.panic').length, 1, 'logged once, when it starts');
    assert.equal(checker.status().since, panicAt);
    await checker.stop();
  });

  test('the panic ends when a container answers; the others\' timeouts then fail', async () => {
    const { clock, checker, results, release, events } = setup([A, A2], 'held');
    checker.start();
    await run(clock, 500);
    release(1001, TIMEOUT);
    release(2002, TIMEOUT);
    await run(clock, 0);
    assert.equal(checker.status().panic, true);
    await run(clock, 500);
    release(1001, OK);
    release(2002, TIMEOUT);
    await run(clock, 0);
    assert.deepEqual(results.map((r) => [r.id, r.result.ok]), [['a', true], ['a2', false]]);
    assert.equal(checker.status().panic, false);
    const ended = events('health.panic_ended');
    assert.equal(ended.length, 1);
    assert.deepEqual({ reason: ended[0]?.fields?.['reason'], durationMs: ended[0]?.fields?.['durationMs'] }, { reason: 'answered', durationMs: 500 });
    await checker.stop();
  });

  test(`the panic is bounded: after ${PANIC_RELEASE_ROUNDS} rounds of timeouts with no lag of ours, the failures go through`, async () => {
    const { clock, checker, results, release, events } = setup([A, A2], 'held');
    checker.start();
    for (let round = 1; round <= PANIC_RELEASE_ROUNDS; round++) {
      if (round > 1) await run(clock, 1000);
      assert.equal(results.length, 0, `nothing failed before round ${round}`);
      release(1001, TIMEOUT);
      release(2002, TIMEOUT);
      await run(clock, 0);
    }
    assert.deepEqual(results.map((r) => [r.id, r.result.error]), [['a', 'timeout'], ['a2', 'timeout']]);
    assert.equal(checker.status().panic, false);
    assert.equal(events('health.panic_ended')[0]?.fields?.['reason'], 'released');
    await checker.stop();
  });

  test('rounds where our loop lagged do not count towards the bound', async () => {
    const { clock, checker, lag, results, release } = setup([A, A2], 'held');
    checker.start();
    for (let round = 1; round <= PANIC_RELEASE_ROUNDS + 2; round++) {
      if (round > 1) await run(clock, 1000);
      lag.meter.stalled = round % 2 === 0 ? 300 : 0; // every other round, one probe sees our lag
      release(1001, TIMEOUT);
      await run(clock, 0);
      lag.meter.stalled = 0;
      release(2002, TIMEOUT);
      await run(clock, 0);
    }
    assert.equal(results.length, 0);
    assert.equal(checker.status().panic, true);
    await checker.stop();
  });

  test('during a panic a probeNow timeout is not reported either', async () => {
    const { clock, checker, results, inconclusive, release } = setup([A, A2], 'held');
    checker.start();
    release(1001, TIMEOUT);
    release(2002, TIMEOUT);
    await run(clock, 0);
    assert.equal(checker.status().panic, true);
    const pending = checker.probeNow('a');
    await run(clock, 0);
    release(1001, TIMEOUT);
    assert.equal(await pending, undefined);
    assert.equal(results.length, 0);
    assert.equal(inconclusive.length, 3);
    await checker.stop();
  });

  test('a throwing onInconclusive is logged and does not stop the loop', async () => {
    const clock = new FakeClock();
    const records: LogRecord[] = [];
    let calls = 0;
    const checker = new HealthChecker({
      targets: () => [A],
      path: '/h',
      intervalMs: 1000,
      timeoutMs: 100,
      clock,
      lag: { start() {}, stop() {}, stalledDuring: () => 1000, recentMs: () => 0 },
      logger: new EventLogger({ sinks: [(r) => records.push(r)] }),
      probe: () => Promise.resolve(TIMEOUT),
      onResult: () => assert.fail('nothing is reported'),
      onInconclusive: () => {
        calls++;
        throw new Error('metrics failed');
      },
    });
    checker.start();
    await run(clock, 2000);
    await checker.stop();
    assert.equal(calls, 3);
    assert.equal(records.filter((r) => r.event === 'health.callback_failed').length, 3);
  });

  test('status() reports the meter\'s recent lag', () => {
    const { checker, lag } = setup([A], 'held');
    lag.meter.recent = 1234;
    assert.equal(checker.status().eventLoopLagMs, 1234);
  });
});
