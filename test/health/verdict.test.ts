import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeProbe, healthVerdict } from '../../src/health/verdict.js';
import type { Verdict, VerdictInput } from '../../src/health/verdict.js';

const START = 1_700_000_000_000;
const base = { startedAt: START, startupTimeoutMs: 30_000 } as const;

describe('healthVerdict', () => {
  const rows: { name: string; input: VerdictInput; want: Verdict }[] = [
    { name: 'starting, first 200: joins the rotation', input: { ...base, phase: 'starting', ok: true, now: START + 800 }, want: { kind: 'ready' } },
    { name: 'starting, 200 after the timeout still counts', input: { ...base, phase: 'starting', ok: true, now: START + 45_000 }, want: { kind: 'ready' } },
    { name: 'starting, refused early: keep waiting', input: { ...base, phase: 'starting', ok: false, now: START + 1000, detail: 'ECONNREFUSED' }, want: { kind: 'waiting' } },
    { name: 'starting, failing 1 ms before the timeout: waiting', input: { ...base, phase: 'starting', ok: false, now: START + 29_999, detail: 'HTTP 503' }, want: { kind: 'waiting' } },
    {
      name: 'starting, failing at the timeout: unhealthy',
      input: { ...base, phase: 'starting', ok: false, now: START + 30_000, detail: 'ECONNREFUSED' },
      want: { kind: 'unhealthy', reason: 'did not answer 200 within 30s: ECONNREFUSED' },
    },
    {
      name: 'starting, sub-second timeout is written exactly',
      input: { phase: 'starting', ok: false, now: START + 2000, startedAt: START, startupTimeoutMs: 1500, detail: 'timeout' },
      want: { kind: 'unhealthy', reason: 'did not answer 200 within 1.5s: timeout' },
    },
    {
      name: 'starting, failing without detail',
      input: { ...base, phase: 'starting', ok: false, now: START + 31_000 },
      want: { kind: 'unhealthy', reason: 'did not answer 200 within 30s: no 200' },
    },
    { name: 'ready, 200: ok', input: { ...base, phase: 'ready', ok: true, now: START + 60_000 }, want: { kind: 'ok' } },
    { name: 'ready, 500: unhealthy at once', input: { ...base, phase: 'ready', ok: false, now: START + 60_000, detail: 'HTTP 500' }, want: { kind: 'unhealthy', reason: 'health check failed: HTTP 500' } },
    { name: 'ready, timeout: unhealthy at once', input: { ...base, phase: 'ready', ok: false, now: START + 5000, detail: 'timeout' }, want: { kind: 'unhealthy', reason: 'health check failed: timeout' } },
    {
      name: 'ready, well inside the startup time still gets no grace',
      input: { ...base, phase: 'ready', ok: false, now: START + 1, detail: 'ECONNRESET' },
      want: { kind: 'unhealthy', reason: 'health check failed: ECONNRESET' },
    },
  ];
  for (const row of rows) {
    test(row.name, () => assert.deepEqual(healthVerdict(row.input), row.want, row.name));
  }
});

describe('describeProbe', () => {
  const rows: { name: string; result: { ok: boolean; status?: number; error?: string }; want: string }[] = [
    { name: 'a status', result: { ok: false, status: 500 }, want: 'HTTP 500' },
    { name: 'an error', result: { ok: false, error: 'ECONNREFUSED' }, want: 'ECONNREFUSED' },
    { name: 'a status then an error', result: { ok: false, status: 200, error: 'ECONNRESET' }, want: 'HTTP 200 then ECONNRESET' },
    { name: 'ok', result: { ok: true, status: 200 }, want: 'HTTP 200' },
    { name: 'nothing known', result: { ok: false }, want: 'no answer' },
  ];
  for (const row of rows) {
    test(row.name, () => assert.equal(describeProbe(row.result), row.want));
  }
});
