// Runs the load generator (load.ts) in a child process, optionally inside a network
// namespace (`nsenter --net=…`), and hands its counts back.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LoadOptions, LoadResult } from './load.js';

/** Counts of a run whose result was lost, with the reason as its only error. */
export function emptyResult(reason: string): LoadResult {
  return { durationMs: 0, sent: 0, answered: 0, byStatus: {}, failedByStatus: {}, connectionErrors: 0, byMethod: {}, badBodies: 0, firstErrors: [reason], timeline: [] };
}

const CHILD = fileURLToPath(new URL('./load-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A load run in progress. */
export interface LoadRun {
  /** Resolves when the child has started sending. */
  readonly started: Promise<void>;
  /** Resolves with the counts when the run ends by its bounds or after stop(). */
  readonly result: Promise<LoadResult>;
  /** Asks the run to end now; resolves with its counts. */
  stop(): Promise<LoadResult>;
  /** stop(), but gives up after `ms` (for `finally`): the counts, or empty counts with the reason. */
  stopWithin(ms: number): Promise<LoadResult>;
  /** Kills the child (for `finally`); harmless after it ended. */
  kill(): void;
}

/** Starts a load run in a child process; `netns` is a /var/run/netns/NAME path to run it in. */
export function startLoad(options: LoadOptions, where: { netns?: string } = {}): LoadRun {
  const node = [process.execPath, '--import', 'tsx', CHILD, JSON.stringify(options)];
  const [command, ...args] = where.netns ? ['nsenter', `--net=${where.netns}`, ...node] : node;
  const child = spawn(command as string, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (s: string) => stderr.push(s));
  let markStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const result = new Promise<LoadResult>((resolve, reject) => {
    let last: LoadResult | null = null;
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line === 'started') return markStarted();
      try {
        last = JSON.parse(line) as LoadResult;
      } catch {
        stderr.push(line);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      markStarted();
      if (last) resolve(last);
      else reject(new Error(`load generator exited ${code} without a result: ${stderr.join('').slice(-2000)}`));
    });
  });
  result.catch(() => {});
  return {
    started,
    result,
    stop() {
      if (child.exitCode === null && !child.stdin.destroyed) child.stdin.end('stop\n');
      return result;
    },
    stopWithin(ms) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the load generator did not stop within ${ms}ms`)), ms)));
      return Promise.race([this.stop(), late])
        .catch((err: unknown) => emptyResult(err instanceof Error ? err.message : String(err)))
        .finally(() => clearTimeout(timer));
    },
    kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
