// BENCHMARKS.md from what `make bench` measured: pure (data in, Markdown out).
import type { KindResult, RatioRow, TargetName, TargetSummary } from './compare.js';
import type { ProfileSummary } from './profile-run.js';
import type { ReactionRow } from './reactions.js';
import type { RoundRatio } from './stats.js';

/** A check that a target answers 200 and spreads over the containers. */
export interface Correctness {
  readonly target: string;
  readonly requests: number;
  readonly ok: number;
  /** Distinct containers that answered. */
  readonly containers: number;
}

/** Resident memory of one proxy process, KiB. */
export interface MemoryRow {
  readonly target: TargetName;
  readonly idleKiB: number;
  /** Peak under the keep-alive GET load (the issue's "under that load"). */
  readonly loadKiB: number;
  /** Peak under any load, the 64 KiB POSTs and new connections included. */
  readonly peakKiB: number;
  /** Read `afterGetSeconds` after the GET load, before any other load (the issue's "a minute after"). */
  readonly afterGetKiB: number;
  /** Read `afterSeconds` after every load, the 64 KiB POSTs included. */
  readonly afterKiB: number;
}

/** Everything the report says. */
export interface ReportInput {
  readonly date: string;
  readonly elapsedSeconds: number;
  readonly quick: boolean;
  readonly source: 'dist' | 'src';
  readonly profiled: boolean;
  readonly machine: {
    readonly nproc: number;
    readonly cpuModel: string;
    readonly memoryGiB: number;
    readonly kernel: string;
    readonly loadAverageStart: readonly number[];
    readonly loadAverageEnd: readonly number[];
  };
  readonly versions: { readonly node: string; readonly nginx: string; readonly haproxy: string; readonly wrk: string; readonly dockerSymphony: string };
  readonly clockTicks: number;
  readonly connections: number;
  readonly kinds: readonly KindResult[];
  readonly rotation: readonly Correctness[];
  readonly memory: readonly MemoryRow[];
  readonly afterGetSeconds: number;
  readonly afterSeconds: number;
  /** Hand-written notes (bench/NOTES.md), appended as they are; null: none. */
  readonly notes: string | null;
  readonly reactions: readonly ReactionRow[];
  readonly commands: {
    readonly symphony: string;
    readonly reactionSymphony: string;
    readonly nginx: string;
    readonly haproxy: string;
    readonly naive: string;
    readonly wrk: readonly string[];
    readonly scripts: Readonly<Record<string, string>>;
    readonly nginxConfig: string;
    readonly haproxyConfig: string;
  };
  readonly nginxErrorLines: number;
  /** What bench/window.bench.ts printed. */
  readonly windowLines: readonly string[];
  /** Where a profiled Docker Symphony spent its CPU under the GET load (a separate run). */
  readonly profile?: ProfileSummary;
}

const LABEL: Record<TargetName, string> = {
  direct: 'direct (one container)',
  nginx: 'nginx, 1 worker, keepalive',
  haproxy: 'HAProxy, 1 thread, http-reuse always',
  naive: 'naive node:http proxy (floor)',
  symphony: '**Docker Symphony**',
};

const int = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en') : '—');
const fixed = (n: number | null, digits: number): string => (n === null || !Number.isFinite(n) ? '—' : n.toFixed(digits));
const mb = (kib: number): string => (kib / 1024).toFixed(1);
const times = (r: RoundRatio): string => (Number.isFinite(r.median) ? `${r.median.toFixed(2)}× (${r.min.toFixed(2)}–${r.max.toFixed(2)})` : '—');
const yesNo = (met: boolean | null): string => (met === null ? '—' : met ? 'yes' : '**no**');

function kindTitle(k: KindResult): string {
  const what = `${k.kind.method} ${k.kind.path}${k.kind.bodyBytes > 0 ? ` with a ${k.kind.bodyBytes / 1024} KiB body` : ''}`;
  return `${what}, ${k.kind.close ? 'keep-alive off (`Connection: close`: a new connection per request)' : 'keep-alive'}`;
}

function summaryTable(rows: readonly TargetSummary[]): string[] {
  return [
    '| target | req/s | p50 ms | p99 ms | proxy CPU-µs/req | app CPU-µs/req | requests | non-2xx | socket errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((s) => `| ${LABEL[s.target]} | ${int(s.rps)} | ${fixed(s.p50Ms, 2)} | ${fixed(s.p99Ms, 2)} | ${fixed(s.proxyCpuUs, 1)} | ${fixed(s.appCpuUs, 1)} | ${int(s.requests)} | ${s.non2xx} | ${s.socketErrors} |`),
  ];
}

function ratioTable(rows: readonly RatioRow[]): string[] {
  return [
    '| ratio (median of rounds, range) | req/s | p50 | p99 | proxy CPU/req |',
    '|---|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.of} / ${r.to} | ${times(r.rps)} | ${times(r.p50)} | ${times(r.p99)} | ${r.to === 'direct' ? '—' : times(r.cpu)} |`),
  ];
}

/** Every run of a kind, in the order they ran, folded away. */
function runsTable(k: KindResult): string[] {
  return [
    '<details><summary>every run, in the order they ran</summary>',
    '',
    '| round | target | req/s | p50 ms | p99 ms | proxy CPU-µs/req | peak RSS MiB | non-2xx | socket errors |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|',
    ...k.runs.map((r) => {
      const e = r.wrk.errors;
      return `| ${r.round + 1} | ${r.target} | ${int(r.wrk.requests / (r.wrk.durationUs / 1e6))} | ${fixed(r.wrk.latencyUs.p50 / 1000, 2)} | ${fixed(r.wrk.latencyUs.p99 / 1000, 2)} | ${fixed(r.proxyCpuUs, 1)} | ${r.rssPeakKiB === null ? '—' : mb(r.rssPeakKiB)} | ${r.wrk.non2xx} | ${e.connect + e.read + e.write + e.timeout} |`;
    }),
    '',
    '</details>',
  ];
}

/** The issue's targets against what was measured (GET keep-alive for the proxy figures). */
export function targetRows(input: ReportInput): { target: string; measured: string; met: boolean | null }[] {
  const get = input.kinds.find((k) => k.kind.method === 'GET' && !k.kind.close);
  const vsNginx = get?.ratios.find((r) => r.of === 'symphony' && r.to === 'nginx');
  const mem = input.memory.find((m) => m.target === 'symphony');
  const rows: { target: string; measured: string; met: boolean | null }[] = [];
  if (vsNginx !== undefined) {
    rows.push(
      { target: 'CPU per proxied request ≤ 3× nginx', measured: times(vsNginx.cpu), met: vsNginx.cpu.median <= 3 },
      { target: 'req/s ≥ 0.75× nginx', measured: times(vsNginx.rps), met: vsNginx.rps.median >= 0.75 },
      { target: 'p99 ≤ 1.5× nginx', measured: times(vsNginx.p99), met: vsNginx.p99.median <= 1.5 },
    );
  }
  const floor = get?.ratios.find((r) => r.of === 'naive' && r.to === 'nginx');
  if (floor !== undefined) {
    rows.push({ target: 'for context: the naive node:http proxy against nginx (the floor of node:http on both sides)', measured: `CPU ${times(floor.cpu)}, req/s ${times(floor.rps)}`, met: null });
  }
  if (mem !== undefined) {
    rows.push(
      { target: 'RSS under load ≤ 80 MB', measured: `${mb(mem.loadKiB)} MiB under the GET load (${mb(mem.peakKiB)} MiB with 64 KiB POSTs)`, met: mem.loadKiB <= 80 * 1024 },
      {
        target: 'RSS back within 10 MB of idle a minute after',
        measured:
          `${mb(mem.afterGetKiB)} MiB ${input.afterGetSeconds.toFixed(0)} s after the GET load (idle ${mb(mem.idleKiB)} MiB); ` +
          `${mb(mem.afterKiB)} MiB ${input.afterSeconds.toFixed(0)} s after every load, the 64 KiB POSTs included`,
        met: input.afterGetSeconds >= 60 ? mem.afterGetKiB - mem.idleKiB <= 10 * 1024 : null,
      },
    );
  }
  for (const r of input.reactions) {
    rows.push({ target: `${r.what}: ${r.target}`, measured: r.value === null ? '—' : r.unit === 'ms' ? `${int(r.value)} ms` : `${r.value} failed`, met: r.met });
  }
  return rows;
}

/** The whole BENCHMARKS.md. */
export function renderReport(input: ReportInput): string {
  const m = input.machine;
  const load = (l: readonly number[]): string => l.map((v) => v.toFixed(2)).join(', ');
  const lines: string[] = [
    '# Benchmarks',
    '',
    `Written by \`make bench\` (\`bench/side-by-side.bench.ts\`) on ${input.date} in ${input.elapsedSeconds.toFixed(0)} s; regenerate it rather than edit it.`,
    'Docker Symphony, nginx and HAProxy each balance over **the same two demo containers** (`--min 2 --max 2`, reached on their published 127.0.0.1 ports);',
    '"direct" is wrk straight to one of them; "naive" is `bench/naive-proxy.mjs`, the least a `node:http` proxy does (keep-alive agent; no timeouts,',
    'retries, health or metrics): the floor of node:http on both sides. wrk uses 1 thread and 32 connections; targets run in interleaved rounds, the order rotating each round,',
    'and every ratio is taken within a round, then the median over rounds (range in brackets). CPU-µs per request is the proxy process\'s',
    `utime+stime from \`/proc/PID/stat\` (${input.clockTicks} ticks/s) over the run, divided by the requests wrk completed in it;`,
    '"app" is the same for the two containers\' processes together. The machine is shared and noisy: ratios and CPU per request count, absolute req/s do not.',
    '',
  ];
  if (input.quick) lines.push('> **Quick run** (`--quick`): 1 s runs, 2 rounds, a short "after" wait. It checks the harness; its figures are not a measurement.', '');
  if (input.profiled) lines.push('> **Profiled run** (`--cpu-prof`): Docker Symphony ran under the V8 profiler, so its figures are slower than normal.', '');
  if (input.source === 'src') lines.push('> Docker Symphony ran from source through tsx (`--from src`): its memory includes the loader\'s.', '');

  lines.push('## Against the targets of issue 11', '', '| target | measured | met |', '|---|---|---|');
  for (const r of targetRows(input)) lines.push(`| ${r.target} | ${r.measured} | ${yesNo(r.met)} |`);
  lines.push('');

  for (const k of input.kinds) {
    lines.push(`## ${kindTitle(k)}`, '', `${k.rounds} rounds × ${k.seconds} s per target, ${k.connections} connections; medians over rounds.`, '');
    lines.push(...summaryTable(k.summary), '', ...ratioTable(k.ratios), '', ...runsTable(k), '');
  }

  lines.push(
    '## Memory (RSS of the proxy process)',
    '',
    `| proxy | idle, before any load | peak under the GET load | ${input.afterGetSeconds.toFixed(0)} s after the GET load | peak under any load (64 KiB POSTs too) | ${input.afterSeconds.toFixed(0)} s after every load |`,
    '|---|---:|---:|---:|---:|---:|',
    ...input.memory.map((r) => `| ${LABEL[r.target]} | ${mb(r.idleKiB)} MiB | ${mb(r.loadKiB)} MiB | ${mb(r.afterGetKiB)} MiB | ${mb(r.peakKiB)} MiB | ${mb(r.afterKiB)} MiB |`),
    '',
    'Sampled from `/proc/PID/status` (VmRSS) every 250 ms during each run. The GET load runs first and every proxy then idles before the',
    'other loads until its "after the GET load" reading; "after every load" is read once more at the end, after the reaction measurements',
    '(the measured proxies idle meanwhile).',
    '',
  );

  if (input.reactions.length > 0) {
    lines.push(
      '## Reaction times of the orchestrator',
      '',
      'On a second Docker Symphony (1 to 2 containers, 5 s sliding window, 20 requests per extra container, 1 s health interval) under a paced load',
      'of GETs (bounded in count and time); times from the load\'s own answers, the status API polled every 50 ms and the CLI\'s JSON log.',
      '',
      '| what | measured | target | met | how |',
      '|---|---:|---|---|---|',
      ...input.reactions.map((r) => `| ${r.what} | ${r.value === null ? '—' : r.unit === 'ms' ? `${int(r.value)} ms` : `${r.value} failed`} | ${r.target} | ${yesNo(r.met)} | ${r.detail} |`),
      '',
    );
  }

  if (input.profile !== undefined) {
    const p = input.profile;
    lines.push(
      '## Where Docker Symphony\'s CPU goes',
      '',
      `A separate instance (its own two containers) under \`node --cpu-prof\`, ${p.seconds} s of the same GET load after a 2 s warm-up (${int(p.requests)} requests measured);`,
      'shares are of the time the process was busy (idle left out). V8 samples wall time: the natives `writev` (answers to clients) and `writeLatin1String`',
      '(request heads to containers) are socket writes, and they also hold the time the process lost the CPU when a write woke the process it wrote to',
      '(2 CPUs), so they overstate CPU; the JavaScript shares compare fairly with each other.',
      '`node --import tsx bench/profile-top.ts FILE.cpuprofile` prints the same for any profile (`--cpu-prof DIR` keeps one of the measured run).',
      '',
      '| self time by file | % |',
      '|---|---:|',
      ...p.files.map((f) => `| \`${f.file}\` | ${f.selfPct.toFixed(1)} |`),
      '',
      '| busiest functions (self) | self % | total % |',
      '|---|---:|---:|',
      ...p.functions.map((f) => `| \`${f.name}\` | ${f.selfPct.toFixed(1)} | ${f.totalPct.toFixed(1)} |`),
      '',
    );
  }

  if (input.windowLines.length > 0) {
    lines.push('## The request window', '', 'What recording a request costs (`bench/window.bench.ts`, in this process, no I/O):', '', '```', ...input.windowLines, '```', '');
  }

  const broken = input.kinds.flatMap((k) => k.summary.filter((s) => s.non2xx + s.socketErrors > 0).map((s) => `${k.kind.name} ${s.target}: ${s.non2xx} non-2xx, ${s.socketErrors} socket errors`));
  lines.push(
    '## Correctness',
    '',
    `- Every response 200: ${broken.length === 0 ? 'yes — no non-2xx response and no socket error in any run (wrk\'s counts).' : `**no** — ${broken.join('; ')}.`}`,
    `- Each target before the rounds (8 GETs on new connections): ${input.rotation.map((c) => `${c.target} ${c.ok}/${c.requests} 200 from ${c.containers} container${c.containers === 1 ? '' : 's'}`).join('; ')}.`,
    `- nginx error log: ${input.nginxErrorLines} line${input.nginxErrorLines === 1 ? '' : 's'} at level warn or above.`,
    '',
    '## Machine',
    '',
    `- ${m.nproc} CPUs (nproc), ${m.cpuModel}, ${m.memoryGiB.toFixed(1)} GiB memory, ${m.kernel}`,
    `- load average at start ${load(m.loadAverageStart)}; at end ${load(m.loadAverageEnd)} (other work on the machine shares its CPUs)`,
    `- node ${input.versions.node}; ${input.versions.nginx}; ${input.versions.haproxy}; ${input.versions.wrk}; Docker Symphony ${input.versions.dockerSymphony}`,
    '',
    '## Commands',
    '',
    'Ports are picked free on 127.0.0.1 for each run; every process is a child of the benchmark, stopped at its end; `$TMP` is a temporary directory, removed then.',
    '',
    '```sh',
    'make bench   # scripts/ensure-bench-tools.sh, make build, make image, then:',
    `node --import tsx bench/side-by-side.bench.ts${input.quick ? ' --quick' : ''}${input.source === 'src' ? ' --from src' : ''}   # runs bench/window.bench.ts too`,
    `# measured Docker Symphony`,
    input.commands.symphony,
    ...(input.commands.reactionSymphony === '' ? [] : ['# reaction times', input.commands.reactionSymphony]),
    input.commands.nginx,
    input.commands.haproxy,
    input.commands.naive,
    ...input.commands.wrk,
    '```',
    '',
    ...Object.entries(input.commands.scripts).flatMap(([name, text]) => [`\`${name}.lua\`:`, '', '```lua', text.trimEnd(), '```', '']),
    'nginx:',
    '',
    '```nginx',
    input.commands.nginxConfig.trimEnd(),
    '```',
    '',
    'HAProxy:',
    '',
    '```',
    input.commands.haproxyConfig.trimEnd(),
    '```',
    '',
  );
  // What was tried and what limits it: written by hand in bench/NOTES.md, so a new run keeps it.
  if (input.notes !== null) lines.push(input.notes.trimEnd(), '');
  return lines.join('\n');
}
