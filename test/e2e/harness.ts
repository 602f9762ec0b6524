// Shared set-up for end-to-end tests: a Symphony in this process (or the CLI in a
// child process) in front of the demo image on the real engine, with short
// windows, and a sweeper that removes every container of the test's service
// whatever happened.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DockerClient } from '../../src/docker/index.js';
import type { LogRecord } from '../../src/log.js';
import { Symphony } from '../../src/symphony.js';
import type { SymphonyOptions } from '../../src/config.js';
import type { SymphonyStatus } from '../../src/status.js';
import { serviceFilter } from '../../src/orchestrator/labels.js';

export const DEMO_IMAGE = process.env['SYMPHONY_TEST_IMAGE'] ?? 'docker-symphony-demo:latest';
export const docker = DockerClient.fromEnv(process.env);

/** A unique service name per test, so tests never see each other's containers. */
export function serviceName(prefix: string): string {
  return `e2e-${prefix}-${randomBytes(3).toString('hex')}`;
}

/** Removes every container of a service (the test's last line of defence). */
export async function sweep(service: string): Promise<number> {
  const left = await docker.listContainers({ all: true, labels: [serviceFilter(service)] });
  await Promise.all(left.map((c) => docker.removeContainer(c.id, { force: true })));
  return left.length;
}

/** A running in-process Symphony, its events, and helpers to wait on it. */
export interface Running {
  readonly symphony: Symphony;
  readonly service: string;
  readonly port: number;
  readonly events: LogRecord[];
  /** Resolves when `predicate(status)` holds; rejects after `timeoutMs` with the last status. */
  until(predicate: (s: SymphonyStatus) => boolean, timeoutMs?: number, what?: string): Promise<SymphonyStatus>;
  stop(): Promise<void>;
}

/**
 * Starts a Symphony on the demo image with test-friendly defaults. `on`: another engine
 * (a swarm's manager) and how to remove what the test made there.
 */
export async function startSymphony(
  prefix: string,
  options: Partial<SymphonyOptions> = {},
  on: { readonly docker: DockerClient; readonly sweep: (service: string) => Promise<unknown> } = { docker, sweep },
): Promise<Running> {
  const service = serviceName(prefix);
  const events: LogRecord[] = [];
  const symphony = new Symphony(
    {
      image: DEMO_IMAGE,
      name: service,
      containerPort: 80,
      listen: { host: '127.0.0.1', port: 0 },
      adminListen: null,
      windowMs: 5_000,
      stopTimeoutMs: 2_000,
      startupTimeoutMs: 20_000,
      ...options,
    } as SymphonyOptions,
    { docker: on.docker },
  );
  symphony.on('event', (r: LogRecord) => events.push(r));
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    try {
      await symphony.stop();
    } finally {
      await on.sweep(service);
    }
  };
  try {
    const addresses = await symphony.start();
    return {
      symphony,
      service,
      port: addresses.proxy.port,
      events,
      until: (predicate, timeoutMs = 30_000, what = 'condition') => waitFor(() => symphony.status(), predicate, timeoutMs, what),
      stop,
    };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}

/** Polls `read` every 100 ms until `predicate` holds. */
export async function waitFor<T>(read: () => T | Promise<T>, predicate: (v: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}; last: ${JSON.stringify(last, null, 1)?.slice(0, 4000)}`);
}

/**
 * The first of `count` consecutive host ports for --host-ports, chosen at random
 * below the kernel's ephemeral range (so no outgoing connection is handed one of them
 * meanwhile) and above 10000.
 */
export function hostPortRange(count: number): { first: number; last: number } {
  let low = 32_768;
  try {
    low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || low;
  } catch {
    // Not Linux: the usual default.
  }
  const top = Math.max(10_000 + count, low) - count;
  const first = 10_000 + Math.floor(Math.random() * (top - 10_000));
  return { first, last: first + count - 1 };
}

/** Containers in a state. */
export function inState(s: SymphonyStatus, state: string): number {
  return s.containers.filter((c) => c.state === state).length;
}

export interface Reply {
  readonly status: number;
  readonly body: string;
  readonly headers: http.IncomingHttpHeaders;
}

/** One request to 127.0.0.1:port; resolves with status and body, rejects on a connection error. */
export function request(port: number, path: string, options: { method?: string; agent?: http.Agent; body?: string; timeoutMs?: number } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', agent: options.agent ?? false, timeout: options.timeoutMs ?? 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request to ${path} timed out`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The `hostname` (short container id) that answered a demo-app route. */
export function hostnameOf(reply: Reply): string {
  return (JSON.parse(reply.body) as { hostname: string }).hostname;
}

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

/** The CLI in a child process, with its JSON log records and its stderr. */
export interface Cli {
  readonly child: ChildProcess;
  readonly records: { event: string; container?: string; fields?: Record<string, unknown> }[];
  readonly stderr: string[];
  waitEvent(event: string, count?: number, timeoutMs?: number): Promise<void>;
  /** The proxy's port, from the `symphony.started` record (wait for it first). */
  proxyPort(): number;
}

/** Starts `docker-symphony ARGS` (pass `--log-format json`); `env` is added to this process's environment. */
export function startCli(args: string[], env: Readonly<Record<string, string>> = {}): Cli {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const records: Cli['records'] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      records.push(JSON.parse(line) as Cli['records'][number]);
    } catch {
      stderr.push(`stdout: ${line}`);
    }
  });
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  return {
    child,
    records,
    stderr,
    waitEvent: (event, count = 1, timeoutMs = 40_000) =>
      waitFor(() => records.filter((r) => r.event === event).length, (n) => n >= count, timeoutMs, `${count}× ${event} (stderr: ${stderr.join(' | ')})`).then(() => {}),
    proxyPort: () => Number(String(records.find((r) => r.event === 'symphony.started')?.fields?.['proxy']).split(':').pop()),
  };
}
