import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientGone } from '../../src/proxy/client-gone.js';

describe('ClientGone', () => {
  test('abort calls the current listener once and sets aborted', () => {
    const gone = new ClientGone();
    let calls = 0;
    gone.listen(() => calls++);
    assert.equal(gone.aborted, false);
    gone.abort();
    gone.abort();
    assert.equal(gone.aborted, true);
    assert.equal(calls, 1);
  });

  test('a listener set after the client left is called at once', () => {
    const gone = new ClientGone();
    gone.abort();
    let called = false;
    gone.listen(() => (called = true));
    assert.equal(called, true);
  });

  test('the next phase replaces the listener; an unlistened one is never called', () => {
    const gone = new ClientGone();
    const seen: string[] = [];
    const attempt = (): void => void seen.push('attempt');
    const delivery = (): void => void seen.push('delivery');
    gone.listen(attempt);
    gone.unlisten(attempt);
    gone.listen(delivery);
    gone.unlisten(attempt); // not the listener any more: delivery stays
    gone.abort();
    assert.deepEqual(seen, ['delivery']);
  });

  test('signal aborts with the client, whether made before or after it left', () => {
    const before = new ClientGone();
    const signal = before.signal;
    assert.equal(signal.aborted, false);
    before.abort();
    assert.equal(signal.aborted, true);
    const after = new ClientGone();
    after.abort();
    assert.equal(after.signal.aborted, true);
    assert.equal(after.signal, after.signal);
  });

  test('closed(true) tells whenClosed it finished and aborts nothing; closed(false) aborts first, then tells it', () => {
    const done = new ClientGone();
    const seen: string[] = [];
    done.listen(() => seen.push('abort'));
    done.whenClosed((finished) => seen.push(`closed ${finished}`));
    done.closed(true);
    assert.deepEqual(seen, ['closed true']);
    assert.equal(done.aborted, false);
    const cut = new ClientGone();
    const order: string[] = [];
    cut.listen(() => order.push('abort'));
    cut.whenClosed((finished) => order.push(`closed ${finished}`));
    cut.closed(false);
    cut.closed(false);
    assert.deepEqual(order, ['abort', 'closed false']);
    assert.equal(cut.aborted, true);
  });
});
