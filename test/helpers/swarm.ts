// A real Docker Swarm of 2–3 nodes on this machine for e2e tests, driven through
// scripts/swarm-up.sh, swarm-node.sh and swarm-down.sh (which hold the details: names,
// addresses, flags, teardown). Every swarmUp() claims a swarm of its own (SWARM_ID=auto:
// its own subnet 10.231.ID.0/24, names symphony-swarm-ID-*, dirs, sockets), so test files
// running in parallel never share or wait for one. Root only; traffic goes only to the
// node addresses of that swarm.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DockerClient } from '../../src/docker/client.js';

const exec = promisify(execFile);
const script = (name: string): string => fileURLToPath(new URL(`../../scripts/${name}`, import.meta.url));

/** One node: a dockerd in a network namespace of its own. */
export interface SwarmNode {
  /** 1-based; node 1 is the only manager. */
  readonly index: number;
  /** The swarm's name for it (`docker node ls`, a task's node), `symphony-swarm-ID-nI`. */
  readonly hostname: string;
  /** Its address on the swarm's bridge, reachable from the host (host-mode ports are here). */
  readonly address: string;
  /** Its engine's unix socket path. */
  readonly socket: string;
  /** `unix://…` of its engine. */
  readonly dockerHost: string;
  /** /var/run/netns/… for `nsenter --net=`. */
  readonly netns: string;
}

/** Options of swarmUp(). */
export interface SwarmOptions {
  /** @default 3 */
  readonly nodes?: 1 | 2 | 3;
  /** Images copied from the main engine into every node. @default ['docker-symphony-demo:latest'] (IMAGE overrides) */
  readonly images?: readonly string[];
  /** The swarm's node heartbeat (Dispatcher.HeartbeatPeriod): a killed node is `down` for the manager after ~2–3 of them. @default 5 */
  readonly heartbeatSeconds?: number;
}

/** Why swarm tests cannot run here, or null when they can (root with iproute2, util-linux, docker.io, curl). */
export function swarmSkipReason(): string | null {
  if (process.platform !== 'linux') return 'needs Linux (network namespaces)';
  if (process.getuid?.() !== 0) return 'needs root (ip netns, dockerd)';
  for (const bin of ['dockerd', 'ip', 'nsenter', 'unshare', 'curl', 'flock']) {
    if (!['/usr/sbin/', '/usr/bin/', '/sbin/', '/bin/', '/usr/local/bin/', '/usr/local/sbin/'].some((dir) => existsSync(dir + bin))) {
      return `${bin} is missing (Debian: apt-get install docker.io iproute2 util-linux curl)`;
    }
  }
  return null;
}

/** An answer of the Engine API: status and parsed JSON body (text when not JSON). */
export interface EngineAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** A request to an engine's unix socket, for the endpoints DockerClient does not have (services, tasks, nodes). */
export function engineRequest(socketPath: string, method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<EngineAnswer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request(
      {
        socketPath,
        method,
        path: `/v1.41${path}`,
        timeout: timeoutMs,
        headers: payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text === '' ? null : (JSON.parse(text) as unknown);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} on ${socketPath}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** GET http://host:port/path from this process: status and body text (status 0 and the error when it fails). */
export function httpGet(host: string, port: number, path: string, timeoutMs = 3000): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path, agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => resolve({ status: 0, body: String(err) }));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', (err) => resolve({ status: 0, body: String(err) }));
  });
}

/** A running swarm. */
export class Swarm {
  /** Its SWARM_ID (0–250); its subnet is 10.231.<id>.0/24. */
  readonly id: number;
  readonly nodes: readonly SwarmNode[];
  /** The host's own address on the swarm's bridge. */
  readonly hostAddress: string;
  /** Everything swarm-up.sh printed (SWARM_MANAGER_HOST, SWARM_NODE_1_ADDRESS, …). */
  readonly env: Readonly<Record<string, string>>;
  /** How long swarm-up.sh took, ms. */
  readonly upMs: number;
  /** A client for the manager's engine. */
  readonly manager: DockerClient;
  #down: Promise<number> | undefined;

  constructor(env: Record<string, string>, upMs: number) {
    this.env = env;
    this.upMs = upMs;
    this.id = Number(need(env, 'SWARM_ID'));
    this.hostAddress = need(env, 'SWARM_HOST_ADDRESS');
    const count = Number(need(env, 'SWARM_NODES'));
    this.nodes = Array.from({ length: count }, (_, k) => {
      const index = k + 1;
      const dockerHost = need(env, `SWARM_NODE_${index}_HOST`);
      return {
        index,
        hostname: need(env, `SWARM_NODE_${index}_HOSTNAME`),
        address: need(env, `SWARM_NODE_${index}_ADDRESS`),
        socket: dockerHost.replace(/^unix:\/\//, ''),
        dockerHost,
        netns: need(env, `SWARM_NODE_${index}_NETNS`),
      };
    });
    this.manager = new DockerClient({ host: { kind: 'unix', socketPath: this.managerNode.socket } });
  }

  /** DOCKER_HOST of the manager (node 1). */
  get managerHost(): string {
    return need(this.env, 'SWARM_MANAGER_HOST');
  }

  get managerNode(): SwarmNode {
    return this.node(1);
  }

  /** Node `index` (1-based); throws for one the swarm does not have. */
  node(index: number): SwarmNode {
    const found = this.nodes[index - 1];
    if (!found) throw new Error(`swarm ${this.id} has no node ${index} (it has ${this.nodes.length})`);
    return found;
  }

  /** The node the swarm calls `hostname`, if any. */
  nodeByHostname(hostname: string): SwarmNode | undefined {
    return this.nodes.find((n) => n.hostname === hostname);
  }

  /** The Engine API of the manager (or of node `index`). */
  api(method: string, path: string, body?: unknown, index = 1): Promise<EngineAnswer> {
    return engineRequest(this.node(index).socket, method, path, body);
  }

  /** SIGKILLs node `index`'s dockerd: its containers keep running; the manager marks the node down after a few heartbeats. */
  async killNode(index: number): Promise<void> {
    await this.#node('kill', index);
  }

  /** SIGTERMs node `index`'s dockerd: it stops its containers first. */
  async stopNode(index: number): Promise<void> {
    await this.#node('stop', index);
  }

  /** Starts node `index`'s dockerd again; resolves once it answers (it rejoins the swarm by itself). */
  async startNode(index: number): Promise<void> {
    await this.#node('start', index);
  }

  /** Removes everything the swarm made; idempotent. Resolves to how long it took, ms. */
  down(): Promise<number> {
    this.#down ??= (async () => {
      const t0 = performance.now();
      await exec('bash', [script('swarm-down.sh')], { env: { ...process.env, SWARM_ID: String(this.id) }, timeout: 120_000 });
      return Math.round(performance.now() - t0);
    })();
    return this.#down;
  }

  async #node(command: string, index: number): Promise<void> {
    this.node(index);
    await exec('bash', [script('swarm-node.sh'), command, String(index)], { env: { ...process.env, SWARM_ID: String(this.id) }, timeout: 120_000 });
  }
}

function need(env: Readonly<Record<string, string>>, key: string): string {
  const value = env[key];
  if (value === undefined || value === '') throw new Error(`swarm-up.sh printed no ${key}`);
  return value;
}

/** KEY=VALUE lines (what swarm-up.sh prints) → an object. */
export function parseSwarmEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) env[m[1] as string] = m[2] as string;
  }
  return env;
}

/**
 * Builds a swarm of its own (3 nodes unless told) and resolves once every node is ready.
 * Always pair it with `await swarm.down()` in a `finally` (or use withSwarm). A failed `up`
 * removes what it made itself.
 */
export async function swarmUp(options: SwarmOptions = {}): Promise<Swarm> {
  const images = options.images ?? [process.env['IMAGE'] ?? 'docker-symphony-demo:latest'];
  const env = { ...process.env, SWARM_ID: 'auto', SWARM_NODES: String(options.nodes ?? 3), SWARM_IMAGES: images.join(' '), SWARM_HEARTBEAT_SECONDS: String(options.heartbeatSeconds ?? 5) };
  const t0 = performance.now();
  let stdout: string;
  try {
    ({ stdout } = await exec('bash', [script('swarm-up.sh')], { env, timeout: 180_000, maxBuffer: 1 << 20 }));
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`swarm-up.sh failed: ${e.message}\n${e.stderr ?? ''}`);
  }
  return new Swarm(parseSwarmEnv(stdout), Math.round(performance.now() - t0));
}

/** Runs `fn` with a swarm of its own and tears it down afterwards, also when `fn` throws. */
export async function withSwarm<T>(fn: (swarm: Swarm) => Promise<T>, options: SwarmOptions = {}): Promise<T> {
  const swarm = await swarmUp(options);
  try {
    return await fn(swarm);
  } finally {
    await swarm.down();
  }
}
