// The side-by-side part of `make bench`: wrk against direct (one container), nginx,
// HAProxy and Docker Symphony in interleaved rounds, with the CPU time and memory of
// each proxy process read from /proc around every run.
import { cpuTicks, rssKiB } from './proc.js';
import { median, roundOrder, roundRatio } from './stats.js';
import type { RoundRatio } from './stats.js';
import { runWrk, wrkArgs } from './wrk.js';
import type { RequestKind, WrkResult } from './wrk.js';

/** What is measured: the container straight, or one of the proxies in front of both (naive: bench/naive-proxy.mjs). */
export type TargetName = 'direct' | 'nginx' | 'haproxy' | 'naive' | 'symphony';

/** Every target, in the order tables list them. */
export const TARGETS: readonly TargetName[] = ['direct', 'nginx', 'haproxy', 'naive', 'symphony'];

/** One target: where wrk sends, and the proxy process to measure (none for direct). */
export interface Target {
  readonly name: TargetName;
  readonly port: number;
  readonly pid: number | null;
}

/** One wrk run against one target. */
export interface Run {
  readonly target: TargetName;
  readonly round: number;
  readonly wrk: WrkResult;
  /** CPU of the proxy process per request served, µs (null: direct). */
  readonly proxyCpuUs: number | null;
  /** CPU of the containers' app processes per request, µs (both containers summed). */
  readonly appCpuUs: number | null;
  /** Highest RSS of the proxy process sampled during the run, KiB. */
  readonly rssPeakKiB: number | null;
}

/** The medians of one target over the rounds of one kind of request. */
export interface TargetSummary {
  readonly target: TargetName;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly proxyCpuUs: number | null;
  readonly appCpuUs: number | null;
  readonly rssPeakKiB: number | null;
  readonly requests: number;
  readonly non2xx: number;
  readonly socketErrors: number;
}

/** Everything measured for one kind of request. */
export interface KindResult {
  readonly kind: RequestKind;
  readonly seconds: number;
  readonly connections: number;
  readonly rounds: number;
  readonly runs: readonly Run[];
  readonly summary: readonly TargetSummary[];
  /** Docker Symphony against each other target, HAProxy and the naive proxy against nginx: round by round. */
  readonly ratios: readonly RatioRow[];
}

/** `of` / `to` for req/s, p50, p99 and proxy CPU per request. */
export interface RatioRow {
  readonly of: TargetName;
  readonly to: TargetName;
  readonly rps: RoundRatio;
  readonly p50: RoundRatio;
  readonly p99: RoundRatio;
  readonly cpu: RoundRatio;
}

/** Requests per second of a run. */
export const rpsOf = (r: Run): number => r.wrk.requests / (r.wrk.durationUs / 1e6);
const socketErrors = (w: WrkResult): number => w.errors.connect + w.errors.read + w.errors.write + w.errors.timeout;

/** Medians per target over the runs of one kind. Pure. */
export function summarise(runs: readonly Run[]): TargetSummary[] {
  return TARGETS.flatMap((target) => {
    const mine = runs.filter((r) => r.target === target);
    if (mine.length === 0) return [];
    const nullable = (values: (number | null)[]): number | null => (values.some((v) => v === null) ? null : median(values as number[]));
    return [
      {
        target,
        rps: median(mine.map(rpsOf)),
        p50Ms: median(mine.map((r) => r.wrk.latencyUs.p50 / 1000)),
        p99Ms: median(mine.map((r) => r.wrk.latencyUs.p99 / 1000)),
        proxyCpuUs: nullable(mine.map((r) => r.proxyCpuUs)),
        appCpuUs: nullable(mine.map((r) => r.appCpuUs)),
        rssPeakKiB: mine.some((r) => r.rssPeakKiB === null) ? null : Math.max(...mine.map((r) => r.rssPeakKiB as number)),
        requests: mine.reduce((n, r) => n + r.wrk.requests, 0),
        non2xx: mine.reduce((n, r) => n + r.wrk.non2xx, 0),
        socketErrors: mine.reduce((n, r) => n + socketErrors(r.wrk), 0),
      },
    ];
  });
}

/** Round-by-round ratios of `of` to `to`. Pure. */
export function ratioRow(runs: readonly Run[], rounds: number, of: TargetName, to: TargetName): RatioRow {
  const perRound = (target: TargetName, figure: (r: Run) => number | null): (number | null)[] =>
    Array.from({ length: rounds }, (_, round) => {
      const run = runs.find((r) => r.target === target && r.round === round);
      return run === undefined ? null : figure(run);
    });
  const pair = (figure: (r: Run) => number | null): RoundRatio => roundRatio(perRound(of, figure), perRound(to, figure));
  return {
    of,
    to,
    rps: pair(rpsOf),
    p50: pair((r) => r.wrk.latencyUs.p50),
    p99: pair((r) => r.wrk.latencyUs.p99),
    cpu: pair((r) => r.proxyCpuUs),
  };
}

/** Sums CPU ticks over pids; a pid that has gone counts as nothing (its run is then suspect, not fatal). */
function ticksOf(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => {
    try {
      return sum + cpuTicks(pid);
    } catch {
      return sum;
    }
  }, 0);
}

/** One wrk run against `target`, with /proc readings of the proxy and the app processes around it. */
export async function measureRun(opts: {
  readonly target: Target;
  readonly round: number;
  readonly kind: RequestKind;
  readonly scriptPath: string;
  readonly seconds: number;
  readonly connections: number;
  readonly appPids: readonly number[];
  readonly ticksPerSecond: number;
}): Promise<Run> {
  const { target, kind } = opts;
  const pid = target.pid;
  let rssPeak = pid === null ? null : rssKiB(pid);
  const sampler =
    pid === null
      ? undefined
      : setInterval(() => {
          try {
            rssPeak = Math.max(rssPeak ?? 0, rssKiB(pid));
          } catch {
            // The process went away: the run's result will say so through wrk's errors.
          }
        }, 250);
  const proxyBefore = pid === null ? 0 : cpuTicks(pid);
  const appBefore = ticksOf(opts.appPids);
  let wrk: WrkResult;
  try {
    wrk = await runWrk(wrkArgs(`http://127.0.0.1:${target.port}${kind.path}`, opts.scriptPath, opts.connections, opts.seconds), opts.seconds);
  } finally {
    if (sampler !== undefined) clearInterval(sampler);
  }
  const usPerTick = 1e6 / opts.ticksPerSecond;
  const served = Math.max(1, wrk.requests);
  const proxyCpuUs = pid === null ? null : ((cpuTicks(pid) - proxyBefore) * usPerTick) / served;
  const appCpuUs = opts.appPids.length === 0 ? null : ((ticksOf(opts.appPids) - appBefore) * usPerTick) / served;
  return { target: target.name, round: opts.round, wrk, proxyCpuUs, appCpuUs, rssPeakKiB: rssPeak };
}

/** `rounds` rounds of every target for one kind of request, the order rotating each round. */
export async function measureKind(opts: {
  readonly targets: readonly Target[];
  readonly kind: RequestKind;
  readonly scriptPath: string;
  readonly rounds: number;
  readonly seconds: number;
  readonly connections: number;
  readonly appPids: readonly number[];
  readonly ticksPerSecond: number;
  readonly onRun?: (run: Run) => void;
}): Promise<KindResult> {
  const runs: Run[] = [];
  for (let round = 0; round < opts.rounds; round++) {
    for (const target of roundOrder(opts.targets, round)) {
      const run = await measureRun({ ...opts, target, round });
      runs.push(run);
      opts.onRun?.(run);
    }
  }
  const names = opts.targets.map((t) => t.name);
  const ratios: RatioRow[] = [];
  if (names.includes('symphony')) {
    for (const to of ['nginx', 'haproxy', 'naive', 'direct'] as const) if (names.includes(to)) ratios.push(ratioRow(runs, opts.rounds, 'symphony', to));
  }
  for (const of of ['haproxy', 'naive'] as const) if (names.includes(of) && names.includes('nginx')) ratios.push(ratioRow(runs, opts.rounds, of, 'nginx'));
  return { kind: opts.kind, seconds: opts.seconds, connections: opts.connections, rounds: opts.rounds, runs, summary: summarise(runs), ratios };
}
