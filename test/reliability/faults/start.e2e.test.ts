// Fault rows about starting containers, under load: an app slow to listen, an image
// that exits at start (crash loop), an image never healthy, and a host port taken by
// someone else. Each row starts its own service and counts what it left behind.
import net from 'node:net';
import { after, test } from 'node:test';
import { inState, type Running } from '../../e2e/harness.js';
import type { SymphonyOptions } from '../../../src/config.js';
import { startLoad, type LoadRun } from '../load-process.js';
import { dockerCli, endLoad, endService, readyIds, sleep, startService, sweepLeftovers } from './kit.js';
import { Row, withRow } from './row.js';

after(sweepLeftovers);

/** Starts a service, runs `body` with a load already running, then shuts it down counting orphans. */
async function underLoad(row: Row, prefix: string, options: Partial<SymphonyOptions>, clients: number, body: (run: Running, load: LoadRun) => Promise<void>): Promise<void> {
  let run: Running | null = null;
  let load: LoadRun | null = null;
  try {
    run = await startService(prefix, options);
    load = startLoad({ port: run.port, clients, pauseMs: 10, durationMs: 60_000 });
    await load.started;
    await body(run, load);
    if (row.load === null) row.addLoad(await load.stop());
  } finally {
    await endLoad(row, load);
    await endService(row, run);
  }
  row.expect('containers left after shutdown', row.orphans, 0);
}

test('slow start: an app that listens after 3 s, at boot and as a replacement', (t) =>
  withRow(t, new Row('slow start', 'STARTUP_DELAY_MS=3000: load from the first second; then docker kill one of two containers'), (row) =>
    underLoad(row, 'rel-slow', { min: 2, max: 2, env: ['STARTUP_DELAY_MS=3000'], startupTimeoutMs: 30_000, stopTimeoutMs: 2_000 }, 6, async (run, load) => {
      await run.until((s) => inState(s, 'ready') === 2, 40_000, 'two slow containers ready');
      const [victim] = readyIds(run.symphony.status()) as [string];
      await dockerCli('kill', victim);
      await run.until((s) => inState(s, 'ready') === 2 && !s.containers.some((c) => c.id === victim), 40_000, 'a slow replacement ready');
      await sleep(300);
      row.addLoad(await load.stop());
      row.expect('failed GETs', row.record().failedGets, 0);
    })));

test('crash loop: an image that exits at start', (t) =>
  withRow(t, new Row('crash loop', 'EXIT_AT_START=1: every container exits as soon as it starts; --queue-timeout 2s; 6 s of load'), (row) =>
    underLoad(row, 'rel-crashloop', { min: 1, max: 1, env: ['EXIT_AT_START=1'], queueTimeoutMs: 2_000, stopTimeoutMs: 2_000 }, 4, async (run, load) => {
      await sleep(6_000);
      const seen = await load.stop();
      row.addLoad(seen);
      const status = run.symphony.status();
      const created = run.events.filter((e) => e.event === 'container.created').length;
      row.notes.push('nothing can serve: a 503 after the queue timeout is the honest answer, so the failures are expected');
      row.expect('ready containers', inState(status, 'ready'), 0);
      row.check('answered, and only with 503s', seen.answered > 0 && Object.keys(seen.byStatus).every((s) => s === '503'), JSON.stringify(seen.byStatus));
      row.expect('connection errors', seen.connectionErrors, 0);
      row.check('back-off, not a spin (≤ 6 containers in 6 s)', created >= 2 && created <= 6, `${created} created`);
    })));

test('never healthy: an image whose health route always answers 500', (t) =>
  withRow(t, new Row('never-healthy image', 'UNHEALTHY_AT_START=1; --startup-timeout 3s; --queue-timeout 2s; 8 s of load'), (row) =>
    underLoad(row, 'rel-neverok', { min: 1, max: 1, env: ['UNHEALTHY_AT_START=1'], startupTimeoutMs: 3_000, queueTimeoutMs: 2_000, stopTimeoutMs: 2_000 }, 4, async (run, load) => {
      await sleep(8_000);
      const seen = await load.stop();
      row.addLoad(seen);
      const created = run.events.filter((e) => e.event === 'container.created').length;
      row.notes.push('nothing ever becomes ready: 503 after the queue timeout is the honest answer, so the failures are expected');
      row.expect('containers ever ready', run.events.filter((e) => e.event === 'container.ready').length, 0);
      row.check('answered, and only with 503s', seen.answered > 0 && Object.keys(seen.byStatus).every((s) => s === '503'), JSON.stringify(seen.byStatus));
      row.expect('connection errors', seen.connectionErrors, 0);
      row.check('replaced with a back-off (1–5 containers in 8 s)', created >= 1 && created <= 5, `${created} created`);
    })));

test('host port taken: --host-ports with its first port held by another listener', (t) =>
  withRow(t, new Row('host port taken', '--host-ports P-P+9 --min 3, with 127.0.0.1:P held by a listener of the test'), async (row) => {
    const { held, first } = await holdFreeRange(10);
    try {
      await underLoad(row, 'rel-hostports', { min: 3, max: 3, hostPorts: { first, last: first + 9 }, stopTimeoutMs: 2_000, queueTimeoutMs: 10_000 }, 6, async (run, load) => {
        const ready = await run.until((s) => inState(s, 'ready') === 3, 30_000, 'three ready containers on the free ports').catch((err: unknown) => {
          row.notes.push(String(err).split('\n')[0] ?? '');
          return null;
        });
        const ports = ready ? ready.containers.filter((c) => c.state === 'ready').map((c) => c.hostPort) : [];
        row.addLoad(await load.stop());
        row.check('three ready containers', ready !== null, ready ? '' : 'not within 30 s');
        row.expect('distinct host ports', new Set(ports).size, ports.length);
        row.check('the held port skipped', !ports.includes(first), JSON.stringify(ports));
        row.expect('failed GETs', row.record().failedGets, 0);
      });
    } finally {
      held.close();
    }
  }));

/** Ten consecutive free ports on 127.0.0.1, the first held by a listener. */
async function holdFreeRange(count: number): Promise<{ held: net.Server; first: number }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = 20_000 + Math.floor(Math.random() * 20_000);
    const servers: net.Server[] = [];
    let ok = true;
    for (let port = first; port < first + count && ok; port++) {
      const server = net.createServer();
      ok = await new Promise<boolean>((resolve) => {
        server.once('error', () => resolve(false));
        server.listen(port, '127.0.0.1', () => resolve(true));
      });
      if (ok) servers.push(server);
    }
    for (const s of servers.slice(1)) s.close();
    if (ok) return { held: servers[0] as net.Server, first };
    servers[0]?.close();
  }
  throw new Error(`no ${count} consecutive free ports found`);
}
