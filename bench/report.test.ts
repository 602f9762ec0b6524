// Summaries, ratios, targets and the Markdown of BENCHMARKS.md from made-up runs; the
// reference proxies' configs, checked by nginx -t and haproxy -c themselves.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ratioRow, summarise } from './compare.js';
import type { KindResult, Run, TargetName } from './compare.js';
import { haproxyConfig, nginxConfig } from './reference-proxies.js';
import { renderReport, targetRows } from './report.js';
import type { ReportInput } from './report.js';

/** A run with `rps` req/s over 1 s, the given p99 (ms) and proxy CPU (µs/request). */
function run(target: TargetName, round: number, rps: number, p99Ms: number, cpu: number | null): Run {
  return {
    target,
    round,
    wrk: { durationUs: 1e6, requests: rps, bytes: rps * 200, errors: { connect: 0, read: 0, write: 0, timeout: 0 }, non2xx: 0, latencyUs: { p50: p99Ms * 250, p90: p99Ms * 500, p99: p99Ms * 1000, max: p99Ms * 2000, mean: p99Ms * 300 } },
    proxyCpuUs: cpu,
    appCpuUs: 30,
    rssPeakKiB: cpu === null ? null : 50_000,
  };
}

// Two rounds; Docker Symphony at 0.5× nginx's throughput and 4× its CPU in both.
const runs: Run[] = [
  run('direct', 0, 20_000, 5, null), run('nginx', 0, 10_000, 10, 25), run('haproxy', 0, 10_000, 10, 30), run('symphony', 0, 5_000, 20, 100),
  run('direct', 1, 16_000, 6, null), run('nginx', 1, 8_000, 12, 20), run('haproxy', 1, 9_000, 12, 22), run('symphony', 1, 4_000, 30, 80),
];
const get: KindResult = {
  kind: { name: 'get', method: 'GET', path: '/api/v1/whoami', bodyBytes: 0, close: false },
  seconds: 1,
  connections: 32,
  rounds: 2,
  runs,
  summary: summarise(runs),
  ratios: [ratioRow(runs, 2, 'symphony', 'nginx'), ratioRow(runs, 2, 'symphony', 'direct')],
};

function input(overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    date: '2026-11-25T17:00:00.000Z',
    elapsedSeconds: 200,
    quick: false,
    source: 'dist',
    profiled: false,
    machine: { nproc: 2, cpuModel: 'Test CPU', memoryGiB: 24, kernel: 'Linux 6', loadAverageStart: [1, 1, 1], loadAverageEnd: [2, 2, 2] },
    versions: { node: 'v20.20.2', nginx: 'nginx 1.22.1', haproxy: 'HAProxy 2.6.12', wrk: 'wrk 4.1.0', dockerSymphony: '0.1.0' },
    clockTicks: 100,
    connections: 32,
    kinds: [get],
    rotation: [{ target: 'nginx', requests: 8, ok: 8, containers: 2 }],
    memory: [{ target: 'symphony', idleKiB: 50 * 1024, loadKiB: 100 * 1024, afterGetKiB: 55 * 1024, peakKiB: 120 * 1024, afterKiB: 75 * 1024 }],
    afterGetSeconds: 61,
    afterSeconds: 62,
    notes: '## What limits it, and what was tried\n\nBy hand.\n',
    reactions: [{ what: 'threshold crossed → new container serving', value: 1200, unit: 'ms', target: '< 1500 ms', met: true, detail: 'd' }],
    commands: { symphony: 'node dist/cli.js --min 2 --max 2', reactionSymphony: '', nginx: 'nginx -c x', haproxy: 'haproxy -db -f y', naive: 'node bench/naive-proxy.mjs 1 2 3', wrk: ['wrk -t1 -c32'], scripts: { get: 'wrk.method = "GET"\n' }, nginxConfig: 'events {}\n', haproxyConfig: 'global\n' },
    nginxErrorLines: 0,
    windowLines: ['SlidingWindow 30 s / 100 ms   10.0 ns/record'],
    profile: { seconds: 5, requests: 10_000, files: [{ file: 'node:_http_client', selfPct: 12.5 }], functions: [{ name: 'writev', selfPct: 17, totalPct: 17 }] },
    ...overrides,
  };
}

describe('summaries and ratios', () => {
  const byTarget = Object.fromEntries(get.summary.map((s) => [s.target, s]));
  const rows: { name: string; got: number | null | undefined; want: number | null }[] = [
    { name: 'median req/s of two rounds', got: byTarget['nginx']?.rps, want: 9_000 },
    { name: 'median CPU per request', got: byTarget['symphony']?.proxyCpuUs, want: 90 },
    { name: 'direct has no proxy CPU', got: byTarget['direct']?.proxyCpuUs, want: null },
    { name: 'peak memory over rounds', got: byTarget['haproxy']?.rssPeakKiB, want: 50_000 },
    { name: 'requests summed', got: byTarget['symphony']?.requests, want: 9_000 },
    { name: 'req/s ratio taken round by round', got: get.ratios[0]?.rps.median, want: 0.5 },
    { name: 'CPU ratio taken round by round', got: get.ratios[0]?.cpu.median, want: 4 },
    { name: 'p99 ratio range: lowest round', got: get.ratios[0]?.p99.min, want: 2 },
    { name: 'p99 ratio range: highest round', got: get.ratios[0]?.p99.max, want: 2.5 },
  ];
  for (const row of rows) test(row.name, () => assert.equal(row.got, row.want));
});

describe('targets', () => {
  const met = Object.fromEntries(targetRows(input()).map((r) => [r.target, r.met]));
  const rows: { name: string; target: string; want: boolean | null }[] = [
    { name: '4× nginx\'s CPU misses ≤ 3×', target: 'CPU per proxied request ≤ 3× nginx', want: false },
    { name: '0.5× nginx\'s req/s misses ≥ 0.75×', target: 'req/s ≥ 0.75× nginx', want: false },
    { name: '100 MiB under load misses ≤ 80 MB', target: 'RSS under load ≤ 80 MB', want: false },
    { name: '5 MiB above idle 61 s after the GET load meets it (the POSTs\' 25 MiB after every load are shown, not judged)', target: 'RSS back within 10 MB of idle a minute after', want: true },
    { name: 'a reaction under its ceiling', target: 'threshold crossed → new container serving: < 1500 ms', want: true },
  ];
  for (const row of rows) test(row.name, () => assert.equal(met[row.target], row.want));
  test('memory "after" read too early is not judged', () => {
    const early = targetRows(input({ afterGetSeconds: 5 })).find((r) => r.target.startsWith('RSS back'));
    assert.equal(early?.met, null);
  });
});

describe('renderReport', () => {
  const text = renderReport(input());
  const rows: { name: string; has: RegExp }[] = [
    { name: 'the targets table says what is missed', has: /\| CPU per proxied request ≤ 3× nginx \| 4\.00× \(4\.00–4\.00\) \| \*\*no\*\* \|/ },
    { name: 'a row per target in the GET table', has: /\| \*\*Docker Symphony\*\* \| 4,500 \|/ },
    { name: 'the machine', has: /2 CPUs \(nproc\), Test CPU, 24\.0 GiB memory/ },
    { name: 'both "after" readings', has: /\| 55\.0 MiB 61 s after the GET load \(idle 50\.0 MiB\); 75\.0 MiB 62 s after every load, the 64 KiB POSTs included \| yes \|/ },
    { name: 'the memory table has the reading after the GET load', has: /\| \*\*Docker Symphony\*\* \| 50\.0 MiB \| 100\.0 MiB \| 55\.0 MiB \| 120\.0 MiB \| 75\.0 MiB \|/ },
    { name: 'the hand-written notes come last, as written', has: /## What limits it, and what was tried\n\nBy hand\.\n$/ },
    { name: 'the versions', has: /node v20\.20\.2; nginx 1\.22\.1; HAProxy 2\.6\.12; wrk 4\.1\.0/ },
    { name: 'the exact commands', has: /node dist\/cli\.js --min 2 --max 2/ },
    { name: 'every response 200', has: /Every response 200: yes/ },
    { name: 'the window benchmark', has: /SlidingWindow 30 s \/ 100 ms/ },
    { name: 'the profile by file', has: /\| `node:_http_client` \| 12\.5 \|/ },
  ];
  for (const row of rows) test(row.name, () => assert.match(text, row.has));
  test('a quick run says its figures are not a measurement', () => assert.match(renderReport(input({ quick: true })), /Quick run.*not a measurement/));
  test('errors are reported, not hidden', () => {
    const bad = { ...get, summary: get.summary.map((s) => (s.target === 'symphony' ? { ...s, non2xx: 3, socketErrors: 1 } : s)) };
    assert.match(renderReport(input({ kinds: [bad] })), /Every response 200: \*\*no\*\* — get symphony: 3 non-2xx, 1 socket errors/);
  });
});

describe('reference proxy configs', () => {
  const setup = { listenPort: 18080, upstreamPorts: [32801, 32802], dir: '/tmp/x' };
  const rows: { name: string; config: string; has: RegExp[] }[] = [
    { name: 'nginx: one process, keep-alive upstreams', config: nginxConfig(setup), has: [/master_process off;/, /worker_processes 1;/, /server 127\.0\.0\.1:32801;/, /server 127\.0\.0\.1:32802;/, /keepalive 64;/, /proxy_http_version 1\.1;/, /listen 127\.0\.0\.1:18080;/] },
    { name: 'HAProxy: one thread, http-reuse always', config: haproxyConfig(setup), has: [/nbthread 1/, /http-reuse always/, /balance roundrobin/, /server c1 127\.0\.0\.1:32801/, /server c2 127\.0\.0\.1:32802/, /bind 127\.0\.0\.1:18080/] },
  ];
  for (const row of rows) test(row.name, () => row.has.forEach((re) => assert.match(row.config, re)));

  // The tools themselves judge the configs (make bench installs them before these tests).
  const path = `${process.env['PATH'] ?? ''}:/usr/sbin:/sbin`;
  const checks: { name: string; file: string; text: (dir: string) => string; command: (file: string, dir: string) => string[] }[] = [
    { name: 'nginx -t accepts its config', file: 'nginx.conf', text: (dir) => nginxConfig({ ...setup, dir }), command: (file, dir) => ['nginx', '-t', '-p', dir, '-c', file, '-e', join(dir, 'err.log')] },
    { name: 'haproxy -c accepts its config', file: 'haproxy.cfg', text: (dir) => haproxyConfig({ ...setup, dir }), command: (file) => ['haproxy', '-c', '-f', file] },
  ];
  for (const row of checks) {
    test(row.name, () => {
      const dir = mkdtempSync(join(os.tmpdir(), 'bench-config-'));
      try {
        const file = join(dir, row.file);
        writeFileSync(file, row.text(dir));
        const [command, ...args] = row.command(file, dir);
        const r = spawnSync(command as string, args, { encoding: 'utf8', env: { ...process.env, PATH: path } });
        assert.equal(r.status, 0, `${row.command(file, dir).join(' ')}: ${r.error?.message ?? ''}${r.stderr}${r.stdout} (scripts/ensure-bench-tools.sh installs the tools)`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
