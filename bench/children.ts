// The benchmark's own processes and small I/O helpers: every child it starts is
// registered and killed (by its own pid) in the benchmark's `finally`; free 127.0.0.1
// ports; a bounded wait; one HTTP request to 127.0.0.1.
import { spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

/** A process the benchmark started, with its output kept (bounded) for error messages. */
export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly pid: number;
  /** The last ~64 KiB of its stdout and stderr. */
  output(): string;
}

const OUTPUT_LIMIT = 64 * 1024;

/** Children started and not yet stopped. */
const running = new Set<Child>();

/** Starts `command` as a registered child; `onLine` sees each stdout line. */
export function startChild(name: string, command: string, args: readonly string[], options: SpawnOptions = {}, onLine?: (line: string) => void): Child {
  const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  if (proc.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  let out = '';
  let partial = '';
  const keep = (text: string): void => {
    out += text;
    if (out.length > OUTPUT_LIMIT) out = out.slice(-OUTPUT_LIMIT);
  };
  proc.stdout?.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    keep(text);
    if (onLine === undefined) return;
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  proc.stderr?.on('data', (chunk: Buffer) => keep(chunk.toString('utf8')));
  proc.on('error', (error) => keep(`\n[${name}] ${error.message}\n`));
  const child: Child = { name, process: proc, pid: proc.pid, output: () => out };
  running.add(child);
  proc.once('exit', () => running.delete(child));
  return child;
}

/** Stops a child: `signal`, then SIGKILL after `graceMs`. Resolves when it has exited. */
export async function stopChild(child: Child, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
  const proc = child.process;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = once(proc, 'exit');
  proc.kill(signal);
  const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Stops every child still running (the benchmark's `finally`). */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...running].map((c) => stopChild(c).catch(() => {})));
}

/** A port free on 127.0.0.1 now (bound and released: the caller binds it next). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** Thrown by a probe of `waitFor` to stop waiting at once (the thing waited on is gone). */
export class GiveUp extends Error {}

/** Polls `probe` every `everyMs` until it returns a value; throws after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      if (error instanceof GiveUp) throw error;
      last = error;
    }
    if (Date.now() >= deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms${last instanceof Error ? ` (last error: ${last.message})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** An HTTP answer: status and body text. */
export interface Answer {
  readonly status: number;
  readonly body: string;
}

/** One request to 127.0.0.1:`port` on a fresh connection, bounded by `timeoutMs`. */
export function request(port: number, method: string, path: string, timeoutMs = 5_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} on port ${port}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
