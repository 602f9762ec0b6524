// Small tools the fault rows share: the docker CLI as an operator would type it,
// counting a service's containers on the engine, shutting an in-process Symphony down
// so that what it left behind is counted before the sweep, the `finally` steps every
// row repeats, and a per-file sweep of services a cancelled test could not clean up.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { docker as engine, startSymphony, sweep, type Running } from '../../e2e/harness.js';
import type { SymphonyOptions } from '../../../src/config.js';
import { serviceFilter } from '../../../src/orchestrator/labels.js';
import type { SymphonyStatus } from '../../../src/status.js';
import type { LoadRun } from '../load-process.js';
import { eventCounts, type Row } from './row.js';

const exec = promisify(execFile);

/** Runs `docker ARGS…` against the engine of the environment; resolves with stdout. */
export async function dockerCli(...args: string[]): Promise<string> {
  const { stdout } = await exec('docker', args, { timeout: 60_000 });
  return stdout.trim();
}

/** Containers (running or not) carrying the service's label on the engine. */
export async function labelled(service: string): Promise<string[]> {
  return (await engine.listContainers({ all: true, labels: [serviceFilter(service)] })).map((c) => c.id);
}

/** Labelled containers the orchestrator does not list (left behind by a replacement). */
export async function strays(service: string, status: SymphonyStatus): Promise<string[]> {
  const known = new Set(status.containers.map((c) => c.id));
  return (await labelled(service)).filter((id) => !known.has(id));
}

/** Stops the Symphony cleanly, counts the service's containers left, then sweeps them. */
export async function shutdownCountingOrphans(run: Running): Promise<number> {
  await run.symphony.stop();
  const left = (await labelled(run.service)).length;
  await run.stop();
  return left;
}

/** Ready containers' ids. */
export function readyIds(status: SymphonyStatus): string[] {
  return status.containers.filter((c) => c.state === 'ready').map((c) => c.id);
}

/** Waits `ms` of real time (e2e only: the engine and the app run in real time). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** For `finally`: records what the load saw if the row has not yet, then ends it. */
export async function endLoad(row: Row, load: LoadRun | null): Promise<void> {
  if (!load) return;
  if (row.load === null) row.addLoad(await load.stopWithin(10_000));
  load.kill();
}

/** For `finally`: a clean shutdown, recording on the row the containers left and the events logged. */
export async function endService(row: Row, run: Running | null): Promise<void> {
  if (!run) return;
  row.orphans = await shutdownCountingOrphans(run).catch(async (err: unknown) => {
    row.notes.push(`shutdown failed: ${String(err)}`);
    await run.stop().catch(() => {});
    return null;
  });
  row.orchestrator = eventCounts(run.events);
}

// Services this file started and has not yet shut down, for its `after` hook: a test
// cancelled by its timeout never reaches its own `finally`.
const live = new Set<string>();

/** Notes a service for sweepLeftovers (until it is swept). */
export function track(service: string): void {
  live.add(service);
}

/** startSymphony, tracked for sweepLeftovers. */
export async function startService(prefix: string, options: Partial<SymphonyOptions>): Promise<Running> {
  const run = await startSymphony(prefix, options);
  track(run.service);
  return run;
}

/** For a file's `after` hook: removes the containers of every tracked service. */
export async function sweepLeftovers(): Promise<void> {
  for (const service of live) await sweep(service).catch(() => 0);
  live.clear();
}
