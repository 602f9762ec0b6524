// The load generator of bench/proxy.bench.ts. It runs in a child process (fork) so its
// work does not share an event loop with the proxy being measured. One job per IPC
// message, one result back; it only counts and times, the parent decides pass/fail.
import { once } from 'node:events';
import http from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

/** One run: `requests` requests to 127.0.0.1:`port`, `concurrency` at a time, over keep-alive. */
export interface LoadJob {
  readonly port: number;
  readonly requests: number;
  readonly concurrency: number;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** Size of each POST body, written in 64 KiB chunks; 0 for GET. */
  readonly bodyBytes: number;
  /** Keep the answering upstream of every request, in completion order (for short runs). */
  readonly recordSequence: boolean;
}

/** Latency percentiles of one run, in milliseconds (nearest rank). */
export interface Latency {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** What one run measured and saw. */
export interface LoadResult {
  readonly elapsedMs: number;
  /** Responses by status code. */
  readonly statuses: Record<string, number>;
  /** Responses by the `x-upstream` header the upstream set. */
  readonly byUpstream: Record<string, number>;
  /** Answering upstreams in completion order, when the job asked for it. */
  readonly sequence: readonly string[];
  /** Distinct client connections used. */
  readonly connections: number;
  /** Requests that ended in a connection error instead of a response. */
  readonly errors: number;
  readonly firstError?: string;
  /** Responses whose body disagrees with the header or with the bytes sent. */
  readonly badBodies: number;
  readonly bytesSent: number;
  readonly latency: Latency;
}

const CHUNK = 64 * 1024;

/** The body an upstream sends back: who answered, and how many request bytes it read. */
interface UpstreamReply {
  readonly upstream?: unknown;
  readonly bytes?: unknown;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

async function run(job: LoadJob): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency });
  const body = Buffer.alloc(job.bodyBytes, 0x61);
  const latencies = new Float64Array(job.requests);
  const statuses: Record<string, number> = {};
  const byUpstream: Record<string, number> = {};
  const sequence: string[] = [];
  const sockets = new Set<Socket>();
  let done = 0;
  let errors = 0;
  let firstError: string | undefined;
  let badBodies = 0;
  let bytesSent = 0;

  const fail = (error: Error): void => {
    errors++;
    firstError ??= error.message;
  };

  const one = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const headers: Record<string, string | number> = job.method === 'POST' ? { 'content-type': 'application/octet-stream', 'content-length': job.bodyBytes } : {};
      const req = http.request({ host: '127.0.0.1', port: job.port, method: job.method, path: job.path, agent, headers });
      req.on('socket', (socket) => sockets.add(socket));
      req.on('error', (error) => {
        fail(error);
        resolve();
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => {
          fail(error);
          resolve();
        });
        res.on('end', () => {
          latencies[done++] = performance.now() - started;
          const status = String(res.statusCode ?? 0);
          statuses[status] = (statuses[status] ?? 0) + 1;
          const upstream = String(res.headers['x-upstream'] ?? '?');
          byUpstream[upstream] = (byUpstream[upstream] ?? 0) + 1;
          if (job.recordSequence) sequence.push(upstream);
          try {
            const reply = JSON.parse(Buffer.concat(chunks).toString('utf8')) as UpstreamReply;
            if (reply.upstream !== upstream || reply.bytes !== job.bodyBytes) badBodies++;
          } catch {
            badBodies++;
          }
          resolve();
        });
      });
      if (job.method === 'GET') {
        req.end();
        return;
      }
      void (async () => {
        // Stream the body, respecting backpressure, as a real upload would.
        for (let offset = 0; offset < body.length; offset += CHUNK) {
          const chunk = body.subarray(offset, offset + CHUNK);
          bytesSent += chunk.length;
          if (!req.write(chunk)) await once(req, 'drain');
        }
        req.end();
      })().catch(() => {
        // The 'error' listener above already counted it.
      });
    });

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < job.requests) {
      next++;
      await one();
    }
  };

  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(job.concurrency, job.requests) }, worker));
  const elapsedMs = performance.now() - started;
  agent.destroy();

  const sorted = latencies.subarray(0, done).sort();
  return {
    elapsedMs,
    statuses,
    byUpstream,
    sequence,
    connections: sockets.size,
    errors,
    ...(firstError === undefined ? {} : { firstError }),
    badBodies,
    bytesSent,
    latency: { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: percentile(sorted, 100) },
  };
}

// Jobs arrive one at a time; the parent waits for each result before sending the next.
process.on('message', (job: LoadJob) => {
  void run(job).then((result) => process.send?.(result));
});
process.on('disconnect', () => process.exit(0));
