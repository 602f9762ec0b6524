// The Swarm endpoints of the Docker Engine API (1.41): services, tasks, nodes and the
// swarm itself, over the DockerClient's own transport and version negotiation (its
// `request`). Only a manager answers them; anything else answers 503, which becomes
// NotSwarmManagerError saying where to point DOCKER_HOST instead.
import { SymphonyError } from '../errors.js';
import type { DockerClient, StatusTable } from './client.js';
import { DockerApiError, DockerProtocolError } from './errors.js';
import type { NodeInfo, ServiceInfo, ServiceSpec, SwarmCluster, SwarmNodeInfo, TaskFilters, TaskInfo } from './swarm-types.js';
import { serviceSpecBody, taskFiltersJson, toNodeInfo, toServiceInfo, toSwarmCluster, toSwarmNodeInfo, toTaskInfo } from './swarm-wire.js';

const NOT_MANAGER = 'this engine is not a swarm manager';

/** Per-endpoint status meanings (see STATUS in client.ts). 503 always means "not a manager". */
export const SWARM_STATUS = {
  info: { 200: true, 500: 'server error' },
  imageInspect: { 200: true, 404: true /* answered as undefined */, 500: 'server error' },
  swarmInspect: { 200: true, 404: 'no swarm', 500: 'server error', 503: NOT_MANAGER },
  // A stale version answers 500 "update out of sequence" (not 409): re-read and retry.
  swarmUpdate: { 200: true, 400: 'bad parameter', 500: 'server error', 503: NOT_MANAGER },
  serviceCreate: { 201: true, 400: 'bad parameter', 403: 'network is not eligible for services', 409: 'name conflicts with an existing service', 500: 'server error', 503: NOT_MANAGER },
  serviceInspect: { 200: true, 404: true /* answered as undefined */, 500: 'server error', 503: NOT_MANAGER },
  serviceList: { 200: true, 500: 'server error', 503: NOT_MANAGER },
  serviceRemove: { 200: true, 404: true /* already gone */, 500: 'server error', 503: NOT_MANAGER },
  taskList: { 200: true, 500: 'server error', 503: NOT_MANAGER },
  nodeList: { 200: true, 400: 'bad parameter', 500: 'server error', 503: NOT_MANAGER },
  nodeInspect: { 200: true, 404: 'no such node', 500: 'server error', 503: NOT_MANAGER },
} as const satisfies Record<string, StatusTable>;

/** DOCKER_HOST names an engine that is not a manager of an active swarm. */
export class NotSwarmManagerError extends SymphonyError {
  override readonly name = 'NotSwarmManagerError';
  declare readonly code: 'SWARM_NOT_MANAGER';
  /** Where DOCKER_HOST points. */
  readonly host: string;

  constructor(host: string, detail: string) {
    super('SWARM_NOT_MANAGER', `DOCKER_HOST is not a swarm manager: run against a manager (docker node ls works there). ${host}: ${detail}`);
    this.host = host;
  }
}

/** Why `info` is not a manager ('' when it is one). Pure. */
export function notManagerDetail(info: SwarmNodeInfo): string {
  if (info.localNodeState === 'active' && info.controlAvailable) return '';
  if (info.localNodeState === 'active') return 'it is a worker of a swarm; set DOCKER_HOST to one of its managers.';
  if (info.localNodeState === 'inactive' || info.localNodeState === '') return 'it is not part of a swarm (`docker swarm init` makes one).';
  return `its swarm state is '${info.localNodeState}'${info.error ? ` (${info.error})` : ''}; check \`docker info\` there.`;
}

/** True for the answer to an update sent with a stale version. */
export function isOutOfSequence(err: unknown): boolean {
  return err instanceof DockerApiError && err.status === 500 && /update out of sequence/i.test(err.engineMessage);
}

/** What a swarm update did: the spec before, and after (null when `change` wanted none). */
export interface SwarmUpdate {
  readonly before: SwarmCluster;
  readonly after: Readonly<Record<string, unknown>> | null;
}

/** The client's one door the Swarm endpoints go through. */
export type SwarmTransport = Pick<DockerClient, 'request' | 'host'>;

/** The Swarm endpoints of one manager. */
export class SwarmApi {
  readonly #docker: SwarmTransport;

  constructor(docker: SwarmTransport) {
    this.#docker = docker;
  }

  /** This engine's part in a swarm. */
  async info(): Promise<SwarmNodeInfo> {
    return toSwarmNodeInfo(await this.#get('/info', SWARM_STATUS.info));
  }

  /** Resolves when DOCKER_HOST is a manager of an active swarm; else NotSwarmManagerError. */
  async requireManager(): Promise<SwarmNodeInfo> {
    const info = await this.info();
    const detail = notManagerDetail(info);
    if (detail !== '') throw new NotSwarmManagerError(this.#docker.host, detail);
    return info;
  }

  async inspectSwarm(): Promise<SwarmCluster> {
    return toSwarmCluster(await this.#get('/swarm', SWARM_STATUS.swarmInspect));
  }

  /**
   * Reads the swarm, asks `change` for the new spec (null: none wanted) and sends it with
   * the version just read; on "update out of sequence" reads again and retries, at most
   * `attempts` times in all.
   */
  async updateSwarm(change: (cluster: SwarmCluster) => Record<string, unknown> | null, attempts = 5): Promise<SwarmUpdate> {
    for (let attempt = 1; ; attempt++) {
      const before = await this.inspectSwarm();
      const after = change(before);
      if (after === null) return { before, after: null };
      try {
        await this.#call('POST', '/swarm/update', SWARM_STATUS.swarmUpdate, { query: { version: before.version }, body: after });
        return { before, after };
      } catch (err) {
        if (!isOutOfSequence(err) || attempt >= attempts) throw err;
      }
    }
  }

  /** Creates a service (its task is scheduled at once). */
  async createService(spec: ServiceSpec): Promise<{ id: string; warnings: string[] }> {
    const raw = record(await this.#call('POST', '/services/create', SWARM_STATUS.serviceCreate, { body: serviceSpecBody(spec) }));
    if (typeof raw['ID'] !== 'string' || raw['ID'] === '') {
      throw new DockerProtocolError('The swarm manager created a service but did not say its ID (POST /services/create).');
    }
    const warnings = Array.isArray(raw['Warnings']) ? raw['Warnings'].filter((w): w is string => typeof w === 'string') : [];
    return { id: raw['ID'], warnings };
  }

  /** One service, or undefined when there is none such. */
  async inspectService(id: string): Promise<ServiceInfo | undefined> {
    const res = await this.#request('GET', `/services/${encodeURIComponent(id)}`, SWARM_STATUS.serviceInspect);
    return res.status === 404 ? undefined : toServiceInfo(res.body);
  }

  /** Services carrying every label of `labels` (`k=v` or `k`). */
  async listServices(options: { labels?: readonly string[] } = {}): Promise<ServiceInfo[]> {
    const filters = options.labels && options.labels.length > 0 ? JSON.stringify({ label: options.labels }) : undefined;
    return this.#list('/services', SWARM_STATUS.serviceList, filters).then((items) => items.map(toServiceInfo));
  }

  /** Removes a service (its tasks get the stop signal); true when it was there, false when already gone. */
  async removeService(id: string): Promise<boolean> {
    const res = await this.#request('DELETE', `/services/${encodeURIComponent(id)}`, SWARM_STATUS.serviceRemove);
    return res.status !== 404;
  }

  /** Tasks, filtered on the manager (a `service` filter naming no service answers 404). */
  async listTasks(filters: TaskFilters = {}): Promise<TaskInfo[]> {
    return this.#list('/tasks', SWARM_STATUS.taskList, taskFiltersJson(filters)).then((items) => items.map(toTaskInfo));
  }

  async listNodes(): Promise<NodeInfo[]> {
    return this.#list('/nodes', SWARM_STATUS.nodeList, undefined).then((items) => items.map(toNodeInfo));
  }

  async inspectNode(id: string): Promise<NodeInfo> {
    return toNodeInfo(await this.#get(`/nodes/${encodeURIComponent(id)}`, SWARM_STATUS.nodeInspect));
  }

  /** The manager's copy of an image: its ID and RepoDigests; undefined when it has none. */
  async imageInspect(ref: string): Promise<{ id: string; repoDigests: string[] } | undefined> {
    const path = `/images/${ref.split('/').map(encodeURIComponent).join('/')}/json`;
    const res = await this.#request('GET', path, SWARM_STATUS.imageInspect);
    if (res.status === 404) return undefined;
    const raw = record(res.body);
    const digests = Array.isArray(raw['RepoDigests']) ? raw['RepoDigests'].filter((d): d is string => typeof d === 'string') : [];
    return { id: typeof raw['Id'] === 'string' ? raw['Id'] : '', repoDigests: digests };
  }

  async #list(path: string, statuses: StatusTable, filters: string | undefined): Promise<unknown[]> {
    const body = await this.#call('GET', path, statuses, filters === undefined ? {} : { query: { filters } });
    if (!Array.isArray(body)) throw new DockerProtocolError(`The swarm manager answered GET ${path} with something other than a list.`);
    return body;
  }

  async #get(path: string, statuses: StatusTable): Promise<unknown> {
    return this.#call('GET', path, statuses);
  }

  async #call(method: string, path: string, statuses: StatusTable, options: { query?: Record<string, string | number>; body?: unknown } = {}): Promise<unknown> {
    return (await this.#request(method, path, statuses, options)).body;
  }

  async #request(
    method: string,
    path: string,
    statuses: StatusTable,
    options: { query?: Record<string, string | number>; body?: unknown } = {},
  ): Promise<{ status: number; body: unknown }> {
    try {
      return await this.#docker.request(method, path, statuses, options);
    } catch (err) {
      if (err instanceof DockerApiError && err.status === 503) throw new NotSwarmManagerError(this.#docker.host, `${err.engineMessage} (${method} ${path})`);
      throw err;
    }
  }
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
