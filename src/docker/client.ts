// A typed, promise-only client for the few Docker Engine API endpoints the orchestrator
// uses. Each endpoint declares what its statuses mean (dockerode style); everything else
// is an error with the engine's own message.
// Longer than ~350 lines: one short method per endpoint, kept side by side with the status table.
import type { Readable } from 'node:stream';
import type { Clock } from '../clock.js';
import { DockerApiError, DockerConfigError, DockerProtocolError, DockerUnavailableError, errorFromResponse, toDockerError } from './errors.js';
import { DEFAULT_DOCKER_HOST, parseDockerHost } from './host.js';
import type { DockerHost } from './host.js';
import { JsonLinesSplitter } from './json-lines.js';
import { Transport } from './transport.js';
import type { BufferedResponse, Query, StreamedResponse } from './transport.js';
import type {
  ContainerInfo,
  ContainerSpec,
  ContainerSummary,
  DockerEvent,
  EngineVersion,
  ImageInfo,
  NetworkInfo,
  PullProgress,
} from './types.js';
import { CLIENT_API_VERSION, isApiVersion, negotiateApiVersion } from './version.js';
import {
  createContainerBody,
  splitImageRef,
  toContainerInfo,
  toContainerSummary,
  toDockerEvent,
  toEngineVersion,
  toImageInfo,
  toNetworkInfo,
  toPullLine,
} from './wire.js';

/**
 * What an endpoint's statuses mean: `true` is success (possibly "already done"), a
 * string explains a failure when the engine sends no message. Unlisted statuses fail.
 */
export type StatusTable = Readonly<Record<number, true | string>>;

/** Per-endpoint status meanings, in one place so they can be read side by side. */
export const STATUS = {
  ping: { 200: true, 500: 'server error' },
  version: { 200: true, 500: 'server error' },
  imageInspect: { 200: true, 404: true /* no such image: answered as undefined */, 500: 'server error' },
  imagePull: { 200: true, 404: 'repository does not exist or needs a login', 500: 'server error' },
  create: { 201: true, 400: 'bad parameter', 404: 'no such image', 409: 'name already in use', 500: 'server error' },
  start: { 204: true, 304: true /* already started */, 404: 'no such container', 500: 'server error' },
  stop: { 204: true, 304: true /* already stopped */, 404: true /* already gone */, 500: 'server error' },
  kill: { 204: true, 404: true /* already gone */, 409: true /* not running */, 500: 'server error' },
  // 409 is fine only when a removal is already under way; see removeContainer.
  remove: { 204: true, 404: true /* already gone */, 400: 'bad parameter', 409: 'conflict', 500: 'server error' },
  inspect: { 200: true, 404: 'no such container', 500: 'server error' },
  list: { 200: true, 400: 'bad parameter', 500: 'server error' },
  events: { 200: true, 400: 'bad parameter', 500: 'server error' },
  networkInspect: { 200: true, 404: true /* no such network: answered as undefined */, 500: 'server error' },
  networkConnect: { 200: true, 400: 'bad parameter', 403: 'operation not supported for this network', 404: 'no such network or container', 500: 'server error' },
} as const satisfies Record<string, StatusTable>;

/** Options of a DockerClient. */
export interface DockerClientOptions {
  /** Where the engine listens. @default unix:///var/run/docker.sock */
  readonly host?: DockerHost;
  /** Longest wait for one answer (for streams: for its headers). @default 30000 */
  readonly timeoutMs?: number;
  /** Pins the API version (e.g. '1.41'); otherwise negotiated once with GET /version. */
  readonly apiVersion?: string;
  /** Timers for timeouts (tests pass a fake). @default systemClock */
  readonly clock?: Clock;
}

/** Options of events(). */
export interface EventsOptions {
  /** Replay events since this time (unix seconds), so nothing between calls is missed. */
  readonly since?: number;
  /** Engine-side filters, e.g. `{ type: ['container'], label: ['app=web'] }`. */
  readonly filters?: { readonly type?: readonly string[]; readonly label?: readonly string[]; readonly event?: readonly string[] };
  /** Aborting ends the iteration quietly. */
  readonly signal?: AbortSignal;
  /** Called once the engine accepted the subscription (before any event arrives). */
  readonly onOpen?: () => void;
}

/** The Docker Engine API, over one transport. */
export class DockerClient {
  readonly #transport: Transport;
  readonly #pinnedVersion: string | undefined;
  #negotiated: Promise<string> | undefined;

  constructor(options: DockerClientOptions = {}) {
    const timeoutMs = options.timeoutMs ?? 30_000;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new DockerConfigError(`Docker client timeoutMs must be a positive number of milliseconds, not ${timeoutMs}.`);
    }
    if (options.apiVersion !== undefined && !isApiVersion(options.apiVersion)) {
      throw new DockerConfigError(`Docker API version '${options.apiVersion}' is not of the form major.minor (e.g. ${CLIENT_API_VERSION}).`);
    }
    this.#pinnedVersion = options.apiVersion;
    this.#transport = new Transport({
      host: options.host ?? DEFAULT_DOCKER_HOST,
      timeoutMs,
      ...(options.clock ? { clock: options.clock } : {}),
    });
  }

  /** A client for the engine DOCKER_HOST names (DOCKER_API_VERSION pins the version). The only place env is read. */
  static fromEnv(env: Readonly<Record<string, string | undefined>>): DockerClient {
    const pinned = (env['DOCKER_API_VERSION'] ?? '').trim();
    if (pinned !== '' && !isApiVersion(pinned)) {
      throw new DockerConfigError(`DOCKER_API_VERSION=${pinned} cannot be used: write major.minor, e.g. ${CLIENT_API_VERSION}, or unset it.`);
    }
    return new DockerClient({ host: parseDockerHost(env), ...(pinned === '' ? {} : { apiVersion: pinned }) });
  }

  /** The engine's address as DOCKER_HOST would spell it, for logs. */
  get host(): string {
    return this.#transport.description;
  }

  /** Resolves when the engine answers; rejects with DockerUnavailableError when none does. */
  async ping(): Promise<void> {
    await this.#call('GET', '/_ping', STATUS.ping, { unversioned: true });
  }

  /** What the engine says about itself. */
  async version(): Promise<EngineVersion> {
    const res = await this.#call('GET', '/version', STATUS.version, { unversioned: true });
    return toEngineVersion(parseJson(res, 'GET /version'));
  }

  /** The API version used in every path: pinned, or negotiated once and cached. */
  apiVersion(): Promise<string> {
    if (this.#pinnedVersion !== undefined) return Promise.resolve(this.#pinnedVersion);
    if (!this.#negotiated) {
      this.#negotiated = this.version().then((v) => negotiateApiVersion(v));
      // A failed negotiation (engine not up yet) is retried by the next call.
      this.#negotiated.catch(() => {
        this.#negotiated = undefined;
      });
    }
    return this.#negotiated;
  }

  /** A local image, or undefined when the engine does not have it. */
  async imageInspect(ref: string): Promise<ImageInfo | undefined> {
    const res = await this.#call('GET', `/images/${imagePath(ref)}/json`, STATUS.imageInspect);
    if (res.status === 404) return undefined;
    return toImageInfo(parseJson(res, 'GET /images/{name}/json'));
  }

  /**
   * Pulls `ref` (`latest` when untagged), reporting each progress line. An error line in
   * the stream rejects with a DockerApiError carrying the engine's message.
   */
  async imagePull(ref: string, options: { onProgress?: (e: PullProgress) => void; signal?: AbortSignal } = {}): Promise<void> {
    const { fromImage, tag } = splitImageRef(ref);
    const path = '/images/create';
    const res = await this.#stream('POST', path, STATUS.imagePull, {
      query: { fromImage, tag: tag === '' ? undefined : tag },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    try {
      const splitter = new JsonLinesSplitter(`POST ${path}`);
      const handle = (value: unknown): void => {
        const line = toPullLine(value);
        if ('error' in line) throw new DockerApiError({ status: 500, method: 'POST', path, engineMessage: line.error });
        options.onProgress?.(line.progress);
      };
      for await (const chunk of res.body) for (const value of splitter.push(chunk as Buffer)) handle(value);
      for (const value of splitter.end()) handle(value);
    } catch (err) {
      throw toDockerError(err, this.#transport.contextOf({ method: 'POST', path }));
    } finally {
      res.close();
    }
  }

  /**
   * Creates (does not start) a container; its port is published on 127.0.0.1 unless
   * `hostIp` says otherwise. It joins the spec's first network at create and the others
   * right after (engines before API 1.44 take one at create); if one cannot be joined,
   * the container is removed again and the error thrown.
   */
  async createContainer(spec: ContainerSpec): Promise<{ id: string; warnings: string[] }> {
    const created = await this.#create(spec);
    try {
      for (const network of (spec.networks ?? []).slice(1)) await this.connectNetwork(network, created.id);
    } catch (err) {
      await this.removeContainer(created.id, { force: true }).catch(() => {});
      throw err;
    }
    return created;
  }

  /** A network by name or id, or undefined when the engine has none such. */
  async inspectNetwork(name: string): Promise<NetworkInfo | undefined> {
    const res = await this.#call('GET', `/networks/${encodeURIComponent(name)}`, STATUS.networkInspect);
    if (res.status === 404) return undefined;
    return toNetworkInfo(parseJson(res, 'GET /networks/{id}'));
  }

  /** Connects a (created or running) container to a network. */
  async connectNetwork(network: string, containerId: string): Promise<void> {
    await this.#call('POST', `/networks/${encodeURIComponent(network)}/connect`, STATUS.networkConnect, { body: { Container: containerId } });
  }

  async #create(spec: ContainerSpec): Promise<{ id: string; warnings: string[] }> {
    const res = await this.#call('POST', '/containers/create', STATUS.create, {
      query: { name: spec.name },
      body: createContainerBody(spec),
    });
    const raw = (parseJson(res, 'POST /containers/create') ?? {}) as { Id?: unknown; Warnings?: unknown };
    if (typeof raw.Id !== 'string' || raw.Id === '') {
      throw new DockerProtocolError('The Docker engine created a container but did not say its Id (POST /containers/create).');
    }
    const warnings = Array.isArray(raw.Warnings) ? raw.Warnings.filter((w): w is string => typeof w === 'string') : [];
    return { id: raw.Id, warnings };
  }

  /** Starts a container; one already running is fine. */
  async startContainer(id: string): Promise<void> {
    await this.#call('POST', `/containers/${encodeURIComponent(id)}/start`, STATUS.start);
  }

  /**
   * Stops a container (stop signal, then SIGKILL after the grace period); one already
   * stopped or gone is fine. The HTTP wait outlasts the grace period.
   */
  async stopContainer(id: string, options: { timeoutSeconds?: number } = {}): Promise<void> {
    // Without `t` the engine uses the container's StopTimeout, 10 s unless set at create.
    const graceMs = (options.timeoutSeconds ?? 10) * 1000;
    await this.#call('POST', `/containers/${encodeURIComponent(id)}/stop`, STATUS.stop, {
      query: { t: options.timeoutSeconds },
      timeoutMs: Math.max(this.#transport.timeoutMs, graceMs + 15_000),
    });
  }

  /** Sends a signal (SIGKILL by default); a container gone or not running is fine. */
  async killContainer(id: string, options: { signal?: string } = {}): Promise<void> {
    await this.#call('POST', `/containers/${encodeURIComponent(id)}/kill`, STATUS.kill, { query: { signal: options.signal } });
  }

  /** Removes a container and its anonymous volumes; one already gone (or being removed) is fine. */
  async removeContainer(id: string, options: { force?: boolean } = {}): Promise<void> {
    const path = `/containers/${encodeURIComponent(id)}`;
    try {
      await this.#call('DELETE', path, STATUS.remove, { query: { force: options.force ? true : undefined, v: true } });
    } catch (err) {
      // 409 also means "cannot remove a running container"; only "already in progress" is success.
      if (err instanceof DockerApiError && err.status === 409 && /already in progress/i.test(err.engineMessage)) return;
      throw err;
    }
  }

  /** One container in detail; a missing one rejects with a 404 DockerApiError (see isNotFound). */
  async inspectContainer(id: string): Promise<ContainerInfo> {
    const res = await this.#call('GET', `/containers/${encodeURIComponent(id)}/json`, STATUS.inspect);
    return toContainerInfo(parseJson(res, 'GET /containers/{id}/json'));
  }

  /** Containers (running only unless `all`), filtered by labels (`k=v` or `k`). */
  async listContainers(options: { all?: boolean; labels?: readonly string[] } = {}): Promise<ContainerSummary[]> {
    const filters = options.labels && options.labels.length > 0 ? JSON.stringify({ label: options.labels }) : undefined;
    const res = await this.#call('GET', '/containers/json', STATUS.list, { query: { all: options.all ? true : undefined, filters } });
    const raw = parseJson(res, 'GET /containers/json');
    if (!Array.isArray(raw)) throw new DockerProtocolError('The Docker engine answered GET /containers/json with something other than a list.');
    return raw.map(toContainerSummary);
  }

  /**
   * Engine events as they happen. The request is sent on the first `next()`; pass
   * `since` not to miss events raised before that. Ends quietly when `signal` aborts;
   * throws DockerUnavailableError when the engine drops or ends the stream.
   */
  events(options: EventsOptions = {}): AsyncIterable<DockerEvent> {
    return this.#events(options);
  }

  async *#events(options: EventsOptions): AsyncGenerator<DockerEvent> {
    const { signal } = options;
    const path = '/events';
    const query: Query = { since: options.since, filters: filtersJson(options.filters) };
    let res: StreamedResponse;
    try {
      res = await this.#stream('GET', path, STATUS.events, { query, ...(signal ? { signal } : {}) });
    } catch (err) {
      if (signal?.aborted) return;
      throw err;
    }
    options.onOpen?.();
    // Node ends a request aborted through its signal, but closing here too makes the end prompt.
    const onAbort = (): void => res.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const splitter = new JsonLinesSplitter(`GET ${path}`);
      for await (const chunk of res.body) {
        for (const value of splitter.push(chunk as Buffer)) yield toDockerEvent(value);
      }
      for (const value of splitter.end()) yield toDockerEvent(value);
    } catch (err) {
      if (signal?.aborted) return;
      throw toDockerError(err, this.#transport.contextOf({ method: 'GET', path }));
    } finally {
      signal?.removeEventListener('abort', onAbort);
      res.close();
    }
    if (signal?.aborted) return;
    // Without `until` the engine never ends the stream on its own: it went away.
    throw new DockerUnavailableError({
      reason: 'EOF',
      host: this.#transport.description,
      message: `The Docker engine at ${this.#transport.description} ended the event stream (GET /events); it may be shutting down. Subscribe again once \`docker info\` answers.`,
    });
  }

  /**
   * One buffered request for endpoint families kept in their own module (swarm.ts), with
   * the same version negotiation, transport and error mapping as the methods here.
   * `statuses` says what its answers mean; the body is the parsed JSON (undefined when empty).
   */
  async request(method: string, path: string, statuses: StatusTable, options: { query?: Query; body?: unknown } = {}): Promise<{ status: number; body: unknown }> {
    const res = await this.#call(method, path, statuses, options);
    return { status: res.status, body: res.body.length === 0 ? undefined : parseJson(res, `${method} ${path}`) };
  }

  async #call(
    method: string,
    path: string,
    statuses: StatusTable,
    options: { query?: Query; body?: unknown; timeoutMs?: number; unversioned?: boolean } = {},
  ): Promise<BufferedResponse> {
    const apiVersion = options.unversioned ? undefined : await this.apiVersion();
    const res = await this.#transport.request({
      method,
      path,
      ...(apiVersion === undefined ? {} : { apiVersion }),
      ...(options.query ? { query: options.query } : {}),
      ...(options.body === undefined ? {} : { body: options.body }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
    const meaning = statuses[res.status];
    if (meaning === true) return res;
    throw errorFromResponse({ status: res.status, method, path, body: res.body.toString('utf8'), ...(meaning ? { meaning } : {}) });
  }

  async #stream(
    method: string,
    path: string,
    statuses: StatusTable,
    options: { query?: Query; signal?: AbortSignal },
  ): Promise<StreamedResponse> {
    const apiVersion = await this.apiVersion();
    const res = await this.#transport.stream({ method, path, apiVersion, ...options });
    if (statuses[res.status] === true) return res;
    // A failure answer is short: read it whole for the engine's message.
    let body: string;
    try {
      body = await readAll(res.body);
    } finally {
      res.close();
    }
    const meaning = statuses[res.status];
    throw errorFromResponse({ status: res.status, method, path, body, ...(typeof meaning === 'string' ? { meaning } : {}) });
  }
}

/** The engine's `filters` query value, or undefined when no filter is set. */
export function filtersJson(filters: EventsOptions['filters']): string | undefined {
  if (!filters) return undefined;
  const out: Record<string, string[]> = {};
  for (const [key, values] of Object.entries(filters)) if (values && values.length > 0) out[key] = [...values];
  return Object.keys(out).length > 0 ? JSON.stringify(out) : undefined;
}

// Image names may hold '/' (registry/repo); the engine's router takes them unencoded.
function imagePath(ref: string): string {
  return ref.split('/').map(encodeURIComponent).join('/');
}

function parseJson(res: BufferedResponse, what: string): unknown {
  const text = res.body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new DockerProtocolError(
      `The Docker engine answered ${what} with something that is not JSON: ${text.slice(0, 200)}. Is DOCKER_HOST pointing at a Docker engine?`,
    );
  }
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
