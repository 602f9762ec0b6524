// Fault row: the Docker engine stops and starts again under load. It runs against an
// engine of its own (a dockerd in a network namespace this test creates, see
// scripts/netns-engine.sh), so the shared engine and other tests are never touched;
// the orchestrator and the load run inside that namespace, on its 127.0.0.1.
// Twice: a clean stop (SIGTERM; the engine stops the containers) and a hard one
// (SIGKILL; stale pid file cleared). Expected: the outage is reported as its own state
// (status engine.state; one log line as it starts, one as it ends; no crash-loop
// back-off), the service is back to its desired count after each, the containers that
// died in the outage are removed from the engine, and a clean shutdown leaves no
// labelled container there. While the engine is
// down nothing can serve (a clean stop stops the containers; a killed dockerd takes
// its port proxies with it), so only 200 or 503 answers are acceptable then.
import { execFile } from 'node:child_process';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { NetnsEngine, netnsEngineUnavailable } from '../../helpers/netns-engine.js';
import { DEMO_IMAGE, serviceName, waitFor } from '../../e2e/harness.js';
import { serviceFilter } from '../../../src/orchestrator/labels.js';
import type { SymphonyStatus } from '../../../src/status.js';
import { startLoad, type LoadRun } from '../load-process.js';
import { startCli, type Cli } from './cli.js';
import { sleep } from './kit.js';
import { eventCounts, FULL, Row, withRow } from './row.js';

const exec = promisify(execFile);
const REPLICAS = 2;
// What the test's `finally` must undo, kept here too: a test cancelled by its timeout never reaches it.
const undo: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const step of undo.splice(0)) await step().catch(() => {});
});

test('Docker engine stop and restart (private engine in a network namespace)', (t) => {
  if (!FULL) return t.skip('the engine restart (~30 s, root) runs in make reliability (SYMPHONY_RELIABILITY_FULL=1)');
  const unavailable = netnsEngineUnavailable();
  if (unavailable) return t.skip(`a private engine cannot run here: ${unavailable}`);
  return withRow(
    t,
    new Row(
      'Docker engine stop and restart',
      'dockerd of a private engine: SIGTERM, 3 s down, start; then SIGKILL (pid file cleared), 3 s down, start; under load',
      'full',
    ),
    async (row) => {
      const engine = new NetnsEngine('r');
      const service = serviceName('rel-engine');
      let cli: Cli | null = null;
      let load: LoadRun | null = null;
      const labelledOnEngine = async (): Promise<string[]> => {
        const { stdout } = await exec('docker', ['-H', engine.dockerHost, 'ps', '-aq', '--no-trunc', '--filter', `label=${serviceFilter(service)}`], { timeout: 30_000 });
        return stdout.split('\n').filter(Boolean);
      };
      undo.push(async () => cli?.exit('SIGKILL', 5_000), () => engine.down());
      try {
        await engine.up();
        await engine.load(DEMO_IMAGE);
        cli = startCli(
          ['--image', DEMO_IMAGE, '--name', service, '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--min', String(REPLICAS), '--max', String(REPLICAS), '--stop-timeout', '2s', '--queue-timeout', '5s', '--pull', 'never'],
          { netns: engine.netns, dockerHost: engine.dockerHost },
        );
        await cli.waitEvent('container.ready', REPLICAS, 60_000);
        const { proxy, admin } = cli.ports();
        if (admin === null) throw new Error('the admin server did not start');
        const status = async (): Promise<SymphonyStatus | null> => {
          const body = await engine.get(admin, '/api/status');
          return body === null ? null : (JSON.parse(body) as SymphonyStatus);
        };
        const ready = (s: SymphonyStatus | null): number => s?.containers.filter((c) => c.state === 'ready').length ?? 0;

        load = startLoad({ port: proxy, clients: 4, pauseMs: 20, durationMs: 300_000, requestTimeoutMs: 30_000 }, { netns: engine.netns });
        await load.started;
        await sleep(1_000);

        for (const signal of ['TERM', 'KILL'] as const) {
          await engine.stop(signal);
          const outage = await waitFor(status, (s) => s?.engine.state === 'unavailable', 10_000, 'engine.state unavailable').catch(() => null);
          row.check(`SIG${signal}: the outage is reported as engine.state=unavailable`, outage !== null, outage ? '' : 'status never said so within 10 s');
          await sleep(3_000);
          await engine.start();
          const back = await waitFor(status, (s) => ready(s) === REPLICAS && s?.engine.state !== 'unavailable', 60_000, `${REPLICAS} ready again`).catch(() => null);
          row.check(`SIG${signal}: back to ${REPLICAS} ready after the engine returned`, back !== null, back ? '' : `not within 60 s (ready: ${ready(await status())})`);
          // Containers that died in the outage must not stay on the engine: failed removals are retried.
          let strays: string[] = [];
          for (const until = Date.now() + 15_000; Date.now() < until; await sleep(500)) {
            const known = new Set((await status())?.containers.map((c) => c.id) ?? []);
            strays = (await labelledOnEngine()).filter((id) => !known.has(id));
            if (strays.length === 0) break;
          }
          row.expect(`SIG${signal}: labelled containers on the engine the orchestrator no longer lists`, strays.length, 0);
        }
        await sleep(1_000);
        const seen = await load.stop();
        row.addLoad(seen);
        row.check('only 200 or 503 answers (503: nothing can serve while the engine is down)', Object.keys(seen.byStatus).every((s) => s === '200' || s === '503'), JSON.stringify(seen.byStatus));
        row.expect('connection errors', seen.connectionErrors, 0);
        row.notes.push('while the engine is down no container can run: a 503 is the honest answer then; any other failure is a defect');

        // The outage is its own state: one line when it starts, one when it ends, no crash-loop back-off.
        const logged = (event: string): number => cli?.records.filter((r) => r.event === event).length ?? 0;
        row.expect('engine.unavailable log lines (one per outage)', logged('engine.unavailable'), 2);
        row.expect('engine.available log lines (one per outage)', logged('engine.available'), 2);
        row.expect('back-off waits caused by the outage', logged('backoff.wait'), 0);

        const code = await cli.exit('SIGTERM');
        row.expect('exit code after SIGTERM', code, 0);
        row.orphans = (await labelledOnEngine()).length;
        row.expect('labelled containers left on the engine after shutdown', row.orphans, 0);
      } finally {
        load?.kill();
        if (cli) {
          await cli.exit('SIGKILL', 5_000);
          row.orchestrator = eventCounts(cli.records);
        }
        if (row.orphans === null) row.orphans = await labelledOnEngine().then((ids) => ids.length, () => null);
        await engine.down().catch((err: unknown) => row.notes.push(`teardown: ${String(err)}`));
      }
    },
  );
});
