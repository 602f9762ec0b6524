// What the proxy costs, and that it stays correct under load:
// `node --import tsx bench/proxy.bench.ts` (or `make bench`).
// Timings on a shared 2-core machine are noisy, so every figure is a ratio against
// direct traffic to one upstream measured in the same run, in alternating order; there
// are no absolute thresholds. Correctness fails the run: every response 200 with its
// body intact, round robin exactly even, A, B, C, … on one keep-alive connection.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { UpstreamPool } from '../src/proxy/pool.js';
import { ProxyServer } from '../src/proxy/server.js';
import { Upstream } from '../src/proxy/upstream.js';
import type { LoadJob, LoadResult } from './load-generator.js';

const UPSTREAMS = 3;
const ROUNDS = 3;
const SMALL = { requests: 21_000, concurrency: 32, warmup: 3_000 };
const LARGE = { requests: 210, concurrency: 8, bodyBytes: 1024 * 1024 };
const SEQUENCE = 30;
/** A job slower than this means something hangs: stop rather than wait forever. */
const JOB_TIMEOUT_MS = 60_000;
const TOPOLOGY = 'load generator in a child process (fork); the upstreams share the proxy process, so proxy figures are a worst case';

/** A plain node:http server standing in for a container; counts what reaches it. */
interface BenchUpstream {
  readonly id: string;
  readonly server: http.Server;
  port: number;
  requests: number;
}

/** One target measured in one round. */
interface Run {
  readonly target: 'direct' | 'proxy';
  readonly result: LoadResult;
  /** Requests each upstream received, by id (server side). */
  readonly received: Record<string, number>;
  /**
   * CPU time of this process (proxy and upstreams) per request, in µs. Less noisy than
   * wall time on a shared machine: proxy minus direct is what the proxy itself costs.
   */
  readonly cpuUsPerRequest: number;
}

/** proxy / direct of one figure: per-round ratios and their median. */
interface Ratio {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

const failures: string[] = [];

function check(ok: boolean, message: string): void {
  if (!ok) failures.push(message);
}

async function startUpstream(id: string): Promise<BenchUpstream> {
  const server = http.createServer();
  const upstream: BenchUpstream = { id, server, port: 0, requests: 0 };
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    upstream.requests++;
    let bytes = 0;
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => {
      const body = JSON.stringify({ upstream: id, bytes, ok: true });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-upstream': id });
      res.end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  upstream.port = (server.address() as AddressInfo).port;
  return upstream;
}

/** Sends one job to the load generator and waits for its result. */
function runJob(child: ChildProcess, job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`load generator gave no result within ${JOB_TIMEOUT_MS} ms for ${job.method} ${job.path} on port ${job.port}`));
    }, JOB_TIMEOUT_MS);
    const onMessage = (result: LoadResult): void => {
      clearTimeout(timer);
      resolve(result);
    };
    child.once('message', onMessage);
    child.send(job);
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function ratio(direct: readonly number[], proxy: readonly number[]): Ratio {
  const perRound = proxy.map((p, i) => p / (direct[i] ?? Number.NaN));
  return { median: median(perRound), min: Math.min(...perRound), max: Math.max(...perRound) };
}

/** Runs `job` against `target`, then checks statuses, bodies and who received what. */
async function measure(
  child: ChildProcess,
  upstreams: readonly BenchUpstream[],
  ports: { direct: number; proxy: number },
  target: Run['target'],
  job: Omit<LoadJob, 'port'>,
): Promise<Run> {
  for (const u of upstreams) u.requests = 0;
  const cpuBefore = process.cpuUsage();
  const result = await runJob(child, { ...job, port: ports[target] });
  const cpu = process.cpuUsage(cpuBefore);
  const cpuUsPerRequest = (cpu.user + cpu.system) / job.requests;
  const received = Object.fromEntries(upstreams.map((u) => [u.id, u.requests]));
  const label = `${target} ${job.method} ×${job.requests}`;
  check(result.errors === 0, `${label}: ${result.errors} connection errors (first: ${result.firstError ?? '?'})`);
  check(result.statuses['200'] === job.requests, `${label}: statuses ${JSON.stringify(result.statuses)}, expected ${job.requests} × 200`);
  check(result.badBodies === 0, `${label}: ${result.badBodies} bodies disagree with their header or the bytes sent`);
  // Direct traffic goes to the first upstream only; through the proxy, strict round
  // robin with no failures gives every upstream exactly its share.
  const expected = (i: number): number => (target === 'direct' ? (i === 0 ? job.requests : 0) : job.requests / upstreams.length);
  upstreams.forEach((u, i) => {
    check(received[u.id] === expected(i), `${label}: ${u.id} received ${received[u.id] ?? 0}, expected ${expected(i)}`);
    check((result.byUpstream[u.id] ?? 0) === expected(i), `${label}: ${result.byUpstream[u.id] ?? 0} responses came from ${u.id}, expected ${expected(i)}`);
  });
  return { target, result, received, cpuUsPerRequest };
}

/** ROUNDS rounds of direct and proxy runs, the order alternating so drift hits both alike. */
async function rounds(
  child: ChildProcess,
  upstreams: readonly BenchUpstream[],
  ports: { direct: number; proxy: number },
  job: Omit<LoadJob, 'port'>,
): Promise<{ direct: Run[]; proxy: Run[]; order: string[] }> {
  const direct: Run[] = [];
  const proxy: Run[] = [];
  const order: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const targets: Run['target'][] = round % 2 === 0 ? ['direct', 'proxy'] : ['proxy', 'direct'];
    order.push(targets.join(' → '));
    for (const target of targets) {
      const run = await measure(child, upstreams, ports, target, job);
      (target === 'direct' ? direct : proxy).push(run);
    }
  }
  return { direct, proxy, order };
}

const rps = (run: Run): number => (run.result.statuses['200'] ?? 0) / (run.result.elapsedMs / 1000);
const mibps = (run: Run): number => run.result.bytesSent / (1024 * 1024) / (run.result.elapsedMs / 1000);
const p50 = (run: Run): number => run.result.latency.p50;
const p99 = (run: Run): number => run.result.latency.p99;
const cpu = (run: Run): number => run.cpuUsPerRequest;
const fmt = (n: number, digits = 0): string => n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const x = (r: Ratio): string => `${r.median.toFixed(2)}×`;
const spread = (r: Ratio): string => `${r.min.toFixed(2)}–${r.max.toFixed(2)}`;

function summary(runs: readonly Run[], figure: (run: Run) => number): { median: number; perRound: number[] } {
  const perRound = runs.map(figure);
  return { median: median(perRound), perRound };
}

async function main(): Promise<void> {
  // Exactly even round robin needs counts the upstreams divide.
  for (const n of [SMALL.requests, SMALL.warmup, LARGE.requests, SEQUENCE]) {
    if (n % UPSTREAMS !== 0) throw new Error(`request count ${n} is not a multiple of ${UPSTREAMS} upstreams`);
  }
  const started = Date.now();
  const upstreams: BenchUpstream[] = [];
  for (let i = 1; i <= UPSTREAMS; i++) upstreams.push(await startUpstream(`u${i}`));
  const pool = new UpstreamPool();
  for (const u of upstreams) pool.add(new Upstream(u.id, u.port));
  const proxy = new ProxyServer({ pool });
  const { port: proxyPort } = await proxy.listen(0, '127.0.0.1');
  const first = upstreams[0];
  if (first === undefined) throw new Error('no upstream started');
  const ports = { direct: first.port, proxy: proxyPort };
  // Inherits our execArgv, so `--import tsx` loads the TypeScript child too.
  const child = fork(fileURLToPath(new URL('./load-generator.ts', import.meta.url)), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });

  try {
    const small = { requests: SMALL.requests, concurrency: SMALL.concurrency, method: 'GET', path: '/api/v1/items?bench=1', bodyBytes: 0, recordSequence: false } as const;
    const large = { requests: LARGE.requests, concurrency: LARGE.concurrency, method: 'POST', path: '/api/v1/upload', bodyBytes: LARGE.bodyBytes, recordSequence: false } as const;

    // Warm up the JIT, the agents and the connections on both paths; checked, not reported.
    await measure(child, upstreams, ports, 'direct', { ...small, requests: SMALL.warmup });
    await measure(child, upstreams, ports, 'proxy', { ...small, requests: SMALL.warmup });

    // The README's promise: A, B, C, A, B, C — also on one keep-alive client connection.
    const seq = await measure(child, upstreams, ports, 'proxy', { ...small, requests: SEQUENCE, concurrency: 1, recordSequence: true });
    const ids = upstreams.map((u) => u.id);
    const start = ids.indexOf(seq.result.sequence[0] ?? '');
    const cyclic = start >= 0 && seq.result.sequence.every((id, i) => id === ids[(start + i) % ids.length]);
    check(seq.result.connections === 1, `sequence: used ${seq.result.connections} client connections, expected 1`);
    check(cyclic, `sequence: upstreams answered ${seq.result.sequence.join(',')}, not in strict rotation`);

    const smallRuns = await rounds(child, upstreams, ports, small);
    const largeRuns = await rounds(child, upstreams, ports, large);

    const s = {
      direct: { rps: summary(smallRuns.direct, rps), p50: summary(smallRuns.direct, p50), p99: summary(smallRuns.direct, p99), cpu: summary(smallRuns.direct, cpu) },
      proxy: { rps: summary(smallRuns.proxy, rps), p50: summary(smallRuns.proxy, p50), p99: summary(smallRuns.proxy, p99), cpu: summary(smallRuns.proxy, cpu) },
    };
    const sRatio = {
      rps: ratio(s.direct.rps.perRound, s.proxy.rps.perRound),
      p50: ratio(s.direct.p50.perRound, s.proxy.p50.perRound),
      p99: ratio(s.direct.p99.perRound, s.proxy.p99.perRound),
      cpu: ratio(s.direct.cpu.perRound, s.proxy.cpu.perRound),
    };
    const l = {
      direct: { mibps: summary(largeRuns.direct, mibps), p50: summary(largeRuns.direct, p50), cpu: summary(largeRuns.direct, cpu) },
      proxy: { mibps: summary(largeRuns.proxy, mibps), p50: summary(largeRuns.proxy, p50), cpu: summary(largeRuns.proxy, cpu) },
    };
    const lRatio = {
      mibps: ratio(l.direct.mibps.perRound, l.proxy.mibps.perRound),
      p50: ratio(l.direct.p50.perRound, l.proxy.p50.perRound),
      cpu: ratio(l.direct.cpu.perRound, l.proxy.cpu.perRound),
    };
    const perUpstream = (runs: readonly Run[]): Record<string, number> =>
      Object.fromEntries(ids.map((id) => [id, runs.reduce((sum, r) => sum + (r.received[id] ?? 0), 0)]));
    const allRuns = [...smallRuns.direct, ...smallRuns.proxy, ...largeRuns.direct, ...largeRuns.proxy];
    const responses = allRuns.reduce((sum, r) => sum + Object.values(r.result.statuses).reduce((a, b) => a + b, 0), 0);
    const ok200 = allRuns.reduce((sum, r) => sum + (r.result.statuses['200'] ?? 0), 0);
    const broken = allRuns.reduce((sum, r) => sum + r.result.errors + r.result.badBodies, 0);
    const smallPer = perUpstream(smallRuns.proxy);
    const largePer = perUpstream(largeRuns.proxy);
    const passed = failures.length === 0;
    const elapsedS = (Date.now() - started) / 1000;

    const ok = (b: boolean): string => (b ? 'ok' : 'FAILED');
    const row = (cells: readonly string[]): string => `  ${(cells[0] ?? '').padEnd(24)}${cells.slice(1).map((c) => c.padStart(12)).join('')}`;
    const lines = [
      `proxy benchmark: node ${process.version}, ${os.cpus().length} CPUs, ${UPSTREAMS} upstreams, ${ROUNDS} rounds (order alternates), medians of rounds`,
      `  ${TOPOLOGY}`,
      '',
      `small GET: ${fmt(SMALL.requests)} requests per run, concurrency ${SMALL.concurrency}, keep-alive`,
      row(['', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req']),
      row(['direct (1 upstream)', fmt(s.direct.rps.median), s.direct.p50.median.toFixed(2), s.direct.p99.median.toFixed(2), fmt(s.direct.cpu.median)]),
      row([`proxy (${UPSTREAMS} upstreams)`, fmt(s.proxy.rps.median), s.proxy.p50.median.toFixed(2), s.proxy.p99.median.toFixed(2), fmt(s.proxy.cpu.median)]),
      row(['proxy / direct', x(sRatio.rps), x(sRatio.p50), x(sRatio.p99), x(sRatio.cpu)]),
      row(['  range over rounds', spread(sRatio.rps), spread(sRatio.p50), spread(sRatio.p99), spread(sRatio.cpu)]),
      '',
      `large POST: ${LARGE.requests} × ${LARGE.bodyBytes / (1024 * 1024)} MiB per run, streamed in 64 KiB chunks, concurrency ${LARGE.concurrency}`,
      row(['', 'MiB/s', 'p50 ms', '', 'CPU µs/MiB']),
      row(['direct (1 upstream)', fmt(l.direct.mibps.median), l.direct.p50.median.toFixed(1), '', fmt(l.direct.cpu.median)]),
      row([`proxy (${UPSTREAMS} upstreams)`, fmt(l.proxy.mibps.median), l.proxy.p50.median.toFixed(1), '', fmt(l.proxy.cpu.median)]),
      row(['proxy / direct', x(lRatio.mibps), x(lRatio.p50), '', x(lRatio.cpu)]),
      row(['  range over rounds', spread(lRatio.mibps), spread(lRatio.p50), '', spread(lRatio.cpu)]),
      '',
      `CPU: of this process (proxy + upstreams) per request; proxy minus direct is the proxy's own cost`,
      '',
      'correctness',
      `  200, body intact                ${fmt(ok200)} / ${fmt(responses)} measured responses, ${broken} errors (warm-up checked too)  ${ok(ok200 === responses && broken === 0)}`,
      `  round robin, small GET          ${ids.map((id) => `${id} ${fmt(smallPer[id] ?? 0)}`).join(' · ')}  ${ok(new Set(Object.values(smallPer)).size === 1)}`,
      `  round robin, large POST         ${ids.map((id) => `${id} ${fmt(largePer[id] ?? 0)}`).join(' · ')}  ${ok(new Set(Object.values(largePer)).size === 1)}`,
      `  A, B, C on one connection       ${seq.result.sequence.slice(0, 7).join(',')},… (${SEQUENCE} requests, ${seq.result.connections} connection)  ${ok(cyclic && seq.result.connections === 1)}`,
      '',
      `${passed ? 'PASSED' : 'FAILED'} in ${elapsedS.toFixed(1)} s`,
      ...failures.map((f) => `  ${f}`),
    ];
    console.log(lines.join('\n'));

    const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
    mkdirSync(resultsDir, { recursive: true });
    const file = `${resultsDir}latest.json`;
    const report = {
      benchmark: 'proxy',
      date: new Date().toISOString(),
      passed,
      failures,
      elapsedSeconds: elapsedS,
      machine: { node: process.version, platform: `${os.platform()} ${os.release()}`, arch: os.arch(), cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '?' },
      topology: TOPOLOGY,
      config: { upstreams: UPSTREAMS, rounds: ROUNDS, small: SMALL, large: LARGE, sequence: SEQUENCE },
      small: { order: smallRuns.order, ...s, ratio: sRatio, perUpstream: smallPer },
      large: { order: largeRuns.order, ...l, ratio: lRatio, perUpstream: largePer },
      sequence: { upstreams: seq.result.sequence, connections: seq.result.connections, cyclic },
      runs: {
        small: { direct: smallRuns.direct.map((r) => r.result), proxy: smallRuns.proxy.map((r) => r.result) },
        large: { direct: largeRuns.direct.map((r) => r.result), proxy: largeRuns.proxy.map((r) => r.result) },
      },
    };
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`wrote ${file}`);
    if (!passed) process.exitCode = 1;
  } finally {
    child.disconnect();
    await proxy.close({ graceMs: 1000 });
    for (const u of upstreams) {
      u.server.closeAllConnections();
      u.server.close();
    }
  }
}

await main();
