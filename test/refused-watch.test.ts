import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isRefusal, RefusedWatch } from '../src/refused-watch.js';
import type { HealthResult } from '../src/status.js';

describe('isRefusal', () => {
  const rows: { name: string; result: Pick<HealthResult, 'status' | 'error'>; want: boolean }[] = [
    { name: 'refused', result: { error: 'ECONNREFUSED' }, want: true },
    { name: "reset (Docker's proxy when nothing listens)", result: { error: 'ECONNRESET' }, want: true },
    { name: 'a timeout: something accepted', result: { error: 'timeout' }, want: false },
    { name: 'an answer', result: { status: 500 }, want: false },
    { name: 'an answer, then a reset mid-body', result: { status: 200, error: 'ECONNRESET' }, want: false },
  ];
  for (const row of rows) test(row.name, () => assert.equal(isRefusal(row.result), row.want));
});

describe('RefusedWatch', () => {
  const refused = (time: number): HealthResult => ({ time, ok: false, error: 'ECONNRESET', durationMs: 1 });
  const answered = (time: number): HealthResult => ({ time, ok: false, status: 503, durationMs: 1 });
  type Step = [time: number, starting: boolean, result: (t: number) => HealthResult];
  const rows: { name: string; steps: Step[]; named: number[] }[] = [
    { name: 'refusing for the whole period: named once, at the first probe past it', steps: [[0, true, refused], [1000, true, refused], [2000, true, refused], [3000, true, refused]], named: [2000] },
    { name: 'refusing for less than the period: not named', steps: [[0, true, refused], [1500, true, refused]], named: [] },
    { name: 'an answer in between restarts the period', steps: [[0, true, refused], [1000, true, answered], [1500, true, refused], [3000, true, refused], [3500, true, refused]], named: [3500] },
    { name: 'a ready container is never named', steps: [[0, false, refused], [5000, false, refused]], named: [] },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const watch = new RefusedWatch({ containerPort: 8080, afterMs: 2000 });
      const named = row.steps.flatMap(([time, starting, result]) => (watch.observe('c1', 'web-1', starting, result(time)) === null ? [] : [time]));
      assert.deepEqual(named, row.named);
    });
  }

  test('the message names the container, the port, the error and what to do', () => {
    const watch = new RefusedWatch({ containerPort: 8080, afterMs: 1000 });
    watch.observe('c1', 'web-1', true, refused(0));
    assert.equal(
      watch.observe('c1', 'web-1', true, refused(1500)),
      'web-1 refuses connections on container port 8080 (ECONNRESET) for 1.5s: if the app listens on another port, set --container-port to it; if it is still booting, this passes',
    );
  });
});
