// Fault rows on the orchestrator itself: the CLI is killed with SIGKILL under load and
// started again, with the same spec (it must adopt what runs, start nothing, lose no
// GET once it is back) and with a different one (another --env: it must not adopt the
// old containers but replace them, without dropping requests). Requests cut while the
// proxy process itself is dead cannot be saved; they are counted apart.
import { after, test } from 'node:test';
import { DEMO_IMAGE, serviceName, sweep, waitFor } from '../../e2e/harness.js';
import { serviceFilter } from '../../../src/orchestrator/labels.js';
import { startLoad, type LoadRun } from '../load-process.js';
import { startCli, type Cli } from './cli.js';
import { dockerCli, labelled, sleep, sweepLeftovers, track } from './kit.js';
import { eventCounts, Row, withRow } from './row.js';

after(sweepLeftovers);

/** Env of the running containers of a service, by id. */
async function envs(service: string): Promise<Map<string, string[]>> {
  const ids = (await dockerCli('ps', '-q', '--no-trunc', '--filter', `label=${serviceFilter(service)}`)).split('\n').filter(Boolean);
  const out = new Map<string, string[]>();
  for (const id of ids) {
    // A container listed a moment ago may be gone now (being replaced): skip it.
    const env = await dockerCli('inspect', '--format', '{{json .Config.Env}}', id).catch(() => null);
    if (env !== null) out.set(id, JSON.parse(env) as string[]);
  }
  return out;
}

for (const variant of ['same spec', 'different spec'] as const) {
  const extra = variant === 'different spec' ? ['--env', 'SYMPHONY_RELIABILITY=2'] : [];
  test(`orchestrator SIGKILL and restart (${variant})`, (t) =>
    withRow(
      t,
      new Row(`orchestrator SIGKILL, restart with the ${variant}`, `kill -KILL of the CLI under load, then the CLI again${extra.length ? ` with ${extra.join(' ')}` : ''}`),
      async (row) => {
        const service = serviceName('rel-orch');
        track(service);
        const args = ['--image', DEMO_IMAGE, '--name', service, '--listen', '127.0.0.1:0', '--admin-listen', 'off', '--min', '2', '--max', '2', '--stop-timeout', '2s'];
        const clis: Cli[] = [];
        const loads: LoadRun[] = [];
        try {
          const first = startCli(args);
          clis.push(first);
          await first.waitEvent('container.ready', 2);
          const before = (await labelled(service)).sort();

          // Phase 1: load, then the orchestrator dies under it.
          const cut = startLoad({ port: first.ports().proxy, clients: 4, pauseMs: 10, durationMs: 60_000 });
          loads.push(cut);
          await cut.started;
          await sleep(1_500);
          await first.exit('SIGKILL');
          const cutResult = await cut.stop();
          const cutFailed = cutResult.connectionErrors + Object.values(cutResult.failedByStatus).reduce((a, b) => a + b, 0);
          row.notes.push(`${cutFailed} of ${cutResult.sent} requests were cut by the SIGKILL of the proxy process itself (not counted below)`);

          // Phase 2: the new orchestrator under load.
          const second = startCli([...args, ...extra]);
          clis.push(second);
          await second.waitEvent('symphony.started');
          const load = startLoad({ port: second.ports().proxy, clients: 4, pauseMs: 10, durationMs: 120_000 });
          loads.push(load);
          await load.started;
          if (variant === 'same spec') {
            await second.waitEvent('container.adopted', 2).catch((err: unknown) => row.notes.push(String(err).split('\n')[0] ?? ''));
            await sleep(3_000);
            row.expect('containers created after the restart', second.records.filter((r) => r.event === 'container.created').length, 0);
            row.expect('the same containers', JSON.stringify((await labelled(service)).sort()), JSON.stringify(before));
          } else {
            const want = 'SYMPHONY_RELIABILITY=2';
            const converged = await waitFor(
              () => envs(service),
              (m) => m.size === 2 && [...m.values()].every((env) => env.includes(want)),
              40_000,
              'two running containers, all with the new --env',
            ).catch((err: unknown) => {
              row.notes.push(String(err).split('\n')[0] ?? '');
              return null;
            });
            row.check('old-spec containers replaced by new-spec ones', converged !== null, converged ? '' : 'containers without the new --env still run after 40 s');
            await sleep(1_000);
          }
          row.addLoad(await load.stop());
          row.expect('failed GETs after the restart', row.record().failedGets, 0);

          const code = await second.exit('SIGTERM');
          row.expect('exit code after SIGTERM', code, 0);
          row.orphans = (await labelled(service)).length;
          row.orchestrator = eventCounts(second.records);
          row.expect('containers left after shutdown', row.orphans, 0);
        } finally {
          for (const load of loads) load.kill();
          for (const cli of clis) await cli.exit('SIGKILL', 5_000);
          if (row.orchestrator['symphony.started'] === undefined) row.orchestrator = eventCounts(clis.flatMap((c) => c.records));
          await sweep(service);
        }
      },
    ));
}
