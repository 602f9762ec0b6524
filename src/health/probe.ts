// One health probe: GET the health path over a fresh connection and report what
// happened. Never rejects: every failure is a result the verdict can read.
import http from 'node:http';
import { systemClock } from '../clock.js';
import type { Clock } from '../clock.js';

/** Options of one probe. */
export interface ProbeOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  readonly port: number;
  /** e.g. `/api/v1/_health`. */
  readonly path: string;
  /** Whole probe, connect to last body byte. */
  readonly timeoutMs: number;
  /** Aborting ends the probe at once with error `aborted`. */
  readonly signal?: AbortSignal;
  /** Runs the timeout and measures the duration. @default systemClock */
  readonly clock?: Clock;
}

/** What one probe saw. `ok` only for exactly 200 with the body fully read. */
export interface ProbeResult {
  readonly ok: boolean;
  readonly status?: number;
  /** `timeout`, `aborted`, or the socket error's code (`ECONNREFUSED`, `ECONNRESET`, …). */
  readonly error?: string;
  readonly durationMs: number;
}

/** GETs the health path once; resolves with the outcome, never rejects. */
export function probeHealth(options: ProbeOptions): Promise<ProbeResult> {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  // Aborted already: open no connection at all.
  if (options.signal?.aborted) return Promise.resolve({ ok: false, error: 'aborted', durationMs: 0 });
  return new Promise((resolve) => {
    let settled = false;
    let status: number | undefined;
    const finish = (error?: string): void => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      const durationMs = clock.now() - started;
      resolve({
        ok: error === undefined && status === 200,
        ...(status !== undefined ? { status } : {}),
        ...(error !== undefined ? { error } : {}),
        durationMs,
      });
      // Nothing more to read: close the connection, whatever state it is in.
      req.destroy();
    };
    const onAbort = (): void => finish('aborted');

    // agent: false: a fresh connection each time, so a probe tests that the app accepts connections.
    const req = http.request({
      host: options.host ?? '127.0.0.1',
      port: options.port,
      path: options.path,
      method: 'GET',
      agent: false,
      headers: { connection: 'close', 'user-agent': 'docker-symphony-health' },
    });
    const timer = clock.setTimeout(() => finish('timeout'), options.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
    req.on('response', (res) => {
      status = res.statusCode;
      res.on('error', (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
      res.on('end', () => finish());
      // Closed before the body ended: the app dropped the connection mid-answer.
      res.on('close', () => finish(res.complete ? undefined : 'ECONNRESET'));
      res.resume(); // read and drop the body so the exchange completes
    });
    options.signal?.addEventListener('abort', onAbort, { once: true });
    req.end();
  });
}
