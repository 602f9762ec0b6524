// The orchestrator's reaction times, measured on a Docker Symphony of its own (1 to 2
// containers, a 5 s window, 20 requests per extra container) under a bounded paced load:
// threshold crossed → new container serving; one container made unhealthy → out of
// rotation, replacement serving; failed requests during a container kill and during a
// scale-down. Times come from the load's own samples, the status API (polled) and the
// CLI's log records, all on this host's clock.
import { execFileSync } from 'node:child_process';
import { request, waitFor } from './children.js';
import { PacedLoad } from './paced-load.js';
import type { Sample } from './paced-load.js';
import type { LogLine, SymphonyProcess } from './symphony-process.js';

/** The flags of the Symphony the reactions are measured on. */
export const REACTION_FLAGS = ['--min', '1', '--max', '2', '--window', '5s', '--base-scale-count', '20', '--health-interval', '1s', '--stop-timeout', '2s', '--drain-timeout', '5s', '--startup-timeout', '20s'] as const;
const BASE_SCALE_COUNT = 20;
const HEALTH_INTERVAL_MS = 1000;

/** One measured reaction: a duration in ms or a count, with the issue's target. */
export interface ReactionRow {
  readonly what: string;
  readonly value: number | null;
  readonly unit: 'ms' | 'failed';
  /** The target, in the same unit, and whether it is a ceiling (`<`) or an exact count. */
  readonly target: string;
  readonly met: boolean | null;
  /** How it was measured and what else was seen (log times, counts). */
  readonly detail: string;
}

const STEP_TIMEOUT_MS = 30_000;
const hostOf = (id: string): string => id.slice(0, 12);
const failed = (samples: readonly Sample[]): Sample[] => samples.filter((s) => s.status !== 200);

/** The first log record of `event` at or after `from` (for `container`, if given). */
function logAfter(logs: readonly LogLine[], event: string, from: number, container?: string): LogLine | undefined {
  return logs.find((l) => l.event === event && l.time >= from && (container === undefined || l.container === container));
}

/** First sample at or after `from` answered by a container outside `known`. */
function firstNewHost(samples: readonly Sample[], known: ReadonlySet<string>, from: number): Sample | undefined {
  return samples.filter((s) => s.status === 200 && s.host !== null && !known.has(s.host) && s.doneAt >= from).sort((a, b) => a.doneAt - b.doneAt)[0];
}

const since = (t0: number, t: number | undefined): string => (t === undefined ? '—' : `+${t - t0} ms`);
const describeFailures = (bad: readonly Sample[]): string =>
  bad.length === 0 ? '' : `; failures: ${bad.slice(0, 3).map((s) => (s.status === 0 ? (s.error ?? 'error') : String(s.status))).join(', ')}${bad.length > 3 ? ', …' : ''}`;

/** Runs the four measurements in order on `sym` (started with REACTION_FLAGS, one container ready). */
export async function measureReactions(sym: SymphonyProcess, log: (line: string) => void): Promise<ReactionRow[]> {
  const rows: ReactionRow[] = [];
  const load = new PacedLoad({ port: sym.port, path: '/api/v1/whoami', rate: 40, maxRequests: 12_000, maxMs: 150_000 });
  let slow: PacedLoad | undefined;
  try {
    // 1. Threshold crossed → a new container serving.
    const initial = new Set((await sym.ready()).map((c) => hostOf(c.id)));
    const newServing = await waitFor('a second container serving after the threshold', async () => firstNewHost(load.samples, initial, 0), STEP_TIMEOUT_MS, 50);
    const sent = [...load.samples].sort((a, b) => a.sentAt - b.sentAt);
    const crossed = sent[BASE_SCALE_COUNT - 1]?.sentAt ?? newServing.doneAt;
    const decision = sym.logs.find((l) => l.event === 'scale.decision' && l.time >= crossed - 50 && (l.fields?.['replicas'] ?? l.fields?.['desired']) === 2) ?? logAfter(sym.logs, 'scale.decision', crossed - 50);
    const created = logAfter(sym.logs, 'container.created', crossed - 50);
    const ready = logAfter(sym.logs, 'container.ready', crossed - 50);
    const upMs = newServing.doneAt - crossed;
    rows.push({
      what: 'threshold crossed → new container serving',
      value: upMs,
      unit: 'ms',
      target: '< 1500 ms',
      met: upMs < 1500,
      detail: `40 req/s; crossed at the ${BASE_SCALE_COUNT}th request of a 5 s window; scale.decision ${since(crossed, decision?.time)}, container.created ${since(crossed, created?.time)}, container.ready ${since(crossed, ready?.time)}, first answer from it +${upMs} ms`,
    });
    log(`  reaction: scale-up ${upMs} ms`);

    // 2. One container reports unhealthy → out of rotation, and a replacement serving.
    const before = await waitFor('two ready containers', async () => {
      const r = await sym.ready();
      return r.length >= 2 ? r : undefined;
    }, STEP_TIMEOUT_MS);
    const victim = before[0];
    if (victim === undefined || victim.hostPort === null) throw new Error('no ready container to make unhealthy');
    const known = new Set(load.samples.flatMap((s) => (s.host === null ? [] : [s.host])));
    for (const c of before) known.add(hostOf(c.id));
    const t0 = Date.now();
    const answer = await request(victim.hostPort, 'POST', '/api/v1/_unhealthy');
    if (answer.status !== 200) throw new Error(`POST /api/v1/_unhealthy to ${victim.name} answered ${answer.status}`);
    const outAt = await waitFor('the unhealthy container out of rotation', async () => {
      const s = await sym.status();
      const c = s.containers.find((x) => x.id === victim.id);
      return c === undefined || c.state !== 'ready' ? Date.now() : undefined;
    }, STEP_TIMEOUT_MS, 50);
    const replacement = await waitFor('a replacement serving', async () => firstNewHost(load.samples, known, t0), STEP_TIMEOUT_MS, 50);
    const unhealthyLog = logAfter(sym.logs, 'container.unhealthy', t0, victim.id);
    const outMs = (unhealthyLog?.time ?? outAt) - t0;
    const lastToVictim = Math.max(0, ...load.samples.filter((s) => s.host === hostOf(victim.id)).map((s) => s.sentAt));
    rows.push({
      what: 'unhealthy → out of rotation',
      value: outMs,
      unit: 'ms',
      target: `≤ ${HEALTH_INTERVAL_MS} ms (one health interval)`,
      met: outMs <= HEALTH_INTERVAL_MS,
      detail: `POST /api/v1/_unhealthy to its port; container.unhealthy log ${since(t0, unhealthyLog?.time)}, status not ready ${since(t0, outAt)} (polled every 50 ms), last request sent to it ${since(t0, lastToVictim || undefined)}`,
    });
    const replMs = replacement.doneAt - t0;
    rows.push({
      what: 'unhealthy → replacement serving',
      value: replMs,
      unit: 'ms',
      target: '< 2000 ms',
      met: replMs < 2000,
      detail: `first answer from a new container +${replMs} ms; container.created ${since(t0, logAfter(sym.logs, 'container.created', t0)?.time)}, container.ready ${since(t0, logAfter(sym.logs, 'container.ready', t0)?.time)}`,
    });
    log(`  reaction: unhealthy out ${outMs} ms, replacement ${replMs} ms`);

    // 3. A container killed under load: no request may fail.
    load.setRate(100);
    const live = await waitFor('two ready containers before the kill', async () => {
      const r = await sym.ready();
      return r.length >= 2 ? r : undefined;
    }, STEP_TIMEOUT_MS);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const target = live[0];
    if (target === undefined) throw new Error('no ready container to kill');
    for (const s of load.samples) if (s.host !== null) known.add(s.host);
    for (const c of live) known.add(hostOf(c.id));
    const k0 = Date.now();
    execFileSync('docker', ['kill', target.id], { stdio: 'ignore' });
    const killReplacement = await waitFor('a replacement serving after the kill', async () => firstNewHost(load.samples, known, k0), STEP_TIMEOUT_MS, 50);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const killWindow = load.between(k0 - 1000, killReplacement.doneAt + 2000);
    const killBad = failed(killWindow);
    const killNoticed = logAfter(sym.logs, 'container.unhealthy', k0, target.id);
    const killBackoff = logAfter(sym.logs, 'backoff.wait', k0);
    rows.push({
      what: 'requests failed during a container kill',
      value: killBad.length,
      unit: 'failed',
      target: '0',
      met: killBad.length === 0,
      detail: `\`docker kill\` at 100 req/s; ${killWindow.length} requests from 1 s before the kill to 2 s after a replacement served (+${killReplacement.doneAt - k0} ms); its exit noticed ${since(k0, killNoticed?.time)}${killBackoff === undefined ? '' : `, back-off before the replacement (${killBackoff.message})`}${describeFailures(killBad)}`,
    });
    log(`  reaction: kill ${killBad.length} failed of ${killWindow.length}`);

    // 4. Scale-down with requests in flight: the rate drops below the threshold (3.5 req/s,
    // 17.5 in the 5 s window), mostly 2 s requests, so ~3 are in flight on each container
    // when one is drained.
    const d0 = Date.now();
    load.setRate(0.5);
    slow = new PacedLoad({ port: sym.port, path: '/api/v1/slow?ms=2000', rate: 3, maxRequests: 120, maxMs: 60_000 });
    const draining = await waitFor('a container draining (scale-down)', async () => logAfter(sym.logs, 'container.draining', d0), 30_000, 100);
    const removed = await waitFor('the scale-down to finish (container.removed)', async () => logAfter(sym.logs, 'container.removed', d0, draining.container), 30_000, 100);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await slow.stop();
    await load.stop();
    const downWindow = [...load.between(d0, removed.time + 2000), ...slow.samples];
    const downBad = failed(downWindow);
    rows.push({
      what: 'requests failed during a scale-down',
      value: downBad.length,
      unit: 'failed',
      target: '0',
      met: downBad.length === 0,
      detail: `rate cut to 0.5 req/s plus 3 req/s of 2 s requests; container.draining ${since(d0, draining.time)} ("${draining.message}"), container.removed ${since(d0, removed.time)}; ${downWindow.length} requests checked${describeFailures(downBad)}`,
    });
    log(`  reaction: scale-down ${downBad.length} failed of ${downWindow.length}`);
  } finally {
    await slow?.stop();
    await load.stop();
  }
  return rows;
}
