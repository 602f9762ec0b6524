// The load generator of the reliability suite: N concurrent keep-alive clients send a
// weighted mix of requests to one host:port until a time or count bound (or an abort),
// counting what was sent, answers by status, and connection errors, per method and per
// second. It only counts; the tests decide what is a failure. Bounded by design: it
// always stops by itself.
import { once } from 'node:events';
import http from 'node:http';

/** One kind of request in the mix. */
export interface LoadRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** POST body size in bytes (streamed, never held whole). @default 0 */
  readonly bodyBytes?: number;
  /** Relative frequency in the mix. @default 1 */
  readonly weight?: number;
}

/** What to send, where, and for how long. */
export interface LoadOptions {
  /** @default 127.0.0.1 */
  readonly host?: string;
  readonly port: number;
  /** Concurrent clients, each with its own keep-alive connection. */
  readonly clients: number;
  /** Stop sending after this long (in-flight requests still finish). */
  readonly durationMs: number;
  /** Stop after this many requests in total. @default unbounded (the duration bounds it) */
  readonly maxRequests?: number;
  /** @default [{ method: 'GET', path: '/api/v1/whoami' }] */
  readonly mix?: readonly LoadRequest[];
  /** Pause of each client between its requests. @default 0 */
  readonly pauseMs?: number;
  /** A request with no complete answer after this long counts as an error. @default 30 s */
  readonly requestTimeoutMs?: number;
  /** Keep-alive connections (true) or a new connection per request (false). @default true */
  readonly keepAlive?: boolean;
}

/** Counts for one method. */
export interface MethodCounts {
  sent: number;
  /** Complete answers by status code. */
  byStatus: Record<string, number>;
  /** Requests that ended without a complete answer, by error code. */
  errors: Record<string, number>;
}

/** One second of the run. */
export interface TimelinePoint {
  /** Seconds since the start. */
  readonly second: number;
  sent: number;
  ok: number;
  /** Answers that were not 2xx. */
  failed: number;
  errors: number;
}

/** Everything one run counted. */
export interface LoadResult {
  readonly durationMs: number;
  readonly sent: number;
  readonly answered: number;
  readonly byStatus: Record<string, number>;
  /** Answers that were not 2xx, by status. */
  readonly failedByStatus: Record<string, number>;
  readonly connectionErrors: number;
  readonly byMethod: Record<string, MethodCounts>;
  /** POST /…/echo answers whose `bodyLength` was not the size sent. */
  readonly badBodies: number;
  /** The first few error messages, for the record. */
  readonly firstErrors: readonly string[];
  readonly timeline: readonly TimelinePoint[];
}

const CHUNK = Buffer.alloc(64 * 1024, 0x61);

/** Picks a request of the mix by weight, from `r` in [0, 1). */
export function pick(mix: readonly LoadRequest[], r: number): LoadRequest {
  const total = mix.reduce((sum, m) => sum + (m.weight ?? 1), 0);
  let x = r * total;
  for (const m of mix) {
    x -= m.weight ?? 1;
    if (x < 0) return m;
  }
  return mix[mix.length - 1] as LoadRequest;
}

/** Runs the load until its bounds (or `signal`) stop it; resolves once every request ended. */
export async function runLoad(options: LoadOptions, signal?: AbortSignal): Promise<LoadResult> {
  const mix = options.mix ?? [{ method: 'GET', path: '/api/v1/whoami' }];
  const keepAlive = options.keepAlive ?? true;
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const pauseMs = options.pauseMs ?? 0;
  const max = options.maxRequests ?? Number.POSITIVE_INFINITY;
  const started = Date.now();
  const deadline = started + options.durationMs;
  const byMethod: Record<string, MethodCounts> = {};
  const timeline: TimelinePoint[] = [];
  const firstErrors: string[] = [];
  let sent = 0;
  let badBodies = 0;

  const point = (): TimelinePoint => {
    const second = Math.floor((Date.now() - started) / 1000);
    let p = timeline[second];
    if (!p) {
      for (let s = timeline.length; s <= second; s++) timeline[s] = { second: s, sent: 0, ok: 0, failed: 0, errors: 0 };
      p = timeline[second] as TimelinePoint;
    }
    return p;
  };
  const counts = (method: string): MethodCounts => (byMethod[method] ??= { sent: 0, byStatus: {}, errors: {} });
  const stopped = (): boolean => signal?.aborted === true || Date.now() >= deadline || sent >= max;

  const one = (agent: http.Agent | false, m: LoadRequest): Promise<void> =>
    new Promise<void>((resolve) => {
      const c = counts(m.method);
      const bodyBytes = m.method === 'POST' ? (m.bodyBytes ?? 0) : 0;
      let settled = false;
      const error = (err: Error): void => {
        if (settled) return;
        settled = true;
        const code = (err as NodeJS.ErrnoException).code ?? err.message;
        c.errors[code] = (c.errors[code] ?? 0) + 1;
        point().errors++;
        if (firstErrors.length < 5) firstErrors.push(`${m.method} ${m.path}: ${err.message}`);
        resolve();
      };
      const headers: Record<string, string | number> = bodyBytes > 0 ? { 'content-type': 'application/octet-stream', 'content-length': bodyBytes } : {};
      const req = http.request({ host: options.host ?? '127.0.0.1', port: options.port, method: m.method, path: m.path, agent, headers });
      const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no complete answer within ${timeoutMs}ms`), { code: 'TIMEOUT' })), timeoutMs);
      c.sent++;
      point().sent++;
      req.on('error', error);
      req.on('close', () => clearTimeout(timer));
      req.on('response', (res) => {
        // Keep only the tail: an echo answer ends with its bodyLength.
        let tail = '';
        res.setEncoding('latin1');
        res.on('data', (s: string) => (tail = (tail + s).slice(-256)));
        res.on('error', error);
        res.on('aborted', () => error(Object.assign(new Error('response aborted'), { code: 'RESPONSE_ABORTED' })));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          const status = String(res.statusCode ?? 0);
          c.byStatus[status] = (c.byStatus[status] ?? 0) + 1;
          const ok = status.startsWith('2');
          if (ok) point().ok++;
          else point().failed++;
          if (ok && bodyBytes > 0 && m.path.includes('/echo') && !tail.includes(`"bodyLength":${bodyBytes}}`)) badBodies++;
          resolve();
        });
      });
      if (bodyBytes === 0) {
        req.end();
        return;
      }
      void (async () => {
        for (let left = bodyBytes; left > 0 && !req.destroyed; left -= CHUNK.length) {
          if (!req.write(left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left))) await Promise.race([once(req, 'drain'), once(req, 'close')]);
        }
        if (!req.destroyed) req.end();
      })().catch(() => {
        // Counted by the 'error' listener.
      });
    });

  const client = async (): Promise<void> => {
    const agent = keepAlive ? new http.Agent({ keepAlive: true, maxSockets: 1 }) : false;
    try {
      while (!stopped()) {
        sent++;
        await one(agent, pick(mix, Math.random()));
        if (pauseMs > 0 && !stopped()) await new Promise((r) => setTimeout(r, pauseMs));
      }
    } finally {
      if (agent) agent.destroy();
    }
  };
  await Promise.all(Array.from({ length: options.clients }, client));

  const byStatus: Record<string, number> = {};
  const failedByStatus: Record<string, number> = {};
  let connectionErrors = 0;
  for (const c of Object.values(byMethod)) {
    for (const [status, n] of Object.entries(c.byStatus)) {
      byStatus[status] = (byStatus[status] ?? 0) + n;
      if (!status.startsWith('2')) failedByStatus[status] = (failedByStatus[status] ?? 0) + n;
    }
    for (const n of Object.values(c.errors)) connectionErrors += n;
  }
  const answered = Object.values(byStatus).reduce((a, b) => a + b, 0);
  return { durationMs: Date.now() - started, sent, answered, byStatus, failedByStatus, connectionErrors, byMethod, badBodies, firstErrors, timeline };
}

/** Failed requests of one method: non-2xx answers plus connection errors. */
export function failedOf(result: LoadResult, method: string): number {
  const c = result.byMethod[method];
  if (!c) return 0;
  const non2xx = Object.entries(c.byStatus).reduce((n, [status, k]) => (status.startsWith('2') ? n : n + k), 0);
  return non2xx + Object.values(c.errors).reduce((a, b) => a + b, 0);
}
