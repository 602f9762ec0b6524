// The benchmark's pure parts: /proc and wrk parsers, statistics, log lines, profiles.
// Run by `make bench` before it measures (node --import tsx --test bench/*.test.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRssKiB, parseStatTicks } from './proc.js';
import { selfByFile, summariseProfile } from './profile-top.js';
import { median, roundOrder, roundRatio } from './stats.js';
import { parseLogLine, cliCommand } from './symphony-process.js';
import { parseWrkOutput, wrkArgs, wrkScript } from './wrk.js';

const statLine = (comm: string, utime: number, stime: number): string =>
  `4242 (${comm}) S 1 4242 4242 0 -1 4194560 3316 0 0 0 ${utime} ${stime} 0 0 20 0 7 0 81519 745373696 10991 18446744073709551615`;

describe('parseStatTicks', () => {
  const rows: { name: string; stat: string; want: number }[] = [
    { name: 'plain command name', stat: statLine('node', 600, 30), want: 630 },
    { name: 'name with spaces and parentheses', stat: statLine('a (b) c', 7, 3), want: 10 },
    { name: 'zero time', stat: statLine('nginx', 0, 0), want: 0 },
  ];
  for (const row of rows) test(row.name, () => assert.equal(parseStatTicks(row.stat), row.want));

  const bad: { name: string; stat: string }[] = [
    { name: 'no command name', stat: '4242 node S 1 2 3' },
    { name: 'too few fields', stat: '4242 (node) S 1 2 3' },
  ];
  for (const row of bad) test(`rejects ${row.name}`, () => assert.throws(() => parseStatTicks(row.stat), /stat/));
});

describe('parseRssKiB', () => {
  const rows: { name: string; status: string; want: number }[] = [
    { name: 'a running process', status: 'Name:\tnode\nVmPeak:\t  900000 kB\nVmRSS:\t   57344 kB\nThreads:\t7\n', want: 57344 },
    { name: 'a zombie has no VmRSS', status: 'Name:\tnode\nState:\tZ (zombie)\n', want: 0 },
  ];
  for (const row of rows) test(row.name, () => assert.equal(parseRssKiB(row.status), row.want));
});

describe('wrk', () => {
  const summary = 'WRK_JSON {"durationUs":4001234,"requests":40000,"bytes":8000000,"connect":0,"read":2,"write":0,"status":5,"timeout":1,"p50":1100,"p90":2000,"p99":4500,"max":9000,"mean":1234.5}';
  test('parses the summary line among wrk\'s own output', () => {
    const r = parseWrkOutput(`Running 4s test @ http://127.0.0.1:1/\n  1 threads and 32 connections\n${summary}\n`);
    assert.deepEqual(r, {
      durationUs: 4001234,
      requests: 40000,
      bytes: 8000000,
      errors: { connect: 0, read: 2, write: 0, timeout: 1 },
      non2xx: 5,
      latencyUs: { p50: 1100, p90: 2000, p99: 4500, max: 9000, mean: 1234.5 },
    });
  });
  const bad: { name: string; output: string; message: RegExp }[] = [
    { name: 'no summary line', output: 'unable to connect to 127.0.0.1:1 Connection refused\n', message: /no summary line/ },
    { name: 'a missing figure', output: 'WRK_JSON {"durationUs":1,"requests":2}\n', message: /lacks bytes/ },
  ];
  for (const row of bad) test(`rejects ${row.name}`, () => assert.throws(() => parseWrkOutput(row.output), row.message));

  const scripts: { name: string; kind: Parameters<typeof wrkScript>[0]; has: RegExp[]; lacks: RegExp[] }[] = [
    { name: 'GET keep-alive', kind: { name: 'get', method: 'GET', path: '/x', bodyBytes: 0, close: false }, has: [/wrk.method = "GET"/, /done = function/], lacks: [/wrk.body/, /Connection/] },
    { name: 'POST 64 KiB', kind: { name: 'post', method: 'POST', path: '/x', bodyBytes: 65536, close: false }, has: [/wrk.method = "POST"/, /string.rep\("a", 65536\)/, /Content-Type/], lacks: [/Connection/] },
    { name: 'GET with Connection: close', kind: { name: 'close', method: 'GET', path: '/x', bodyBytes: 0, close: true }, has: [/wrk.headers\["Connection"\] = "close"/], lacks: [/wrk.body/] },
  ];
  for (const row of scripts) {
    test(`script: ${row.name}`, () => {
      const script = wrkScript(row.kind);
      for (const re of row.has) assert.match(script, re);
      for (const re of row.lacks) assert.doesNotMatch(script, re);
      // No response() callback: it would make wrk parse every response in Lua.
      assert.doesNotMatch(script, /response\s*=/);
    });
  }
  test('arguments: one thread, the connections, the duration, the script', () => {
    assert.deepEqual(wrkArgs('http://127.0.0.1:9/a', '/tmp/s.lua', 32, 4), ['-t1', '-c32', '-d4s', '--timeout', '5s', '-s', '/tmp/s.lua', 'http://127.0.0.1:9/a']);
  });
});

describe('statistics', () => {
  const medians: { name: string; values: number[]; want: number }[] = [
    { name: 'odd count', values: [5, 1, 3], want: 3 },
    { name: 'even count', values: [4, 1, 3, 2], want: 2.5 },
    { name: 'one value', values: [7], want: 7 },
  ];
  for (const row of medians) test(`median: ${row.name}`, () => assert.equal(median(row.values), row.want));
  test('median of nothing is NaN', () => assert.ok(Number.isNaN(median([]))));

  const ratios: { name: string; a: (number | null)[]; b: (number | null)[]; want: { median: number; min: number; max: number } }[] = [
    { name: 'round by round', a: [2, 6, 3], b: [1, 2, 1], want: { median: 3, min: 2, max: 3 } },
    { name: 'a round missing on either side is skipped', a: [2, null, 4], b: [1, 1, null], want: { median: 2, min: 2, max: 2 } },
    { name: 'a zero denominator is skipped', a: [1, 3], b: [0, 1], want: { median: 3, min: 3, max: 3 } },
  ];
  for (const row of ratios) test(`roundRatio: ${row.name}`, () => assert.deepEqual(roundRatio(row.a, row.b), row.want));
  test('roundRatio with no usable round is NaN', () => assert.ok(Number.isNaN(roundRatio([null], [1]).median)));

  const orders: { name: string; round: number; want: string[] }[] = [
    { name: 'round 0 keeps the order', round: 0, want: ['a', 'b', 'c'] },
    { name: 'round 1 starts with the second', round: 1, want: ['b', 'c', 'a'] },
    { name: 'round 3 wraps around', round: 3, want: ['a', 'b', 'c'] },
  ];
  for (const row of orders) test(`roundOrder: ${row.name}`, () => assert.deepEqual(roundOrder(['a', 'b', 'c'], row.round), row.want));
});

describe('parseLogLine', () => {
  const rows: { name: string; line: string; want: number }[] = [
    { name: 'ISO time (the CLI\'s JSON lines)', line: '{"time":"2026-11-25T16:22:45.904Z","level":"info","event":"scale.decision","message":"m"}', want: Date.parse('2026-11-25T16:22:45.904Z') },
    { name: 'epoch milliseconds', line: '{"time":1795000000000,"level":"info","event":"container.ready","message":"m"}', want: 1795000000000 },
  ];
  for (const row of rows) test(row.name, () => assert.equal(parseLogLine(row.line).time, row.want));
  const bad: { name: string; line: string }[] = [
    { name: 'no time', line: '{"level":"info","event":"x","message":"m"}' },
    { name: 'no event', line: '{"time":"2026-11-25T16:22:45.904Z","message":"m"}' },
  ];
  for (const row of bad) test(`rejects ${row.name}`, () => assert.throws(() => parseLogLine(row.line), /not a log record/));
});

describe('cliCommand', () => {
  test('dist: the compiled CLI, node flags first', () => assert.deepEqual(cliCommand('dist', ['--cpu-prof']), ['--cpu-prof', 'dist/cli.js']));
  test('src: through tsx', () => assert.deepEqual(cliCommand('src'), ['--import', 'tsx', 'src/cli.ts']));
});

describe('summariseProfile', () => {
  // root → a → b (leaf), root → c (leaf); samples: b, b, c, b with equal time.
  const frame = (functionName: string, line = 0): { functionName: string; url: string; lineNumber: number } => ({ functionName, url: functionName === '(root)' ? '' : 'file:///work/dist/proxy/x.js', lineNumber: line });
  const profile = {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 4, 5] },
      { id: 2, callFrame: frame('a', 9), children: [3] },
      { id: 3, callFrame: frame('b', 19) },
      { id: 4, callFrame: frame('c', 29) },
      { id: 5, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
    ],
    // Idle samples (id 5) are not busy time: left out of every share.
    samples: [3, 5, 3, 4, 5, 3],
    timeDeltas: [10, 50, 10, 10, 50, 10],
  };
  const lines = Object.fromEntries(summariseProfile(profile).map((l) => [l.name, l]));
  const rows: { name: string; fn: string; self: number; total: number }[] = [
    { name: 'a leaf: self = total', fn: 'b dist/proxy/x.js:20', self: 75, total: 75 },
    { name: 'a caller: no self time, its callee\'s total', fn: 'a dist/proxy/x.js:10', self: 0, total: 75 },
    { name: 'another leaf', fn: 'c dist/proxy/x.js:30', self: 25, total: 25 },
    { name: 'the root holds everything', fn: '(root)', self: 0, total: 100 },
  ];
  test('idle time is no function\'s share', () => assert.equal(lines['(idle)'], undefined));
  test('self time by file adds up its functions', () => assert.deepEqual(selfByFile(summariseProfile(profile)), [{ file: 'dist/proxy/x.js', selfPct: 100 }, { file: '(root)', selfPct: 0 }]));
  for (const row of rows) {
    test(row.name, () => {
      assert.equal(lines[row.fn]?.selfPct, row.self);
      assert.equal(lines[row.fn]?.totalPct, row.total);
    });
  }
});
