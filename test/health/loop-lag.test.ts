import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventLoopLag } from '../../src/health/loop-lag.js';
import { FakeClock } from '../helpers/fake-clock.js';

function setup(sampleMs = 20) {
  const clock = new FakeClock();
  const lag = new EventLoopLag({ clock, sampleMs, horizonMs: 10_000 });
  return { clock, lag };
}

describe('EventLoopLag', () => {
  test('a loop that runs its timers on time has no stalls', () => {
    const { clock, lag } = setup();
    const t0 = clock.now();
    lag.start();
    clock.advance(1000);
    assert.equal(lag.stalledDuring(t0, clock.now()), 0);
    assert.equal(lag.recentMs(), 0);
    lag.stop();
  });

  test('a stall is measured from when the sample was due to when it ran, and only its part inside the window counts', () => {
    const { clock, lag } = setup(20);
    const t0 = clock.now();
    lag.start();
    clock.advance(100); // samples at +20 … +100, on time; next due at +120
    clock.stall(520); // the loop is busy from +100 to +620
    clock.advance(0); // the overdue sample runs at +620: stalled from +120 to +620
    assert.equal(lag.stalledDuring(t0, t0 + 1000), 500);
    assert.equal(lag.stalledDuring(t0 + 320, t0 + 1000), 300, 'only the part after the window opened');
    assert.equal(lag.stalledDuring(t0, t0 + 220), 100, 'only the part before the window closed');
    assert.equal(lag.stalledDuring(t0 + 700, t0 + 1000), 0, 'nothing after it');
    assert.equal(lag.recentMs(), 500);
    lag.stop();
  });

  test('a stall still going on counts up to now, before the sampler has run', () => {
    const { clock, lag } = setup(20);
    const t0 = clock.now();
    lag.start(); // first sample due at +20
    clock.stall(300); // now +300, the sample has not run yet
    assert.equal(lag.stalledDuring(t0, clock.now()), 280);
    assert.equal(lag.recentMs(), 280);
    lag.stop();
  });

  test('stalls add up over a probe window', () => {
    const { clock, lag } = setup(20);
    const t0 = clock.now();
    lag.start();
    for (let i = 0; i < 4; i++) {
      clock.advance(20); // the sample due now runs on time
      clock.stall(100); // then the loop is busy for 100 ms
    }
    clock.advance(0);
    // Each stall began just after a sample ran, so it is seen from the next sample's due time: 80 of its 100 ms.
    assert.equal(lag.stalledDuring(t0, clock.now()), 4 * 80);
    assert.equal(lag.recentMs(), 80, 'the longest single stall');
    lag.stop();
  });

  test('recentMs forgets stalls older than its span', () => {
    const { clock, lag } = setup(20);
    lag.start();
    clock.stall(200);
    clock.advance(0);
    assert.equal(lag.recentMs(), 180);
    clock.advance(1500);
    assert.equal(lag.recentMs(), 0);
    assert.equal(lag.recentMs(5000), 180);
    lag.stop();
  });

  test('stop() cancels its timer; start() is idempotent', () => {
    const { clock, lag } = setup();
    lag.start();
    lag.start();
    assert.equal(clock.pending, 1);
    lag.stop();
    assert.equal(clock.pending, 0);
    clock.stall(500);
    assert.equal(lag.recentMs(), 0, 'a stopped meter does not count a sample it no longer takes');
  });
});
