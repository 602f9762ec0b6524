// Fault rows on one container of a running service, under a steady load (GETs, a few POSTs): the app
// turns unhealthy, its process is killed, it is killed, removed, stopped, paused, or
// its process hangs. Each row starts its own service (so the back-off of one row's
// failure does not slow the next), and expects: the target leaves the rotation and is
// replaced, no GET fails (a retry of a GET is always safe), nothing labelled is left
// after the replacement nor after a clean shutdown.
import { after, test, type TestContext } from 'node:test';
import { docker, inState, request, type Running } from '../../e2e/harness.js';
import { startLoad, type LoadRun } from '../load-process.js';
import { dockerCli, endLoad, endService, readyIds, sleep, startService, strays, sweepLeftovers } from './kit.js';
import { Row, withRow } from './row.js';

after(sweepLeftovers);

const REPLICAS = 2;
// Mostly GETs (always safe to retry); some small POSTs, which the proxy may retry only
// when nothing was sent, so a POST in flight on the killed container can fail: counted, not asserted.
const MIX = [
  { method: 'GET', path: '/api/v1/whoami', weight: 4 },
  { method: 'POST', path: '/api/v1/echo', bodyBytes: 1024, weight: 1 },
] as const;

/** One fault on one ready container: inject, wait for the replacement, count. */
async function containerFault(t: TestContext, fault: string, injected: string, inject: (id: string, run: Running) => Promise<string | void>): Promise<void> {
  await withRow(t, new Row(fault, injected), async (row) => {
    let run: Running | null = null;
    let load: LoadRun | null = null;
    try {
      // A short drain: requests in flight on a hung container wait for it, then are retried.
      run = await startService('rel-container', { min: REPLICAS, max: REPLICAS, stopTimeoutMs: 2_000, drainTimeoutMs: 3_000 });
      const r = run;
      await r.until((s) => inState(s, 'ready') === REPLICAS, 40_000, `${REPLICAS} ready before the fault`);
      load = startLoad({ port: r.port, clients: 8, pauseMs: 5, durationMs: 120_000, mix: MIX });
      await load.started;
      await sleep(500);
      const chosen = readyIds(r.symphony.status())[0] as string;
      const target = (await inject(chosen, r)) ?? chosen;
      row.notes.push(`target ${target.slice(0, 12)}`);
      const recovered = await r.until(
        (s) => !s.containers.some((c) => c.id === target) && inState(s, 'ready') === REPLICAS,
        40_000,
        `${fault}: the target replaced and ${REPLICAS} ready`,
      );
      await sleep(500);
      row.addLoad(await load.stop());
      row.expect('failed GETs', row.record().failedGets, 0);
      const failedPosts = row.record().failedPosts ?? 0;
      if (failedPosts > 0) row.notes.push(`${failedPosts} POST(s) in flight on the target failed: a POST is not retried once sent`);
      row.expect('labelled containers the orchestrator no longer lists, after the recovery', (await strays(r.service, recovered)).length, 0);
    } finally {
      await endLoad(row, load);
      await endService(row, run);
    }
    row.expect('containers left after shutdown', row.orphans, 0);
  });
}

test('app unhealthy: POST /api/v1/_unhealthy through the proxy', (t) =>
  containerFault(t, 'app unhealthy', 'POST /api/v1/_unhealthy through the proxy (one container answers 500 on its health route from then on)', async (_id, r) => {
    const reply = await request(r.port, '/api/v1/_unhealthy', { method: 'POST' });
    const host = (JSON.parse(reply.body) as { hostname: string }).hostname;
    const target = r.symphony.status().containers.find((c) => c.id.startsWith(host));
    if (!target) throw new Error(`the container that answered (${host}) is not one of ours`);
    return target.id;
  }));

test('process exit: docker kill --signal KILL', (t) =>
  containerFault(t, 'process exit', 'docker kill --signal KILL ID (the app process ends at once)', async (id) => {
    await dockerCli('kill', '--signal', 'KILL', id);
  }));

test('docker kill (engine API, default signal)', (t) =>
  containerFault(t, 'docker kill', 'POST /containers/ID/kill through the engine API (default signal)', async (id) => {
    await docker.killContainer(id);
  }));

test('docker rm -f', (t) =>
  containerFault(t, 'docker rm -f', 'docker rm -f ID', async (id) => {
    await dockerCli('rm', '-f', id);
  }));

test('docker stop', (t) =>
  containerFault(t, 'docker stop', 'docker stop --time 2 ID (SIGTERM: the app closes its listener, then exits)', async (id) => {
    await dockerCli('stop', '--time', '2', id);
  }));

test('docker pause', (t) =>
  containerFault(t, 'docker pause', 'docker pause ID (frozen: connections open, nothing answers)', async (id) => {
    await dockerCli('pause', id);
  }));

test('health hang: the app process stops (SIGSTOP)', (t) =>
  containerFault(t, 'health hang', 'docker kill --signal STOP ID (the process hangs; the engine still reports it running)', async (id) => {
    await dockerCli('kill', '--signal', 'STOP', id);
  }));
