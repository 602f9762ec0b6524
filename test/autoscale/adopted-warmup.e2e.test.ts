// After a restart on the real engine: the adopted containers serve through the first
// window (AdoptedWarmup) instead of being drained the moment the new process starts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Symphony } from '../../src/symphony.js';
import { DEMO_IMAGE, inState, startSymphony, sweep, waitFor } from '../e2e/harness.js';

test('--keep-containers, restart with --min 1: the two adopted containers stay for one window, then one drains', async (t) => {
  const first = await startSymphony('warmup', { min: 2, max: 3, keepContainers: true });
  let second: Symphony | null = null;
  try {
    await first.until((s) => inState(s, 'ready') === 2, 30_000, 'two ready containers');
    await first.symphony.stop();

    const windowMs = 4_000;
    second = new Symphony({ image: DEMO_IMAGE, name: first.service, min: 1, max: 3, windowMs, listen: { host: '127.0.0.1', port: 0 }, adminListen: null, stopTimeoutMs: 2_000, drainTimeoutMs: 2_000 });
    const started = Date.now();
    await second.start();
    const s = second.status();
    assert.equal(inState(s, 'ready'), 2, 'both adopted containers serve right after the start');
    assert.deepEqual([s.decision.replicas, s.decision.reason], [2, 'AdoptedWarmup']);
    const symphony = second;
    await waitFor(() => symphony.status(), (x) => inState(x, 'ready') === 1, windowMs + 10_000, 'one container drained after the window');
    const heldMs = Date.now() - started;
    t.diagnostic(`adopted containers held for ${heldMs} ms (window ${windowMs} ms)`);
    assert.ok(heldMs >= windowMs - 100, `held for the whole window, not ${heldMs} ms`);
  } finally {
    await second?.stop();
    await first.stop();
    await sweep(first.service);
  }
});
