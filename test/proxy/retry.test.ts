import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isIdempotent, shouldRetry, usesAttempt } from '../../src/proxy/retry.js';
import type { AttemptFailure } from '../../src/proxy/retry.js';
import type { RetryInput } from '../../src/proxy/retry.js';

describe('shouldRetry', () => {
  const rows: { name: string; input: RetryInput; retry: boolean; reason: RegExp }[] = [
    { name: 'connect failure on GET', input: { method: 'GET', failure: 'connect', attempt: 1, maxAttempts: 3 }, retry: true, reason: /nothing was sent/ },
    { name: 'connect failure on POST (nothing sent)', input: { method: 'POST', failure: 'connect', attempt: 1, maxAttempts: 3 }, retry: true, reason: /connect/ },
    { name: 'connect failure on PATCH with a body not yet sent', input: { method: 'PATCH', failure: 'connect', attempt: 2, maxAttempts: 3, replayable: true }, retry: true, reason: /connect/ },
    { name: 'connect failure at the last attempt', input: { method: 'GET', failure: 'connect', attempt: 3, maxAttempts: 3 }, retry: false, reason: /exhausted \(3\/3\)/ },
    { name: 'reset on GET', input: { method: 'GET', failure: 'reset-before-response', attempt: 1, maxAttempts: 3 }, retry: true, reason: /idempotent GET/ },
    { name: 'reset on lower-case get', input: { method: 'get', failure: 'reset-before-response', attempt: 1, maxAttempts: 3 }, retry: true, reason: /GET/ },
    { name: 'reset on POST', input: { method: 'POST', failure: 'reset-before-response', attempt: 1, maxAttempts: 3 }, retry: false, reason: /POST is not idempotent/ },
    { name: 'reset on PATCH', input: { method: 'PATCH', failure: 'reset-before-response', attempt: 1, maxAttempts: 3 }, retry: false, reason: /not idempotent/ },
    { name: 'reset on PUT whose body was sent', input: { method: 'PUT', failure: 'reset-before-response', attempt: 1, maxAttempts: 3, replayable: false }, retry: false, reason: /body already sent/ },
    { name: 'reset on DELETE', input: { method: 'DELETE', failure: 'reset-before-response', attempt: 1, maxAttempts: 3 }, retry: true, reason: /DELETE/ },
    { name: 'timeout on HEAD', input: { method: 'HEAD', failure: 'timeout', attempt: 1, maxAttempts: 2 }, retry: true, reason: /timeout/ },
    { name: 'timeout on POST', input: { method: 'POST', failure: 'timeout', attempt: 1, maxAttempts: 3 }, retry: false, reason: /not idempotent/ },
    { name: 'response started on GET', input: { method: 'GET', failure: 'response-started', attempt: 1, maxAttempts: 3 }, retry: false, reason: /already started/ },
    { name: 'response started, even on connect-safe first attempt', input: { method: 'OPTIONS', failure: 'response-started', attempt: 0, maxAttempts: 9 }, retry: false, reason: /already started/ },
    { name: 'confirmed unhealthy 5xx on GET', input: { method: 'GET', failure: 'unhealthy-response', attempt: 1, maxAttempts: 3 }, retry: true, reason: /unhealthy-response/ },
    { name: 'confirmed unhealthy 5xx on POST', input: { method: 'POST', failure: 'unhealthy-response', attempt: 1, maxAttempts: 3 }, retry: false, reason: /not idempotent/ },
    { name: 'invalid response on GET', input: { method: 'GET', failure: 'invalid-response', attempt: 1, maxAttempts: 3 }, retry: true, reason: /invalid-response/ },
    { name: 'invalid response on POST', input: { method: 'POST', failure: 'invalid-response', attempt: 1, maxAttempts: 3 }, retry: false, reason: /not idempotent/ },
    { name: 'maxAttempts 1 never retries', input: { method: 'GET', failure: 'connect', attempt: 1, maxAttempts: 1 }, retry: false, reason: /exhausted/ },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const got = shouldRetry(row.input);
      assert.equal(got.retry, row.retry, `${row.name}: ${got.reason}`);
      assert.match(got.reason, row.reason);
    });
  }
});

describe('isIdempotent', () => {
  for (const [method, want] of [
    ['GET', true], ['HEAD', true], ['OPTIONS', true], ['TRACE', true], ['PUT', true], ['DELETE', true],
    ['POST', false], ['PATCH', false], ['CONNECT', false], ['delete', true],
  ] as const) {
    test(`${method} → ${want}`, () => assert.equal(isIdempotent(method), want));
  }
});

describe('usesAttempt', () => {
  const rows: { name: string; failure: AttemptFailure; memberLeftPool: boolean; want: boolean }[] = [
    { name: 'connect failure, member still in the pool', failure: 'connect', memberLeftPool: false, want: true },
    { name: 'connect failure, member confirmed gone', failure: 'connect', memberLeftPool: true, want: false },
    { name: 'confirmed unhealthy 5xx', failure: 'unhealthy-response', memberLeftPool: true, want: false },
    { name: 'reset, member still in the pool', failure: 'reset-before-response', memberLeftPool: false, want: true },
    { name: 'response started: always final', failure: 'response-started', memberLeftPool: true, want: true },
  ];
  for (const row of rows) test(row.name, () => assert.equal(usesAttempt(row.failure, row.memberLeftPool), row.want));
});
