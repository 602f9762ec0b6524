// Docker Symphony as the benchmark runs it: the CLI in a child process (JSON log lines
// on stdout, kept with their times), its admin API on 127.0.0.1 for status, and a
// sweep of its service's containers (by label, through the docker CLI) at the end.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { ContainerStatus, SymphonyStatus } from '../src/status.js';
import { freePort, GiveUp, request, startChild, stopChild, waitFor } from './children.js';
import type { Child } from './children.js';

/** One JSON log line of the CLI. */
export interface LogLine {
  readonly time: number;
  readonly level: string;
  readonly event: string;
  readonly message: string;
  readonly container?: string;
  readonly fields?: Record<string, unknown>;
}

/** One JSON log line of the CLI, its ISO `time` turned into epoch milliseconds. */
export function parseLogLine(line: string): LogLine {
  const raw = JSON.parse(line) as Omit<LogLine, 'time'> & { time: unknown };
  const time = typeof raw.time === 'number' ? raw.time : Date.parse(String(raw.time));
  if (!Number.isFinite(time) || typeof raw.event !== 'string') throw new Error(`not a log record: ${line.slice(0, 200)}`);
  return { ...raw, time };
}

/** A running Docker Symphony CLI. */
export interface SymphonyProcess {
  readonly child: Child;
  readonly service: string;
  readonly port: number;
  readonly adminPort: number;
  /** Every log line so far, oldest first. */
  readonly logs: LogLine[];
  /** The command line, for the report. */
  readonly commandLine: string;
  status(): Promise<SymphonyStatus>;
  /** Containers in state `ready` with a published port. */
  ready(): Promise<ContainerStatus[]>;
  /** SIGTERM (clean shutdown removes its containers), then a sweep by label. */
  stop(): Promise<void>;
}

/** How to run the CLI: compiled (`dist/cli.js`, the default) or from source through tsx. */
export type CliSource = 'dist' | 'src';

/** The node arguments that run the CLI from `source`, relative to the repository root. */
export function cliCommand(source: CliSource, extraNodeArgs: readonly string[] = []): string[] {
  return source === 'dist' ? [...extraNodeArgs, 'dist/cli.js'] : [...extraNodeArgs, '--import', 'tsx', 'src/cli.ts'];
}

/** Removes every container of `service` (label `docker-symphony.service`); returns how many. */
export function sweepService(service: string): number {
  const ids = execFileSync('docker', ['ps', '-aq', '--filter', `label=docker-symphony.service=${service}`], { encoding: 'utf8' })
    .split('\n')
    .filter((id) => id !== '');
  if (ids.length > 0) execFileSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
  return ids.length;
}

/** The host pid of a container's main process (visible in /proc when the engine is local). */
export function containerPid(id: string): number {
  return Number(execFileSync('docker', ['inspect', '-f', '{{.State.Pid}}', id], { encoding: 'utf8' }).trim());
}

/** Starts the CLI with `flags` (plus listen, admin, name and JSON logs) and waits for `readyCount` ready containers. */
export async function startSymphony(opts: {
  readonly root: string;
  readonly source: CliSource;
  readonly prefix: string;
  readonly image: string;
  readonly flags: readonly string[];
  readonly readyCount: number;
  readonly nodeArgs?: readonly string[];
  readonly startTimeoutMs?: number;
}): Promise<SymphonyProcess> {
  if (opts.source === 'dist' && !existsSync(`${opts.root}/dist/cli.js`)) throw new Error('dist/cli.js is missing: run `make build` first (or pass --from src)');
  const service = `bench-${opts.prefix}-${randomBytes(3).toString('hex')}`;
  const port = await freePort();
  const adminPort = await freePort();
  const args = [
    ...cliCommand(opts.source, opts.nodeArgs),
    '--image', opts.image,
    '--container-port', '80',
    '--name', service,
    '--listen', `127.0.0.1:${port}`,
    '--admin-listen', `127.0.0.1:${adminPort}`,
    '--log-format', 'json',
    ...opts.flags,
  ];
  const logs: LogLine[] = [];
  const child = startChild(`symphony ${service}`, process.execPath, args, { cwd: opts.root }, (line) => {
    if (!line.startsWith('{')) return;
    try {
      logs.push(parseLogLine(line));
    } catch {
      // Not a log record (a stray line): the child's output keeps it for errors.
    }
  });
  const status = async (): Promise<SymphonyStatus> => {
    const answer = await request(adminPort, 'GET', '/api/status', 3_000);
    if (answer.status !== 200) throw new Error(`/api/status answered ${answer.status}: ${answer.body.slice(0, 200)}`);
    return JSON.parse(answer.body) as SymphonyStatus;
  };
  const ready = async (): Promise<ContainerStatus[]> => (await status()).containers.filter((c) => c.state === 'ready' && c.hostPort !== null);
  const stop = async (): Promise<void> => {
    try {
      await stopChild(child, 'SIGTERM', 20_000);
    } finally {
      sweepService(service);
    }
  };
  const sym: SymphonyProcess = { child, service, port, adminPort, logs, commandLine: `node ${args.join(' ')}`, status, ready, stop };
  try {
    await waitFor(
      `${opts.readyCount} ready containers of ${service}`,
      async () => {
        if (child.process.exitCode !== null) throw new GiveUp(`the CLI exited with code ${child.process.exitCode}:\n${child.output().slice(-2000)}`);
        const r = await ready();
        return r.length >= opts.readyCount ? r : undefined;
      },
      opts.startTimeoutMs ?? 90_000,
      200,
    );
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
  return sym;
}
