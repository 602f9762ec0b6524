import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InFlight } from '../../src/proxy/in-flight.js';

describe('InFlight', () => {
  test('counts, never goes negative, and wakes idle waiters only at 0', async () => {
    const f = new InFlight();
    await f.whenIdle();
    assert.equal(f.end(), false);
    f.begin();
    f.begin();
    let idle = false;
    const waiting = f.whenIdle().then(() => (idle = true));
    assert.equal(f.end(), true);
    await Promise.resolve();
    assert.equal(idle, false);
    assert.equal(f.count, 1);
    f.end();
    await waiting;
    assert.equal(f.count, 0);
  });
});
