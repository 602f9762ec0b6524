// Regression for the connection burst that made the orchestrator kill all its healthy
// containers: thousands of connections stalled our own event loop, every probe timed
// out, every container was failed. Here the stall is a deliberate busy loop right after
// the probes are sent, against a real server on port 0 (in this process, so it is
// stalled too, as the proxy and the probes were): real probes, the real lag meter.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { HealthChecker } from '../../src/health/checker.js';
import type { HealthTarget, InconclusiveReason } from '../../src/health/checker.js';
import type { LoopLagMeter } from '../../src/health/loop-lag.js';
import { probeHealth } from '../../src/health/probe.js';
import type { ProbeOptions } from '../../src/health/probe.js';
import type { HealthResult } from '../../src/status.js';

const TIMEOUT_MS = 200;
const STALL_MS = 3 * TIMEOUT_MS;

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // the event loop can do nothing else meanwhile
  }
}

/** A meter that never sees any lag: the checker as it was before the fix. */
const blindMeter: LoopLagMeter = { start() {}, stop() {}, stalledDuring: () => 0, recentMs: () => 0 };

async function withChecker(
  ids: string[],
  lag: LoopLagMeter | undefined,
  body: (t: {
    checker: HealthChecker;
    results: { id: string; result: HealthResult }[];
    inconclusive: { id: string; reason: InconclusiveReason }[];
    until: (what: string, done: () => boolean) => Promise<void>;
    stallOnLaunch: (n: number) => void;
  }) => Promise<void>,
): Promise<void> {
  const server = http.createServer((_req, res) => res.end('{"status":"ok"}'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const targets: HealthTarget[] = ids.map((id) => ({ id, port, phase: 'ready' }));
  const results: { id: string; result: HealthResult }[] = [];
  const inconclusive: { id: string; reason: InconclusiveReason }[] = [];
  const waiters: { done: () => boolean; resolve: () => void }[] = [];
  const wake = () => {
    for (const w of waiters.splice(0)) {
      if (w.done()) w.resolve();
      else waiters.push(w);
    }
  };
  let stallAt = 0;
  let launched = 0;
  const probe = (o: ProbeOptions) => {
    const pending = probeHealth(o); // the request is on its way
    if (stallAt > 0 && ++launched === stallAt) busy(STALL_MS);
    return pending;
  };
  const checker = new HealthChecker({
    targets: () => targets,
    path: '/health',
    intervalMs: 500,
    timeoutMs: TIMEOUT_MS,
    probe,
    ...(lag ? { lag } : {}),
    onResult: (id, result) => {
      results.push({ id, result });
      wake();
    },
    onInconclusive: (id, _r, reason) => {
      inconclusive.push({ id, reason });
      wake();
    },
  });
  try {
    checker.start();
    await body({
      checker,
      results,
      inconclusive,
      until: (_what, done) => (done() ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ done, resolve }))),
      // Stall right after the n-th probe launched from now (the tick launches all of a round together).
      stallOnLaunch: (n) => {
        launched = 0;
        stallAt = n;
      },
    });
  } finally {
    await checker.stop();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const oks = (results: { result: HealthResult }[]) => results.filter((r) => r.result.ok).length;
const failures = (results: { result: HealthResult }[]) => results.filter((r) => !r.result.ok);

describe('a stalled event loop does not fail healthy containers', () => {
  test('control: without the lag measure, the stall fails a healthy container by timeout', { timeout: 10_000 }, async () => {
    await withChecker(['solo'], blindMeter, async ({ results, until, stallOnLaunch }) => {
      await until('first ok', () => oks(results) >= 1);
      const failedBefore = failures(results).length;
      stallOnLaunch(1);
      await until('a failure', () => failures(results).length > failedBefore);
      assert.deepEqual(failures(results).slice(failedBefore).map((r) => r.result.error), ['timeout']);
    });
  });

  test('with it, probes that timed out during the stall are inconclusive: nothing fails, the next round is ok', { timeout: 10_000 }, async () => {
    await withChecker(['x', 'y'], undefined, async ({ checker, results, inconclusive, until, stallOnLaunch }) => {
      await until('first round ok', () => oks(results) >= 2);
      const [okBefore, judgedBefore] = [oks(results), inconclusive.length];
      stallOnLaunch(2);
      await until('both judged', () => inconclusive.length === judgedBefore + 2);
      assert.deepEqual(inconclusive.slice(judgedBefore).map((i) => i.reason), ['event_loop_lag', 'event_loop_lag']);
      assert.equal(oks(results), okBefore, 'the stalled round answered nothing');
      assert.ok(checker.status().eventLoopLagMs >= STALL_MS / 2, `lag seen: ${checker.status().eventLoopLagMs} ms`);
      await until('next round ok', () => oks(results) >= okBefore + 2);
      assert.deepEqual(failures(results), []);
      assert.equal(checker.status().panic, false);
    });
  });

  test('if the stall escapes the lag measure, every ready container timing out together is a panic, not a failure', { timeout: 10_000 }, async () => {
    await withChecker(['x', 'y'], blindMeter, async ({ checker, results, inconclusive, until, stallOnLaunch }) => {
      await until('first round ok', () => oks(results) >= 2);
      const [okBefore, judgedBefore] = [oks(results), inconclusive.length];
      stallOnLaunch(2);
      await until('both judged', () => inconclusive.length === judgedBefore + 2);
      assert.deepEqual(inconclusive.slice(judgedBefore).map((i) => i.reason), ['panic', 'panic']);
      assert.equal(checker.status().panic, true);
      await until('next round ok', () => oks(results) >= okBefore + 2);
      assert.equal(checker.status().panic, false, 'over once they answer');
      assert.deepEqual(failures(results), []);
    });
  });
});
