// The orchestrator as users run it: the CLI in a child process (optionally inside a
// test's network namespace, against that namespace's engine), its JSON log lines
// collected, and waits on them.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../e2e/harness.js';

const CLI = fileURLToPath(new URL('../../../src/cli.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** One JSON log line of the CLI. */
export interface CliRecord {
  readonly event: string;
  readonly container?: string;
  readonly message?: string;
  readonly fields?: Record<string, unknown>;
}

/** A running CLI child. */
export interface Cli {
  readonly child: ChildProcess;
  readonly records: CliRecord[];
  readonly stderr: string[];
  /** Resolves when `count` records named `event` were logged. */
  waitEvent(event: string, count?: number, timeoutMs?: number): Promise<void>;
  /** The proxy's and the admin server's ports, from `symphony.started`. */
  ports(): { proxy: number; admin: number | null };
  /** Sends `signal` and resolves with the exit code (SIGKILL after `timeoutMs`). */
  exit(signal: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

/** Starts `docker-symphony ARGS` with `--log-format json`; `netns` runs it in a namespace, `dockerHost` against another engine. */
export function startCli(args: readonly string[], where: { netns?: string; dockerHost?: string } = {}): Cli {
  const node = [process.execPath, '--import', 'tsx', CLI, ...args, '--log-format', 'json'];
  const [command, ...rest] = where.netns ? ['nsenter', `--net=${where.netns}`, ...node] : node;
  const env = { ...process.env, ...(where.dockerHost ? { DOCKER_HOST: where.dockerHost } : {}) };
  const child = spawn(command as string, rest, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const records: CliRecord[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      records.push(JSON.parse(line) as CliRecord);
    } catch {
      stderr.push(`stdout: ${line}`);
    }
  });
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return {
    child,
    records,
    stderr,
    waitEvent: (event, count = 1, timeoutMs = 40_000) =>
      waitFor(
        () => (child.exitCode !== null ? -1 : records.filter((r) => r.event === event).length),
        (n) => n >= count || n === -1,
        timeoutMs,
        `${count}× ${event} (stderr: ${stderr.join(' | ').slice(-1500)})`,
      ).then((n) => {
        if (n === -1) throw new Error(`the CLI exited ${child.exitCode} before ${count}× ${event}: ${stderr.join(' | ').slice(-1500)}`);
      }),
    ports() {
      const started = records.find((r) => r.event === 'symphony.started');
      const port = (v: unknown): number | null => (typeof v === 'string' ? Number(v.split(':').pop()) : null);
      const proxy = port(started?.fields?.['proxy']);
      if (proxy === null) throw new Error('the CLI has not logged symphony.started');
      return { proxy, admin: port(started?.fields?.['admin']) };
    },
    async exit(signal, timeoutMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
