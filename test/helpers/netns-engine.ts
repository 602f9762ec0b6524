// A private Docker engine in a network namespace of the test's own, driven through
// scripts/netns-engine.sh (which holds the details: dirs, flags, teardown). Use it
// when a test must stop or restart an engine, or needs several; never for traffic
// outside the namespace. Root only.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../scripts/netns-engine.sh', import.meta.url));

/** Why a private engine cannot run here, or null when it can. */
export function netnsEngineUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (ip netns, dockerd)';
  for (const bin of ['/usr/sbin/dockerd', '/usr/bin/nsenter', '/usr/sbin/ip']) if (!existsSync(bin) && !existsSync(bin.replace('/usr/sbin/', '/usr/bin/'))) return `${bin} is missing`;
  return null;
}

/** One namespace with its own dockerd. */
export class NetnsEngine {
  /** Short unique name; the namespace is `symphony-test-<name>`. */
  readonly name: string;
  /** Its bridge and address pool are 10.213.<index>.0/24 (internal to the namespace). */
  readonly index: number;

  constructor(prefix = 'r', index = 1 + Math.floor(Math.random() * 250)) {
    this.name = `${prefix}${randomBytes(3).toString('hex')}`;
    this.index = index;
  }

  /** /var/run/netns/… for `nsenter --net=`. */
  get netns(): string {
    return `/var/run/netns/symphony-test-${this.name}`;
  }

  /** DOCKER_HOST of its engine (a unix socket, reachable from any namespace). */
  get dockerHost(): string {
    return `unix:///run/symphony-test-${this.name}/docker.sock`;
  }

  /** Creates the namespace and starts dockerd; resolves once it answers. */
  up(): Promise<string> {
    return this.#run('up', String(this.index));
  }

  /** Copies an image of the main engine into this one. */
  load(image: string): Promise<string> {
    return this.#run('load', image);
  }

  /** Stops its dockerd (SIGTERM, or SIGKILL and the stale pid file cleared). */
  stop(signal: 'TERM' | 'KILL'): Promise<string> {
    return this.#run('stop', signal);
  }

  /** Starts its dockerd again on the same data root. */
  start(): Promise<string> {
    return this.#run('start');
  }

  /** Removes everything: containers, processes, mounts, dirs, the namespace. Idempotent. */
  down(): Promise<string> {
    return this.#run('down');
  }

  /** GET http://127.0.0.1:port/path inside the namespace (curl via nsenter); the body, or null on failure. */
  async get(port: number, path: string): Promise<string | null> {
    try {
      const { stdout } = await exec('nsenter', [`--net=${this.netns}`, 'curl', '-fsS', '--max-time', '3', `http://127.0.0.1:${port}${path}`], { timeout: 10_000 });
      return stdout;
    } catch {
      return null;
    }
  }

  async #run(...args: string[]): Promise<string> {
    const { stdout } = await exec('bash', [SCRIPT, args[0] as string, this.name, ...args.slice(1)], { timeout: 180_000 });
    return stdout;
  }
}
