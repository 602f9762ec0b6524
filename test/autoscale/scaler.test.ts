import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Scaler, ScalerOptionsError } from '../../src/autoscale/scaler.js';
import { SlidingWindow } from '../../src/autoscale/window.js';
import { TumblingWindow } from '../../src/autoscale/tumbling.js';
import { EventLogger } from '../../src/log.js';
import type { LogRecord } from '../../src/log.js';
import type { ScaleDecision } from '../../src/status.js';
import { FakeClock } from '../helpers/fake-clock.js';

function setup(mode: 'sliding' | 'tumbling', extra: { min?: number; max?: number; windowMs?: number; scaleDownDelayMs?: number } = {}) {
  const clock = new FakeClock();
  const records: LogRecord[] = [];
  const logger = new EventLogger({ level: 'debug', sinks: [(r) => records.push(r)], now: () => clock.now() });
  const windowMs = extra.windowMs ?? 10_000;
  const window = mode === 'sliding' ? new SlidingWindow({ windowMs }) : new TumblingWindow({ windowMs });
  const decisions: { at: number; decision: ScaleDecision }[] = [];
  const scaler = new Scaler({
    mode,
    window,
    base: 20,
    min: extra.min ?? 1,
    max: extra.max ?? 5,
    ...(extra.scaleDownDelayMs !== undefined ? { scaleDownDelayMs: extra.scaleDownDelayMs } : {}),
    clock,
    logger,
    onDecision: (decision) => decisions.push({ at: clock.now(), decision }),
  });
  const logged = () => records.filter((r) => r.event === 'scale.decision').map((r) => r.fields);
  const recordN = (n: number) => {
    for (let i = 0; i < n; i++) window.record(clock.now());
  };
  return { clock, window, scaler, decisions, records, logged, recordN };
}

describe('Scaler, sliding mode', () => {
  test('decides at start and every interval, following records as they arrive and expire', () => {
    const { clock, scaler, decisions, recordN } = setup('sliding');
    scaler.start();
    assert.equal(decisions.length, 1, 'decides at once on start');
    assert.equal(scaler.lastDecision.replicas, 1);

    recordN(45);
    clock.advance(999);
    assert.equal(scaler.lastDecision.replicas, 1, 'no tick yet');
    clock.advance(1);
    assert.deepEqual(scaler.lastDecision, { replicas: 3, reason: 'Rule', proposed: 3, count: 45 });
    assert.equal(decisions.length, 2);

    clock.advance(8000); // t = 9000: records from t = 0 still in the 10 s window
    assert.equal(scaler.lastDecision.replicas, 3);
    clock.advance(1000); // t = 10000: they expire
    assert.deepEqual(scaler.lastDecision, { replicas: 1, reason: 'Rule', proposed: 1, count: 0 });
    assert.equal(decisions.length, 11, 'onDecision every tick');
    scaler.stop();
  });

  test('logs scale.decision only when replicas or reason change', () => {
    const { clock, scaler, logged, recordN } = setup('sliding', { max: 2 });
    scaler.start();
    clock.advance(3000);
    recordN(20);
    clock.advance(3000); // 2 replicas, Rule
    recordN(20);
    clock.advance(3000); // 40 → proposed 3, capped at 2: same replicas, new reason
    clock.advance(20_000); // the first 20 expire, then the rest
    scaler.stop();
    assert.deepEqual(logged(), [
      { count: 0, desired: 1, proposed: 1, reason: 'Rule' },
      { count: 20, desired: 2, proposed: 2, reason: 'Rule', previous: 1 },
      { count: 40, desired: 2, proposed: 3, reason: 'TooManyReplicas', previous: 2 },
      { count: 20, desired: 2, proposed: 2, reason: 'Rule', previous: 2 }, // the first 20 expire
      { count: 0, desired: 1, proposed: 1, reason: 'Rule', previous: 2 },
    ]);
  });

  test('stop() clears the timer and start() resumes', () => {
    const { clock, scaler, decisions } = setup('sliding');
    scaler.start();
    scaler.start(); // a second start does not add a second timer
    assert.equal(clock.pending, 1);
    scaler.stop();
    assert.equal(clock.pending, 0);
    clock.advance(10_000);
    assert.equal(decisions.length, 1);
    scaler.start();
    assert.equal(decisions.length, 2);
    scaler.stop();
  });

  test('a throwing onDecision is logged and the loop keeps going', () => {
    const clock = new FakeClock();
    const records: LogRecord[] = [];
    let calls = 0;
    const scaler = new Scaler({
      mode: 'sliding',
      window: new SlidingWindow({ windowMs: 1000 }),
      base: 20,
      min: 1,
      max: 5,
      clock,
      logger: new EventLogger({ sinks: [(r) => records.push(r)] }),
      onDecision: () => {
        calls++;
        throw new Error('owner busy');
      },
    });
    scaler.start();
    clock.advance(3000);
    scaler.stop();
    assert.equal(calls, 4);
    assert.equal(records.filter((r) => r.event === 'scale.callback_failed').length, 4);
  });

  test('evaluate(now) is one step on its own', () => {
    const { window, scaler, decisions } = setup('sliding');
    window.record(1000);
    window.record(1000);
    assert.equal(scaler.evaluate(1000).count, 2);
    assert.equal(scaler.evaluate(20_000).count, 0);
    assert.equal(decisions.length, 2);
  });
});

describe('Scaler, tumbling mode', () => {
  test('holds the minimum until the first window ends, then decides only at window ends', () => {
    const { clock, scaler, decisions, recordN, logged } = setup('tumbling', { min: 2, windowMs: 5000 });
    const t0 = clock.now();
    scaler.start();
    assert.deepEqual(scaler.lastDecision, { replicas: 2, reason: 'WindowPending', proposed: 1, count: 0 });

    clock.advance(1500);
    recordN(45); // first window: [t0 + 1500, t0 + 6500)
    clock.advance(4999);
    assert.equal(scaler.lastDecision.reason, 'WindowPending', 'nothing decided mid-window');
    clock.advance(1);
    assert.deepEqual(scaler.lastDecision, { replicas: 3, reason: 'Rule', proposed: 3, count: 45 });
    const changed = decisions.find((d) => d.decision.reason === 'Rule');
    assert.equal(changed?.at, t0 + 6500, 'decided exactly at the window end, not on the next 1 s tick');

    recordN(100); // second window, but only counted at its end
    clock.advance(4999);
    assert.equal(scaler.lastDecision.replicas, 3);
    clock.advance(1);
    assert.deepEqual(scaler.lastDecision, { replicas: 5, reason: 'TooManyReplicas', proposed: 6, count: 100 });

    clock.advance(5000); // an empty window still ends and scales down
    assert.deepEqual(scaler.lastDecision, { replicas: 2, reason: 'TooFewReplicas', proposed: 1, count: 0 });
    scaler.stop();
    assert.equal(clock.pending, 0);
    assert.deepEqual(
      logged().map((f) => f?.['reason']),
      ['WindowPending', 'Rule', 'TooManyReplicas', 'TooFewReplicas'],
    );
  });

  test('keeps handing the held decision to the owner between window ends', () => {
    const { clock, scaler, decisions, recordN } = setup('tumbling', { windowMs: 5000 });
    scaler.start();
    recordN(20);
    clock.advance(4000);
    assert.ok(decisions.length >= 5);
    assert.ok(decisions.every((d) => d.decision.reason === 'WindowPending'));
    scaler.stop();
  });
});

describe('Scaler, scale-down delay', () => {
  test('a burst is held for the delay, scale-up is at once, then it drains to the rule', () => {
    const { clock, scaler, recordN, logged } = setup('sliding', { windowMs: 5000, scaleDownDelayMs: 20_000 });
    scaler.start();
    recordN(60); // 4 replicas at once
    clock.advance(1000);
    assert.deepEqual(scaler.lastDecision, { replicas: 4, reason: 'Rule', proposed: 4, count: 60 });
    clock.advance(5000); // t = 6 s: the records expired, the rule asks for 1
    assert.deepEqual(scaler.lastDecision, { replicas: 4, reason: 'ScaleDownStabilized', proposed: 1, count: 0 });
    clock.advance(17_000); // t = 23 s: the rule last asked for 4 at t = 4 s, inside the 20 s delay
    assert.equal(scaler.lastDecision.replicas, 4);
    clock.advance(1000); // t = 24 s: that ask is exactly 20 s old and expires
    assert.deepEqual(scaler.lastDecision, { replicas: 1, reason: 'Rule', proposed: 1, count: 0 });
    scaler.stop();
    assert.deepEqual(
      logged().map((f) => [f?.['desired'], f?.['reason']]),
      [
        [1, 'Rule'],
        [4, 'Rule'],
        [4, 'ScaleDownStabilized'],
        [1, 'Rule'],
      ],
    );
  });

  test('with the default of 0 the seed rule scales down at once', () => {
    const { clock, scaler, recordN } = setup('sliding', { windowMs: 5000 });
    scaler.start();
    recordN(60);
    clock.advance(1000);
    assert.equal(scaler.lastDecision.replicas, 4);
    clock.advance(5000);
    assert.deepEqual(scaler.lastDecision, { replicas: 1, reason: 'Rule', proposed: 1, count: 0 });
    scaler.stop();
  });

  test('a negative delay is refused', () => {
    assert.throws(
      () => new Scaler({ mode: 'sliding', window: new SlidingWindow({ windowMs: 1000 }), base: 20, min: 1, max: 5, scaleDownDelayMs: -1, onDecision: () => {} }),
      { code: 'SCALER_OPTIONS_INVALID' },
    );
  });
});

describe('Scaler, adopted containers warming up', () => {
  for (const mode of ['sliding', 'tumbling'] as const) {
    test(`${mode}: two adopted containers are kept until one window has passed since the start`, () => {
      const { clock, scaler, decisions } = setup(mode, { windowMs: 10_000 });
      const t0 = clock.now();
      scaler.holdAdopted(2, t0);
      scaler.start();
      assert.deepEqual(decisions[0]?.decision, { replicas: 2, reason: 'AdoptedWarmup', proposed: 1, count: 0 }, 'not drained in the same millisecond');
      clock.advance(9_999);
      assert.ok(
        decisions.every((d) => d.decision.replicas === 2 && d.decision.reason === 'AdoptedWarmup'),
        'held for the whole first window',
      );
      clock.advance(1);
      assert.equal(scaler.lastDecision.replicas, 1, 'then the rule decides');
      assert.notEqual(scaler.lastDecision.reason, 'AdoptedWarmup');
      scaler.stop();
    });
  }

  test('nothing adopted: no floor', () => {
    const { clock, scaler } = setup('sliding', { windowMs: 10_000 });
    scaler.holdAdopted(0, clock.now());
    scaler.start();
    assert.deepEqual(scaler.lastDecision, { replicas: 1, reason: 'Rule', proposed: 1, count: 0 });
    scaler.stop();
  });
});

describe('Scaler options', () => {
  test('a window that does not match the mode is refused', () => {
    const common = { base: 20, min: 1, max: 5, onDecision: () => {} };
    assert.throws(() => new Scaler({ ...common, mode: 'sliding', window: new TumblingWindow({ windowMs: 1000 }) }), ScalerOptionsError);
    assert.throws(() => new Scaler({ ...common, mode: 'tumbling', window: new SlidingWindow({ windowMs: 1000 }) }), ScalerOptionsError);
  });

  test('bad rule parameters fail at construction', () => {
    assert.throws(
      () => new Scaler({ mode: 'sliding', window: new SlidingWindow({ windowMs: 1000 }), base: 0, min: 1, max: 5, onDecision: () => {} }),
      { code: 'SCALE_RULE_INVALID' },
    );
  });

  test('a bad interval is refused', () => {
    assert.throws(
      () => new Scaler({ mode: 'sliding', window: new SlidingWindow({ windowMs: 1000 }), base: 20, min: 1, max: 5, intervalMs: 0, onDecision: () => {} }),
      { code: 'SCALER_OPTIONS_INVALID' },
    );
  });
});
