// The health panic on the real engine: when every ready container stops answering at
// once (here: both app processes frozen with SIGSTOP) while the orchestrator itself is
// fine, it first suspects itself and keeps them (logged, in status), and after
// PANIC_RELEASE_ROUNDS rounds lets the failures through and replaces them.
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promisify } from 'node:util';
import { PANIC_RELEASE_ROUNDS } from '../../src/health/panic.js';
import type { LogRecord } from '../../src/log.js';
import { inState, startSymphony, waitFor, type Running } from '../e2e/harness.js';

const exec = promisify(execFile);
const INTERVAL_MS = 500;

async function signal(ids: readonly string[], sig: 'STOP' | 'CONT'): Promise<void> {
  await Promise.all(ids.map((id) => exec('docker', ['kill', '--signal', sig, id], { timeout: 30_000 })));
}

const first = (events: readonly LogRecord[], name: string): LogRecord | undefined => events.find((e) => e.event === name);

test('every ready container frozen at once: kept in rotation while in panic, then released and replaced', { timeout: 120_000 }, async () => {
  let run: Running | null = null;
  let frozen: string[] = [];
  try {
    run = await startSymphony('health-panic', { min: 2, max: 2, healthIntervalMs: INTERVAL_MS, healthTimeoutMs: 300 });
    const r = run;
    const ready = await r.until((s) => inState(s, 'ready') === 2, 40_000, 'two ready containers');
    frozen = ready.containers.filter((c) => c.state === 'ready').map((c) => c.id);
    await signal(frozen, 'STOP');

    await waitFor(() => first(r.events, 'health.panic'), (e) => e !== undefined, 10_000, 'health.panic');
    const during = r.symphony.status();
    assert.equal(during.health.panic, true);
    assert.equal(typeof during.health.since, 'string');
    assert.equal(r.events.filter((e) => e.event === 'container.unhealthy').length, 0, 'nobody failed when the panic started');
    assert.deepEqual(
      during.containers.filter((c) => frozen.includes(c.id)).map((c) => c.state),
      ['ready', 'ready'],
      'both still in rotation',
    );

    const ended = await waitFor(() => first(r.events, 'health.panic_ended'), (e) => e !== undefined, 15_000, 'health.panic_ended');
    const started = first(r.events, 'health.panic');
    assert.equal(ended?.fields?.['reason'], 'released');
    // Released on the PANIC_RELEASE_ROUNDS-th round: that many - 1 intervals after it started.
    const lasted = (ended?.time ?? 0) - (started?.time ?? 0);
    assert.ok(lasted >= (PANIC_RELEASE_ROUNDS - 1) * INTERVAL_MS - 50, `panic lasted ${lasted} ms`);

    const failed = await waitFor(
      () => r.events.filter((e) => e.event === 'container.unhealthy'),
      (list) => frozen.every((id) => list.some((e) => e.container === id)),
      10_000,
      'both frozen containers failed',
    );
    assert.ok(failed.every((e) => e.time >= (ended?.time ?? Infinity)), 'no failure before the release');
    assert.equal(r.symphony.status().health.panic, false);
    await r.until((s) => inState(s, 'ready') === 2 && s.containers.filter((c) => c.state === 'ready').every((c) => !frozen.includes(c.id)), 60_000, 'two fresh ready containers');
  } finally {
    // Let the frozen processes take their SIGTERM, so removal does not wait for SIGKILL.
    await signal(frozen, 'CONT').catch(() => {});
    await run?.stop();
  }
});
