import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HealthChecker } from '../../src/health/checker.js';
import type { HealthTarget } from '../../src/health/checker.js';
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
  const calls: { port: number; options: ProbeOptions; release: (r: ProbeResult) => void }[] = [];
  const probe = (options: ProbeOptions): Promise<ProbeResult> =>
    new Promise((resolve) => {
      calls.push({ port: options.port, options, release: resolve });
      // A stopped checker aborts its probes; the real probe resolves with 'aborted'.
      options.signal?.addEventListener('abort', () => resolve({ ok: false, error: 'aborted', durationMs: 0 }));
      if (mode === 'instant') resolve(OK);
    });
  const count = (port: number) => calls.filter((c) => c.port === port).length;
  return { probe, calls, count };
}

function setup(targets: HealthTarget[], mode: 'instant' | 'held', extra: { intervalMs?: number; startupIntervalMs?: number } = {}) {
  const clock = new FakeClock();
  const fake = fakeProbe(mode);
  const results: { id: string; result: HealthResult }[] = [];
  const checker = new HealthChecker({
    targets: () => targets,
    path: '/api/v1/_health',
    intervalMs: extra.intervalMs ?? 1000,
    ...(extra.startupIntervalMs !== undefined ? { startupIntervalMs: extra.startupIntervalMs } : {}),
    timeoutMs: 500,
    clock,
    probe: fake.probe,
    onResult: (id, result) => results.push({ id, result }),
  });
  return { clock, checker, results, ...fake };
}

const A: HealthTarget = { id: 'a', port: 1001, phase: 'ready' };
const B: HealthTarget = { id: 'b', port: 1002, phase: 'starting' };

describe('HealthChecker', () => {
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

  test('probeNow shares an in-flight probe', async () => {
    const { clock, checker, calls, results } = setup([A], 'held');
    checker.start();
    const first = checker.probeNow('a');
    const second = checker.probeNow('a');
    assert.equal(calls.length, 1, 'no second probe while one is running');
    calls[0]?.release(OK);
    const [r1, r2] = await Promise.all([first, second]);
    assert.equal(r1, r2);
    assert.equal(r1?.ok, true);
    assert.equal(results.length, 1, 'reported once');
    await run(clock, 0);
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
    const { clock, checker, calls, results } = setup([A, B], 'held');
    checker.start();
    assert.ok(clock.pending >= 2);
    assert.equal(calls.length, 2);
    await checker.stop();
    assert.equal(clock.pending, 0);
    assert.ok(calls.every((c) => c.options.signal?.aborted));
    assert.deepEqual(checker.inFlight, []);
    assert.equal(results.length, 0);
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
