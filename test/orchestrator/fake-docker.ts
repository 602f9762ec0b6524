// An in-memory stand-in for the engine operations of the docker runtime (DockerApi), with
// the behaviours the owner must cope with on demand: an engine that goes away, a
// host port something else holds, a container that exits at start, a call that
// fails once, a call that hangs until the test lets it go.
import type { Clock } from '../../src/clock.js';
import { DockerApiError, DockerUnavailableError } from '../../src/docker/errors.js';
import type { ContainerInfo, ContainerSpec, ContainerSummary } from '../../src/docker/index.js';
import type { DockerApi } from '../../src/runtime/docker.js';

/** The operations of the fake, by name. */
export type Op = 'create' | 'start' | 'stop' | 'remove' | 'inspect' | 'list';

/** One container the fake engine holds. */
export interface FakeContainer {
  readonly id: string;
  readonly name: string;
  readonly spec: ContainerSpec;
  state: 'created' | 'running' | 'exited';
  /** Published host port while running. */
  hostPort: number | null;
  readonly createdAt: number;
  startedAt: number | null;
}

const NEVER = '0001-01-01T00:00:00Z';

/** The fake engine. Every call is recorded as `op name-or-id`. */
export class FakeDocker implements DockerApi {
  readonly containers = new Map<string, FakeContainer>();
  /** Calls so far, e.g. `create web-1a2b3c`, `remove <id>`. */
  readonly calls: string[] = [];
  /** False: every call fails with DockerUnavailableError (ECONNREFUSED), as a stopped dockerd does. */
  up = true;
  /** Host ports something else holds: a start publishing one fails with "port is already allocated". */
  readonly outsidePorts = new Set<number>();
  /** New containers exit with this code right after they start (a broken image); null: they run. */
  exitAtStart: number | null = null;
  readonly #clock: Clock;
  readonly #failures: { op: Op; error: Error }[] = [];
  readonly #gates = new Map<Op, { promise: Promise<void>; release: () => void }>();
  #nextId = 1;
  #nextEphemeral = 40_000;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** The next call of `op` fails with `error`. */
  failNext(op: Op, error: Error): void {
    this.#failures.push({ op, error });
  }

  /** Calls of `op` wait until the returned function is called (they then go on as usual). */
  hold(op: Op): () => void {
    let release = (): void => {};
    const promise = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.#gates.set(op, { promise, release });
    return () => {
      this.#gates.delete(op);
      release();
    };
  }

  /** Puts a running container on the engine, as an earlier run would have left it. */
  addRunning(fields: { name: string; labels: Record<string, string>; hostPort: number; state?: FakeContainer['state'] }): FakeContainer {
    const id = this.#newId();
    const c: FakeContainer = {
      id,
      name: fields.name,
      spec: { image: 'demo', containerPort: 80, labels: fields.labels },
      state: fields.state ?? 'running',
      hostPort: fields.hostPort,
      createdAt: this.#clock.now() - 60_000,
      startedAt: this.#clock.now() - 59_000,
    };
    this.containers.set(id, c);
    return c;
  }

  /** The process of a container ends (what `docker kill` does). */
  exit(id: string): void {
    const c = this.containers.get(id);
    if (c) c.state = 'exited';
  }

  /** Containers in a state. */
  inState(state: FakeContainer['state']): FakeContainer[] {
    return [...this.containers.values()].filter((c) => c.state === state);
  }

  /** How many calls of `op` were made. */
  count(op: Op): number {
    return this.calls.filter((c) => c.startsWith(`${op} `)).length;
  }

  async createContainer(spec: ContainerSpec): Promise<{ id: string; warnings: string[] }> {
    await this.#enter('create', spec.name ?? '');
    const id = this.#newId();
    this.containers.set(id, { id, name: spec.name ?? id, spec, state: 'created', hostPort: null, createdAt: this.#clock.now(), startedAt: null });
    return { id, warnings: [] };
  }

  async startContainer(id: string): Promise<void> {
    await this.#enter('start', id);
    const c = this.#get('start', id);
    if (c.state === 'running') return;
    const wanted = c.spec.hostPort;
    if (wanted !== undefined) {
      const heldByOther = [...this.containers.values()].some((o) => o !== c && o.state === 'running' && o.hostPort === wanted);
      if (heldByOther || this.outsidePorts.has(wanted)) {
        throw new DockerApiError({
          status: 500,
          method: 'POST',
          path: `/containers/${id}/start`,
          engineMessage: `driver failed programming external connectivity on endpoint ${c.name}: Bind for 127.0.0.1:${wanted} failed: port is already allocated`,
        });
      }
    }
    c.state = this.exitAtStart === null ? 'running' : 'exited';
    c.startedAt = this.#clock.now();
    c.hostPort = c.state === 'running' ? (wanted ?? this.#nextEphemeral++) : null;
  }

  async stopContainer(id: string): Promise<void> {
    await this.#enter('stop', id);
    const c = this.containers.get(id);
    if (c) c.state = 'exited';
  }

  async removeContainer(id: string): Promise<void> {
    await this.#enter('remove', id);
    this.containers.delete(id); // a container already gone is fine, as with the real client
  }

  async inspectContainer(id: string): Promise<ContainerInfo> {
    await this.#enter('inspect', id);
    const c = this.#get('inspect', id);
    return {
      id: c.id,
      name: c.name,
      image: c.spec.image,
      created: new Date(c.createdAt).toISOString(),
      labels: { ...c.spec.labels },
      state: {
        status: c.state,
        running: c.state === 'running',
        exitCode: c.state === 'exited' ? (this.exitAtStart ?? 0) : 0,
        oomKilled: false,
        startedAt: c.startedAt === null ? NEVER : new Date(c.startedAt).toISOString(),
        finishedAt: NEVER,
        error: '',
      },
      ports: this.#ports(c),
    };
  }

  async listContainers(options: { all?: boolean; labels?: readonly string[] } = {}): Promise<ContainerSummary[]> {
    await this.#enter('list', (options.labels ?? []).join(','));
    return [...this.containers.values()]
      .filter((c) => options.all || c.state === 'running')
      .filter((c) => (options.labels ?? []).every((f) => {
        const [k, v] = f.split('=') as [string, string | undefined];
        return c.spec.labels?.[k] !== undefined && (v === undefined || c.spec.labels[k] === v);
      }))
      .map((c) => ({
        id: c.id,
        names: [`/${c.name}`],
        image: c.spec.image,
        state: c.state,
        status: c.state,
        labels: { ...c.spec.labels },
        created: Math.floor(c.createdAt / 1000),
        ports: this.#ports(c),
      }));
  }

  #ports(c: FakeContainer): ContainerInfo['ports'] {
    return c.state === 'running' && c.hostPort !== null ? [{ containerPort: c.spec.containerPort, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: c.hostPort }] : [];
  }

  async #enter(op: Op, arg: string): Promise<void> {
    this.calls.push(`${op} ${arg}`);
    const gate = this.#gates.get(op);
    if (gate) await gate.promise;
    if (!this.up) {
      throw new DockerUnavailableError({ reason: 'ECONNREFUSED', host: 'unix:///fake/docker.sock', message: 'Nothing accepts connections at unix:///fake/docker.sock (ECONNREFUSED)' });
    }
    const i = this.#failures.findIndex((f) => f.op === op);
    if (i >= 0) {
      const [failure] = this.#failures.splice(i, 1);
      throw failure!.error;
    }
  }

  #get(op: Op, id: string): FakeContainer {
    const c = this.containers.get(id);
    if (!c) throw new DockerApiError({ status: 404, method: op === 'inspect' ? 'GET' : 'POST', path: `/containers/${id}`, engineMessage: `No such container: ${id}` });
    return c;
  }

  #newId(): string {
    return (this.#nextId++).toString(16).padStart(64, '0');
  }
}
