import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Upstream } from '../../src/proxy/upstream.js';

describe('Upstream', () => {
  test('defaults to the loopback host', () => {
    const u = new Upstream('a', 8080);
    assert.equal(u.host, '127.0.0.1');
    assert.equal(u.port, 8080);
    assert.equal(u.toString(), 'a@127.0.0.1:8080');
  });

  test('counts in-flight attempts and only completed ones as served', () => {
    const u = new Upstream('a', 1);
    u.begin();
    u.begin();
    u.begin();
    assert.equal(u.inFlight, 3);
    u.end();
    u.end(false);
    assert.equal(u.inFlight, 1);
    assert.equal(u.served, 1);
  });

  test('end() without begin() never goes negative', () => {
    const u = new Upstream('a', 1);
    u.end();
    assert.equal(u.inFlight, 0);
    assert.equal(u.served, 0);
  });

  test('whenIdle resolves at once when idle, and only when the last attempt ends', async () => {
    const u = new Upstream('a', 1);
    await u.whenIdle();
    u.begin();
    u.begin();
    let idle = false;
    const waiting = u.whenIdle().then(() => (idle = true));
    u.end();
    await Promise.resolve();
    assert.equal(idle, false);
    u.end(false);
    await waiting;
    assert.equal(idle, true);
  });
});
