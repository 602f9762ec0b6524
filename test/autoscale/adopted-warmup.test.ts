// The warm-up after a restart, wired as Symphony.start() wires it (the owner adopts and
// keeps what it adopted, the scaler holds that count for one window, then starts), on
// the fake engine and the fake clock: the adopted containers must not be drained before
// one window has passed. The second case (keepUpTo 0) shows the bug it fixes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Scaler } from '../../src/autoscale/scaler.js';
import { SlidingWindow } from '../../src/autoscale/window.js';
import { SERVICE_LABEL, SPEC_LABEL } from '../../src/orchestrator/labels.js';
import { ownerHarness, settle } from '../orchestrator/owner-harness.js';

for (const warmup of [true, false]) {
  test(warmup ? 'two adopted containers serve through the first window, then the rule drains one' : 'without the warm-up the empty window drains an adopted container at once (the bug it fixes)', async () => {
    const { clock, docker, set, logger } = ownerHarness({ initialDesired: 1 });
    const labels = { [SERVICE_LABEL]: 'web', [SPEC_LABEL]: set.specHash };
    docker.addRunning({ name: 'web-a', labels, hostPort: 41_001 });
    docker.addRunning({ name: 'web-b', labels, hostPort: 41_002 });
    const scaler = new Scaler({
      mode: 'sliding',
      window: new SlidingWindow({ windowMs: 30_000 }),
      base: 20,
      min: 1,
      max: 5,
      clock,
      logger,
      onDecision: (d) => set.setDesired(d.replicas),
    });
    try {
      // Symphony.start(): adopt (keeping up to --max, or nothing for the bug case), hold, then start the scaler.
      const { adopted } = await set.adopt({ keepUpTo: warmup ? 5 : 0 });
      scaler.holdAdopted(adopted, clock.now());
      assert.equal(adopted, 2);
      scaler.start();
      await settle();
      const serving = (): number => set.status().filter((c) => c.state === 'ready').length;
      if (!warmup) {
        assert.equal(serving(), 1, 'one adopted container drained in the same millisecond');
        return;
      }
      assert.equal(serving(), 2, 'both adopted containers still serve');
      assert.equal(scaler.lastDecision.reason, 'AdoptedWarmup');
      for (let s = 1; s < 30; s++) {
        clock.advance(1000);
        await settle();
      }
      assert.equal(serving(), 2, 'still both, one ms before the window has passed');
      assert.equal(docker.count('stop'), 0, 'nothing stopped during the warm-up');
      clock.advance(1000);
      await settle();
      assert.equal(scaler.lastDecision.reason, 'Rule');
      assert.equal(serving(), 1, 'then the empty window drains one');
    } finally {
      scaler.stop();
      await set.shutdown({ keep: true });
    }
  });
}

describe('ContainerSet.adopt keeps what it adopted', () => {
  const rows: { name: string; min: number; adopted: number; keepUpTo?: number; want: number }[] = [
    { name: 'the desired count rises to the adopted', min: 1, adopted: 3, keepUpTo: 5, want: 3 },
    { name: 'never above keepUpTo (--max)', min: 1, adopted: 3, keepUpTo: 2, want: 2 },
    { name: 'never lowers a higher count (--min above the adopted)', min: 4, adopted: 2, keepUpTo: 5, want: 4 },
    { name: 'nothing adopted: unchanged', min: 1, adopted: 0, keepUpTo: 5, want: 1 },
    { name: 'no bound given: all of it', min: 1, adopted: 3, want: 3 },
  ];
  for (const row of rows) {
    test(row.name, async () => {
      const { docker, set } = ownerHarness({ initialDesired: row.min });
      const labels = { [SERVICE_LABEL]: 'web', [SPEC_LABEL]: set.specHash };
      for (let i = 0; i < row.adopted; i++) docker.addRunning({ name: `web-${i}`, labels, hostPort: 41_001 + i });
      try {
        const { adopted } = await set.adopt(row.keepUpTo === undefined ? {} : { keepUpTo: row.keepUpTo });
        assert.equal(adopted, row.adopted, row.name);
        assert.equal(set.desired, row.want, row.name);
      } finally {
        await set.shutdown({ keep: true });
      }
    });
  }
});
