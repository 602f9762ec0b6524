import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { UpstreamPool } from '../../src/proxy/pool.js';
import { Upstream } from '../../src/proxy/upstream.js';
import { FakeClock } from '../helpers/fake-clock.js';

function pool(...ids: string[]): UpstreamPool {
  const p = new UpstreamPool({ clock: new FakeClock() });
  ids.forEach((id, i) => p.add(new Upstream(id, 1000 + i)));
  return p;
}

function take(p: UpstreamPool, n: number, skip?: ReadonlySet<string>): string[] {
  return Array.from({ length: n }, () => p.next(skip)?.id ?? '-');
}

describe('UpstreamPool', () => {
  test('strict round robin', () => {
    assert.deepEqual(take(pool('A', 'B', 'C'), 7), ['A', 'B', 'C', 'A', 'B', 'C', 'A']);
  });

  test('empty pool has no next', () => {
    assert.equal(pool().next(), undefined);
  });

  test('skip passes over members without losing the order', () => {
    const p = pool('A', 'B', 'C');
    assert.equal(p.next(new Set(['A']))?.id, 'B');
    assert.deepEqual(take(p, 3), ['C', 'A', 'B']);
  });

  test('removing an earlier member keeps the next one next', () => {
    const p = pool('A', 'B', 'C', 'D');
    assert.deepEqual(take(p, 2), ['A', 'B']);
    assert.equal(p.remove('A')?.id, 'A');
    assert.deepEqual(take(p, 4), ['C', 'D', 'B', 'C']);
  });

  test('removing the member that is next moves on to the one after it', () => {
    const p = pool('A', 'B', 'C');
    take(p, 1);
    p.remove('B');
    assert.deepEqual(take(p, 3), ['C', 'A', 'C']);
  });

  test('removing a later member does not disturb the order', () => {
    const p = pool('A', 'B', 'C');
    take(p, 1);
    p.remove('C');
    assert.deepEqual(take(p, 3), ['B', 'A', 'B']);
  });

  test('removing the last member when it was next wraps to the first', () => {
    const p = pool('A', 'B', 'C');
    take(p, 2);
    p.remove('C');
    assert.deepEqual(take(p, 2), ['A', 'B']);
  });

  test('a member added at the end of a round is next', () => {
    const p = pool('A', 'B');
    take(p, 2);
    p.add(new Upstream('C', 1));
    assert.deepEqual(take(p, 4), ['C', 'A', 'B', 'C']);
  });

  test('a member added mid-round joins after the others', () => {
    const p = pool('A', 'B');
    take(p, 1);
    p.add(new Upstream('C', 1));
    assert.deepEqual(take(p, 4), ['B', 'C', 'A', 'B']);
  });

  test('re-adding an id replaces it in place', () => {
    const p = pool('A', 'B');
    const b2 = new Upstream('B', 2222);
    p.add(b2);
    assert.equal(p.size, 2);
    assert.equal(p.get('B'), b2);
    assert.deepEqual(p.members().map((m) => m.id), ['A', 'B']);
  });

  test('remove of an unknown id returns undefined', () => {
    assert.equal(pool('A').remove('Z'), undefined);
  });

  test('members() is a copy', () => {
    const p = pool('A');
    (p.members() as Upstream[]).push(new Upstream('X', 1));
    assert.equal(p.size, 1);
  });

  describe('waitForMember', () => {
    test('resolves true at once when there is a member', async () => {
      assert.equal(await pool('A').waitForMember(10), true);
    });

    test('resolves true when a member is added, and clears its timer', async () => {
      const clock = new FakeClock();
      const p = new UpstreamPool({ clock });
      const waits = [p.waitForMember(1000), p.waitForMember(1000)];
      assert.equal(p.waiting, 2);
      assert.equal(clock.pending, 2);
      p.add(new Upstream('A', 1));
      assert.deepEqual(await Promise.all(waits), [true, true]);
      assert.equal(clock.pending, 0);
      assert.equal(p.waiting, 0);
    });

    test('resolves false after the timeout, not before', async () => {
      const clock = new FakeClock();
      const p = new UpstreamPool({ clock });
      let result: boolean | undefined;
      const wait = p.waitForMember(1000).then((r) => (result = r));
      await clock.tick(999);
      assert.equal(result, undefined);
      await clock.tick(1);
      await wait;
      assert.equal(result, false);
      assert.equal(p.waiting, 0);
    });

    test('resolves false when aborted (and at once if already aborted)', async () => {
      const clock = new FakeClock();
      const p = new UpstreamPool({ clock });
      const ac = new AbortController();
      const wait = p.waitForMember(1000, ac.signal);
      ac.abort();
      assert.equal(await wait, false);
      assert.equal(clock.pending, 0);
      assert.equal(await p.waitForMember(1000, ac.signal), false);
    });
  });
});
