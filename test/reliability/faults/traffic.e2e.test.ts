// Fault rows that come from the clients, under a steady GET load: a burst of 5,000
// concurrent connections, a large upload that keeps a container busy, and clients
// that abort mid-body and mid-response. None of them is the containers' fault, so
// none may cost a container or a GET. The 1 GB upload and the repeated burst are in
// `make reliability` (SYMPHONY_RELIABILITY_FULL=1).
import http from 'node:http';
import { after, test } from 'node:test';
import { inState, type Running } from '../../e2e/harness.js';
import type { SymphonyOptions } from '../../../src/config.js';
import { startLoad, type LoadRun } from '../load-process.js';
import { endLoad, endService, readyIds, sleep, startService, sweepLeftovers } from './kit.js';
import { FULL, Row, withRow } from './row.js';

after(sweepLeftovers);

/** A two-container service with a steady GET load; `body` adds its own traffic. */
async function withService(
  row: Row,
  prefix: string,
  options: Partial<SymphonyOptions>,
  keepsContainers: boolean,
  body: (run: Running) => Promise<void>,
): Promise<void> {
  let run: Running | null = null;
  let steady: LoadRun | null = null;
  try {
    run = await startService(prefix, { min: 2, max: 2, stopTimeoutMs: 2_000, ...options });
    const before = await run.until((s) => inState(s, 'ready') === 2, 40_000, 'two ready containers');
    const ids = readyIds(before).sort();
    steady = startLoad({ port: run.port, clients: 4, pauseMs: 10, durationMs: 600_000 });
    await steady.started;
    await body(run);
    await sleep(500);
    row.addLoad(await steady.stop());
    const after = readyIds(run.symphony.status()).sort();
    row.expect('failed GETs', row.record().failedGets, 0);
    const lost = ids.filter((id) => !after.includes(id)).length;
    if (keepsContainers) row.expect('containers lost', lost, 0);
    else if (lost > 0) row.notes.push(`${lost} busy container(s) replaced (start-first, after their in-flight requests)`);
  } finally {
    await endLoad(row, steady);
    await endService(row, run);
  }
  row.expect('containers left after shutdown', row.orphans, 0);
}

/** `times` bursts of `connections` concurrent connections, one GET each; adds them to the row. */
async function burst(row: Row, port: number, connections: number, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const load = startLoad({ port, clients: connections, keepAlive: false, maxRequests: connections, durationMs: 120_000, requestTimeoutMs: 60_000 });
    row.addLoad(await load.result);
    await sleep(1_000);
  }
}

for (const { times, full } of [
  { times: 1, full: false },
  { times: 4, full: true },
]) {
  const name = times === 1 ? 'connection burst' : `connection burst ×${times}`;
  test(`${name}: 5,000 concurrent connections`, (t) => {
    if (full && !FULL) return t.skip('the repeated burst runs in make reliability (SYMPHONY_RELIABILITY_FULL=1)');
    return withRow(t, new Row(name, `${times} × 5,000 concurrent connections, one GET each, no keep-alive, beside 4 steady clients`, full ? 'full' : 'fast'), (row) =>
      withService(row, 'rel-burst', {}, true, async (run) => {
        await burst(row, run.port, 5_000, times);
        row.expect('containers failed by the orchestrator', run.events.filter((e) => e.event === 'container.unhealthy').length, 0);
      }),
    );
  });
}

for (const { mb, full } of [
  { mb: 100, full: false },
  { mb: 1024, full: true },
]) {
  const name = mb >= 1024 ? '1 GB upload' : `${mb} MB upload`;
  test(`${name} through POST /api/v1/echo`, (t) => {
    if (full && !FULL) return t.skip('the 1 GB upload runs in make reliability (SYMPHONY_RELIABILITY_FULL=1)');
    return withRow(t, new Row(name, `one streamed POST /api/v1/echo of ${mb} MiB (the app answers its length and hash), beside 4 steady clients`, full ? 'full' : 'fast'), (row) =>
      withService(row, 'rel-upload', { upstreamTimeoutMs: 300_000 }, false, async (run) => {
        const upload = startLoad({ port: run.port, clients: 1, maxRequests: 1, durationMs: 600_000, requestTimeoutMs: 600_000, mix: [{ method: 'POST', path: '/api/v1/echo', bodyBytes: mb * 1024 * 1024 }] });
        const result = await upload.result;
        row.addLoad(result);
        row.expect('upload answered 200', JSON.stringify(result.byMethod['POST']?.byStatus ?? {}), JSON.stringify({ 200: 1 }));
        row.expect('echoed body length wrong', result.badBodies, 0);
      }),
    );
  });
}

test('client aborts mid-body and mid-response', (t) =>
  withRow(t, new Row('client aborts', '20 POST /api/v1/echo cut after 1 of 10 MiB; 20 GET /api/v1/slow?ms=3000 cut after 300 ms; 10 POST echo of 5 MiB cut after the first response bytes'), (row) =>
    withService(row, 'rel-abort', {}, true, async (run) => {
      for (let i = 0; i < 20; i++) await abortMidBody(run.port, 10 * 1024 * 1024, 1024 * 1024);
      await Promise.all(Array.from({ length: 20 }, () => abortMidResponse(run.port, 'GET', '/api/v1/slow?ms=3000', 0, 300)));
      for (let i = 0; i < 10; i++) await abortMidResponse(run.port, 'POST', '/api/v1/echo', 5 * 1024 * 1024, 0);
      await sleep(2_500); // two health rounds: a container the aborts killed would show now
      row.expect('containers failed by the orchestrator', run.events.filter((e) => e.event === 'container.unhealthy').length, 0);
    }),
  ));

/** Declares `declared` bytes, sends `sent`, then destroys the connection. */
function abortMidBody(port: number, declared: number, sent: number): Promise<void> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/echo', agent: false, headers: { 'content-length': declared } });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.write(Buffer.alloc(sent, 0x62), () => setTimeout(() => req.destroy(), 50));
  });
}

/** Sends a whole request, then destroys the connection `afterMs` after the response began (0: at its first bytes). */
function abortMidResponse(port: number, method: string, path: string, bodyBytes: number, afterMs: number): Promise<void> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent: false, headers: bodyBytes > 0 ? { 'content-length': bodyBytes } : {} });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    const timer = afterMs > 0 ? setTimeout(() => req.destroy(), afterMs) : null;
    req.on('response', (res) => {
      if (timer === null) res.once('data', () => req.destroy());
      res.resume();
    });
    req.end(bodyBytes > 0 ? Buffer.alloc(bodyBytes, 0x63) : undefined);
  });
}
