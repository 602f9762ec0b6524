import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeProbe, healthVerdict, probeFailure } from '../../src/health/verdict.js';
import type { ProbeFailure, Verdict, VerdictInput } from '../../src/health/verdict.js';

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
      want: {
        kind: 'unhealthy',
        reason: 'did not answer 200 within 30s: ECONNREFUSED (nothing accepted connections on the container port: does the app listen on --container-port?)',
        failure: 'connection',
      },
    },
    {
      name: "starting, reset to the end (Docker's proxy when nothing listens): the container port is named",
      input: { ...base, phase: 'starting', ok: false, now: START + 30_000, detail: 'ECONNRESET' },
      want: {
        kind: 'unhealthy',
        reason: 'did not answer 200 within 30s: ECONNRESET (nothing accepted connections on the container port: does the app listen on --container-port?)',
        failure: 'connection',
      },
    },
    {
      name: 'starting, sub-second timeout is written exactly',
      input: { phase: 'starting', ok: false, now: START + 2000, startedAt: START, startupTimeoutMs: 1500, detail: 'timeout', failure: 'timeout' },
      want: { kind: 'unhealthy', reason: 'did not answer 200 within 1.5s: timeout', failure: 'timeout' },
    },
    {
      name: 'starting, failing without detail',
      input: { ...base, phase: 'starting', ok: false, now: START + 31_000 },
      want: { kind: 'unhealthy', reason: 'did not answer 200 within 30s: no 200', failure: 'connection' },
    },
    { name: 'ready, 200: ok', input: { ...base, phase: 'ready', ok: true, now: START + 60_000 }, want: { kind: 'ok' } },
    {
      name: 'ready, 500: unhealthy, an answer',
      input: { ...base, phase: 'ready', ok: false, now: START + 60_000, detail: 'HTTP 500', failure: 'status' },
      want: { kind: 'unhealthy', reason: 'health check failed: HTTP 500', failure: 'status' },
    },
    {
      name: 'ready, timeout: unhealthy, no answer (the owner may let it drain)',
      input: { ...base, phase: 'ready', ok: false, now: START + 5000, detail: 'timeout', failure: 'timeout' },
      want: { kind: 'unhealthy', reason: 'health check failed: timeout', failure: 'timeout' },
    },
    {
      name: 'ready, well inside the startup time still gets no grace',
      input: { ...base, phase: 'ready', ok: false, now: START + 1, detail: 'ECONNRESET', failure: 'connection' },
      want: { kind: 'unhealthy', reason: 'health check failed: ECONNRESET', failure: 'connection' },
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

describe('probeFailure', () => {
  const rows: { name: string; result: { status?: number; error?: string }; want: ProbeFailure }[] = [
    { name: 'no answer in time', result: { error: 'timeout' }, want: 'timeout' },
    { name: 'headers of a 200, then the body stalled', result: { status: 200, error: 'timeout' }, want: 'timeout' },
    { name: 'a 500 answered', result: { status: 500 }, want: 'status' },
    { name: 'a 503 answered, then the body stalled: still an answer', result: { status: 503, error: 'timeout' }, want: 'status' },
    { name: 'refused', result: { error: 'ECONNREFUSED' }, want: 'connection' },
    { name: 'a 200 cut off mid-body', result: { status: 200, error: 'ECONNRESET' }, want: 'connection' },
  ];
  for (const row of rows) {
    test(row.name, () => assert.equal(probeFailure(row.result), row.want));
  }
});
