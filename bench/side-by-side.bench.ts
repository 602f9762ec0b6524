// `make bench`: Docker Symphony against nginx, HAProxy and a naive node:http proxy in front of
// the same two demo containers, and one container straight, with wrk; then the orchestrator's
// reaction times, a CPU profile of it (separate run) and the request window's cost
// (bench/window.bench.ts); writes BENCHMARKS.md.
//   node --import tsx bench/side-by-side.bench.ts [--quick] [--from dist|src] [--out FILE]
//        [--no-reactions] [--cpu-prof DIR]
// --quick: 1 s runs, 2 rounds, a short wait before the "after" memory reading (to check
// the harness, not to measure); the report then goes to bench/results/ unless --out says.
// --cpu-prof DIR: runs the measured Symphony under `node --cpu-prof` (slower: its figures
// are then not comparable) and leaves the profile in DIR.
// Needs wrk, nginx and haproxy (scripts/ensure-bench-tools.sh), the demo image (`make
// image`) and, by default, `make build`. Every process it starts is its own child, on
// 127.0.0.1 ports it picked free, and is stopped in `finally`; containers by label.
// Exit status 1 when a request failed (non-2xx, socket error, a failed request during a
// kill or scale-down); timings are only reported.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, GiveUp, request, startChild, stopAllChildren, waitFor } from './children.js';
import type { Child } from './children.js';
import { measureKind } from './compare.js';
import type { KindResult, Target } from './compare.js';
import { clockTicksPerSecond, rssKiB } from './proc.js';
import { measureReactions, REACTION_FLAGS } from './reactions.js';
import type { ReactionRow } from './reactions.js';
import { haproxyCommand, haproxyConfig, nginxCommand, nginxConfig } from './reference-proxies.js';
import { profileSymphony } from './profile-run.js';
import { renderReport } from './report.js';
import type { Correctness, MemoryRow, ReportInput } from './report.js';
import { containerPid, startSymphony } from './symphony-process.js';
import type { CliSource, SymphonyProcess } from './symphony-process.js';
import { writeWrkScript } from './wrk.js';
import type { RequestKind } from './wrk.js';

const IMAGE = process.env['IMAGE'] ?? 'docker-symphony-demo:latest';
const CONNECTIONS = 32;
const KINDS: readonly RequestKind[] = [
  { name: 'get', method: 'GET', path: '/api/v1/whoami', bodyBytes: 0, close: false },
  { name: 'post-64k', method: 'POST', path: '/api/v1/echo', bodyBytes: 64 * 1024, close: false },
  { name: 'get-close', method: 'GET', path: '/api/v1/whoami', bodyBytes: 0, close: true },
];
/** Rounds and seconds per run, by kind; the whole run stays within a few minutes. */
const FULL = { rounds: { get: 5, 'post-64k': 3, 'get-close': 3 } as Record<string, number>, seconds: { get: 4, 'post-64k': 3, 'get-close': 3 } as Record<string, number>, warmupSeconds: 2, afterMs: 60_000, profileSeconds: 5 };
const QUICK = { rounds: { get: 2, 'post-64k': 2, 'get-close': 2 } as Record<string, number>, seconds: { get: 1, 'post-64k': 1, 'get-close': 1 } as Record<string, number>, warmupSeconds: 1, afterMs: 5_000, profileSeconds: 1 };

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
/** Hand-written notes appended to the report (what was tried, what limits it): kept across runs. */
const NOTES = join(root, 'bench/NOTES.md');
// Debian installs nginx and haproxy in /usr/sbin, which a non-login PATH may lack.
process.env['PATH'] = `${process.env['PATH'] ?? ''}:/usr/sbin:/sbin`;

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** `name version` from what a tool prints about itself (wherever it prints it). */
function versionOf(name: string, command: string, args: readonly string[], pattern: RegExp): string {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  const text = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  return `${name} ${pattern.exec(text)?.[1] ?? text.split('\n')[0]?.trim() ?? '?'}`;
}

function machine(): ReportInput['machine'] {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  return {
    nproc: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()),
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? '?',
    memoryGiB: os.totalmem() / 1024 ** 3,
    kernel: `${os.type()} ${os.release()}`,
    loadAverageStart: os.loadavg(),
    loadAverageEnd: os.loadavg(),
  };
}

/** Starts a reference proxy and waits until it answers 200 through to a container. */
async function startReference(name: 'nginx' | 'haproxy', dir: string, upstreamPorts: readonly number[]): Promise<{ child: Child; port: number; config: string; command: string }> {
  const port = await freePort();
  const setup = { listenPort: port, upstreamPorts, dir };
  const config = name === 'nginx' ? nginxConfig(setup) : haproxyConfig(setup);
  const configPath = join(dir, `${name}.conf`);
  writeFileSync(configPath, config);
  const { command, args } = name === 'nginx' ? nginxCommand(configPath, dir) : haproxyCommand(configPath);
  const child = startChild(name, command, args);
  await waitFor(`${name} answering on 127.0.0.1:${port}`, async () => {
    if (child.process.exitCode !== null) throw new GiveUp(`${name} exited with code ${child.process.exitCode}: ${child.output().slice(-1000)}`);
    const a = await request(port, 'GET', '/api/v1/whoami', 2_000);
    return a.status === 200 ? true : undefined;
  }, 15_000);
  return { child, port, config, command: `${command} ${args.join(' ')}` };
}

/** Starts bench/naive-proxy.mjs on bare node and waits until it answers 200. */
async function startNaive(upstreamPorts: readonly number[]): Promise<{ child: Child; port: number; command: string }> {
  const port = await freePort();
  const args = ['bench/naive-proxy.mjs', String(port), ...upstreamPorts.map(String)];
  const child = startChild('naive proxy', process.execPath, args, { cwd: root });
  await waitFor(`the naive proxy answering on 127.0.0.1:${port}`, async () => {
    if (child.process.exitCode !== null) throw new GiveUp(`the naive proxy exited with code ${child.process.exitCode}: ${child.output().slice(-1000)}`);
    const a = await request(port, 'GET', '/api/v1/whoami', 2_000);
    return a.status === 200 ? true : undefined;
  }, 15_000);
  return { child, port, command: `node ${args.join(' ')}` };
}

/** 8 GETs on fresh connections through `port`: all 200, and which containers answered. */
async function checkRotation(name: string, port: number): Promise<Correctness> {
  const hosts = new Set<string>();
  let ok = 0;
  for (let i = 0; i < 8; i++) {
    const a = await request(port, 'GET', '/api/v1/whoami');
    if (a.status === 200) ok++;
    try {
      hosts.add(String((JSON.parse(a.body) as { hostname?: unknown }).hostname));
    } catch {
      // Not the app's JSON: counted as not 200 above if it was an error.
    }
  }
  return { target: name, requests: 8, ok, containers: hosts.size };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      from: { type: 'string', default: 'dist' },
      out: { type: 'string' },
      'no-reactions': { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
    },
  });
  const source = values.from as CliSource;
  if (source !== 'dist' && source !== 'src') throw new Error(`--from takes dist or src, not ${values.from}`);
  const plan = values.quick ? QUICK : FULL;
  const out = resolve(values.out ?? (values.quick ? join(root, 'bench/results/BENCHMARKS.quick.md') : join(root, 'BENCHMARKS.md')));
  const started = Date.now();
  const startedMachine = machine();
  const hz = clockTicksPerSecond();
  const dir = mkdtempSync(join(os.tmpdir(), 'symphony-bench-'));
  const profDir = values['cpu-prof'] === undefined ? undefined : resolve(values['cpu-prof']);
  const nodeArgs = profDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profDir];
  let symA: SymphonyProcess | undefined;
  let symB: SymphonyProcess | undefined;
  let cleaning: Promise<void> | undefined;
  // Once, whether the run ends, fails or is interrupted: Symphonies first (they remove
  // their containers), then nginx, HAProxy and anything else still running.
  const cleanup = (): Promise<void> =>
    (cleaning ??= (async () => {
      await symB?.stop().catch((e: unknown) => say(`bench: stopping the reaction Symphony: ${String(e)}`));
      await symA?.stop().catch((e: unknown) => say(`bench: stopping Symphony: ${String(e)}`));
      await stopAllChildren();
      rmSync(dir, { recursive: true, force: true });
    })());
  const interrupted = (signal: NodeJS.Signals): void => {
    say(`bench: ${signal}, cleaning up`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    say('bench: the request window (bench/window.bench.ts)');
    const windowRun = spawnSync(process.execPath, ['--import', 'tsx', 'bench/window.bench.ts'], { cwd: root, encoding: 'utf8', timeout: 180_000 });
    if (windowRun.status !== 0) throw new Error(`bench/window.bench.ts failed: ${windowRun.stderr || windowRun.error?.message || `signal ${windowRun.signal}`}`);
    const windowLines = windowRun.stdout.split('\n').filter((l) => l.trim() !== '');
    for (const l of windowLines) say(`  ${l}`);
    say(`bench: Docker Symphony (${source}) with 2 containers of ${IMAGE}; temp dir ${dir}`);
    symA = await startSymphony({ root, source, prefix: 'cmp', image: IMAGE, flags: ['--min', '2', '--max', '2', '--stop-timeout', '2s'], readyCount: 2, nodeArgs });
    const containers = await symA.ready();
    const upstreamPorts = containers.map((c) => c.hostPort as number);
    const appPids = containers.map((c) => containerPid(c.id));
    const nginx = await startReference('nginx', dir, upstreamPorts);
    const haproxy = await startReference('haproxy', dir, upstreamPorts);
    const naive = await startNaive(upstreamPorts);
    const first = upstreamPorts[0];
    if (first === undefined) throw new Error('no container port');
    const targets: Target[] = [
      { name: 'direct', port: first, pid: null },
      { name: 'nginx', port: nginx.port, pid: nginx.child.pid },
      { name: 'haproxy', port: haproxy.port, pid: haproxy.child.pid },
      { name: 'naive', port: naive.port, pid: naive.child.pid },
      { name: 'symphony', port: symA.port, pid: symA.child.pid },
    ];
    const proxies = targets.filter((t) => t.pid !== null) as (Target & { pid: number })[];
    const idle = Object.fromEntries(proxies.map((t) => [t.name, rssKiB(t.pid)]));
    const rotation: Correctness[] = [];
    for (const t of targets) rotation.push(await checkRotation(t.name, t.port));

    const scripts = Object.fromEntries(KINDS.map((k) => [k.name, writeWrkScript(dir, k)]));
    say(`bench: warm-up, ${plan.warmupSeconds} s per target`);
    const get = KINDS[0] as RequestKind;
    await measureKind({ targets, kind: get, scriptPath: scripts['get'] as string, rounds: 1, seconds: plan.warmupSeconds, connections: CONNECTIONS, appPids, ticksPerSecond: hz });

    const results: KindResult[] = [];
    let afterGet: { seconds: number; kib: Record<string, number> } | null = null;
    for (const kind of KINDS) {
      const rounds = plan.rounds[kind.name] ?? 1;
      const seconds = plan.seconds[kind.name] ?? 1;
      say(`bench: ${kind.name}: ${rounds} rounds × ${targets.length} targets × ${seconds} s`);
      results.push(
        await measureKind({
          targets, kind, scriptPath: scripts[kind.name] as string, rounds, seconds, connections: CONNECTIONS, appPids, ticksPerSecond: hz,
          onRun: (r) => say(`  round ${r.round + 1} ${r.target.padEnd(8)} ${Math.round(r.wrk.requests / (r.wrk.durationUs / 1e6)).toString().padStart(6)} req/s  p99 ${(r.wrk.latencyUs.p99 / 1000).toFixed(2)} ms  cpu ${r.proxyCpuUs === null ? '—' : r.proxyCpuUs.toFixed(1)} µs/req  non-2xx ${r.wrk.non2xx}`),
        }),
      );
      if (afterGet === null) {
        // The issue's "a minute after that load": every proxy idles before the next kind of load.
        const getEnded = Date.now();
        say(`bench: waiting ${Math.round(plan.afterMs / 1000)} s for the memory reading after the GET load`);
        await new Promise((r) => setTimeout(r, plan.afterMs));
        afterGet = { seconds: (Date.now() - getEnded) / 1000, kib: Object.fromEntries(proxies.map((t) => [t.name, rssKiB(t.pid)])) };
      }
    }
    const loadEnded = Date.now();
    const peakOf = (name: string, kinds: readonly KindResult[]): number => Math.max(0, ...kinds.flatMap((k) => k.runs.filter((r) => r.target === name).map((r) => r.rssPeakKiB ?? 0)));

    let reactions: ReactionRow[] = [];
    let reactionCommand = '';
    if (!values['no-reactions']) {
      say('bench: reaction times (a second Docker Symphony, 1 to 2 containers)');
      symB = await startSymphony({ root, source, prefix: 'react', image: IMAGE, flags: REACTION_FLAGS, readyCount: 1 });
      reactionCommand = symB.commandLine;
      reactions = await measureReactions(symB, say);
      await symB.stop();
      symB = undefined;
    }
    say('bench: where Docker Symphony\'s CPU goes (a separate instance under node --cpu-prof)');
    const profile = await profileSymphony({ root, source, image: IMAGE, scriptPath: scripts['get'] as string, path: get.path, connections: CONNECTIONS, seconds: plan.profileSeconds, top: 15 });
    const waitMs = Math.max(0, plan.afterMs - (Date.now() - loadEnded));
    if (waitMs > 0) {
      say(`bench: waiting ${Math.round(waitMs / 1000)} s for the "after" memory reading`);
      await new Promise((r) => setTimeout(r, waitMs));
    }
    const afterSeconds = (Date.now() - loadEnded) / 1000;
    const memory: MemoryRow[] = proxies.map((t) => ({
      target: t.name,
      idleKiB: idle[t.name] ?? 0,
      loadKiB: peakOf(t.name, results.slice(0, 1)),
      afterGetKiB: afterGet?.kib[t.name] ?? 0,
      peakKiB: peakOf(t.name, results),
      afterKiB: rssKiB(t.pid),
    }));
    const nginxErrors = readFileSync(join(dir, 'nginx-error.log'), 'utf8').split('\n').filter((l) => l.trim() !== '');

    const input: ReportInput = {
      date: new Date(started).toISOString(),
      elapsedSeconds: (Date.now() - started) / 1000,
      quick: values.quick ?? false,
      source,
      profiled: profDir !== undefined,
      machine: { ...startedMachine, loadAverageEnd: os.loadavg() },
      versions: {
        node: process.version,
        nginx: versionOf('nginx', 'nginx', ['-v'], /nginx\/(\S+)/),
        haproxy: versionOf('HAProxy', 'haproxy', ['-v'], /HAProxy version (\S+)/),
        wrk: versionOf('wrk', 'wrk', ['-v'], /wrk (\S+)/),
        dockerSymphony: (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version,
      },
      clockTicks: hz,
      connections: CONNECTIONS,
      kinds: results,
      rotation,
      memory,
      afterGetSeconds: afterGet?.seconds ?? 0,
      afterSeconds,
      notes: existsSync(NOTES) ? readFileSync(NOTES, 'utf8') : null,
      reactions,
      commands: {
        symphony: symA.commandLine,
        reactionSymphony: reactionCommand,
        nginx: nginx.command.replaceAll(dir, '$TMP'),
        haproxy: haproxy.command.replaceAll(dir, '$TMP'),
        naive: naive.command,
        wrk: KINDS.map((k) => `wrk -t1 -c${CONNECTIONS} -d${plan.seconds[k.name] ?? 1}s --timeout 5s -s ${k.name}.lua http://127.0.0.1:PORT${k.path}`),
        scripts: Object.fromEntries(KINDS.map((k) => [k.name, readFileSync(scripts[k.name] as string, 'utf8')])),
        nginxConfig: nginx.config.replaceAll(dir, '$TMP'),
        haproxyConfig: haproxy.config.replaceAll(dir, '$TMP'),
      },
      nginxErrorLines: nginxErrors.length,
      windowLines,
      profile,
    };
    const report = renderReport(input);
    mkdirSync(resolve(out, '..'), { recursive: true });
    writeFileSync(out, report);
    say(`bench: wrote ${out} in ${input.elapsedSeconds.toFixed(0)} s`);
    // Timings are reported, never judged here; a failed request is a fault, and fails the run.
    const faults = [
      ...results.flatMap((k) => k.summary.filter((t) => t.non2xx + t.socketErrors > 0).map((t) => `${k.kind.name} ${t.target}: ${t.non2xx} non-2xx, ${t.socketErrors} socket errors`)),
      ...rotation.filter((c) => c.ok !== c.requests).map((c) => `${c.target}: ${c.requests - c.ok} of ${c.requests} checks not 200`),
      ...reactions.filter((r) => r.unit === 'failed' && r.value !== 0).map((r) => `${r.what}: ${r.value}`),
    ];
    if (faults.length > 0) {
      say(`bench: requests failed (see ${out}):\n  ${faults.join('\n  ')}`);
      process.exitCode = 1;
    }
  } finally {
    await cleanup();
  }
}

await main();
