// Translation between the engine's JSON (PascalCase, nulls, optional everything) and the
// client's types. Pure, so every odd shape the engine can send is unit-tested here.
import type {
  ContainerInfo,
  ContainerSpec,
  ContainerSummary,
  DockerEvent,
  EngineVersion,
  ImageInfo,
  NetworkInfo,
  PortBinding,
  PullProgress,
} from './types.js';
import { labels, num, record, str, strings, type Json } from './json-read.js';

/** The body of POST /containers/create for `spec`. */
export function createContainerBody(spec: ContainerSpec): Json {
  const port = `${spec.containerPort}/tcp`;
  const hostConfig: Json = {
    PortBindings: {
      // An empty HostPort asks the engine for a free ephemeral port.
      [port]: [{ HostIp: spec.hostIp ?? '127.0.0.1', HostPort: spec.hostPort === undefined ? '' : String(spec.hostPort) }],
    },
  };
  if (spec.memoryBytes !== undefined) hostConfig['Memory'] = spec.memoryBytes;
  if (spec.nanoCpus !== undefined) hostConfig['NanoCpus'] = spec.nanoCpus;
  if (spec.binds !== undefined && spec.binds.length > 0) hostConfig['Binds'] = [...spec.binds];
  if (spec.readOnlyRootfs) hostConfig['ReadonlyRootfs'] = true;
  if (spec.tmpfs !== undefined && Object.keys(spec.tmpfs).length > 0) hostConfig['Tmpfs'] = { ...spec.tmpfs };
  if (spec.capAdd !== undefined && spec.capAdd.length > 0) hostConfig['CapAdd'] = [...spec.capAdd];
  if (spec.capDrop !== undefined && spec.capDrop.length > 0) hostConfig['CapDrop'] = [...spec.capDrop];
  if (spec.securityOpt !== undefined && spec.securityOpt.length > 0) hostConfig['SecurityOpt'] = [...spec.securityOpt];
  if (spec.init) hostConfig['Init'] = true;

  const body: Json = { Image: spec.image, ExposedPorts: { [port]: {} }, HostConfig: hostConfig };
  // Engines before API 1.44 take one network at create; the client connects the others before start.
  const [firstNetwork] = spec.networks ?? [];
  if (firstNetwork !== undefined) {
    hostConfig['NetworkMode'] = firstNetwork;
    body['NetworkingConfig'] = { EndpointsConfig: { [firstNetwork]: {} } };
  }
  if (spec.env !== undefined) body['Env'] = [...spec.env];
  if (spec.cmd !== undefined) body['Cmd'] = [...spec.cmd];
  if (spec.entrypoint !== undefined) body['Entrypoint'] = [...spec.entrypoint];
  if (spec.user !== undefined) body['User'] = spec.user;
  if (spec.workingDir !== undefined) body['WorkingDir'] = spec.workingDir;
  if (spec.labels !== undefined) body['Labels'] = { ...spec.labels };
  if (spec.stopSignal !== undefined) body['StopSignal'] = spec.stopSignal;
  if (spec.stopTimeoutSeconds !== undefined) body['StopTimeout'] = spec.stopTimeoutSeconds;
  return body;
}

/** `{ fromImage, tag }` for POST /images/create: a ref without tag or digest means `latest`. */
export function splitImageRef(ref: string): { fromImage: string; tag: string } {
  // A digest pins the image; the engine takes it whole in fromImage.
  if (ref.includes('@')) return { fromImage: ref, tag: '' };
  const lastSlash = ref.lastIndexOf('/');
  const lastColon = ref.lastIndexOf(':');
  // A colon before the last slash belongs to a registry host:port, not a tag.
  if (lastColon > lastSlash) return { fromImage: ref.slice(0, lastColon), tag: ref.slice(lastColon + 1) };
  return { fromImage: ref, tag: 'latest' };
}

/** GET /version → EngineVersion. */
export function toEngineVersion(raw: unknown): EngineVersion {
  const r = record(raw);
  return {
    version: str(r['Version']),
    apiVersion: str(r['ApiVersion']),
    minApiVersion: str(r['MinAPIVersion']),
    os: str(r['Os']),
    arch: str(r['Arch']),
  };
}

/** GET /images/{name}/json → ImageInfo. */
export function toImageInfo(raw: unknown): ImageInfo {
  const r = record(raw);
  const config = record(r['Config']);
  return {
    id: str(r['Id']),
    repoTags: strings(r['RepoTags']),
    exposedPorts: Object.keys(record(config['ExposedPorts'])),
  };
}

/** GET /networks/{id} → NetworkInfo. */
export function toNetworkInfo(raw: unknown): NetworkInfo {
  const r = record(raw);
  return { id: str(r['Id']), name: str(r['Name']), driver: str(r['Driver']), scope: str(r['Scope']) };
}

/** GET /containers/{id}/json → ContainerInfo. */
export function toContainerInfo(raw: unknown): ContainerInfo {
  const r = record(raw);
  const config = record(r['Config']);
  const state = record(r['State']);
  const ports: PortBinding[] = [];
  for (const [key, bindings] of Object.entries(record(record(r['NetworkSettings'])['Ports']))) {
    const [portText = '', protocol = 'tcp'] = key.split('/');
    // Exposed but unpublished ports map to null.
    if (!Array.isArray(bindings)) continue;
    for (const binding of bindings) {
      const b = record(binding);
      const hostPort = Number(str(b['HostPort']));
      if (!Number.isInteger(hostPort) || hostPort <= 0) continue;
      ports.push({ containerPort: Number(portText), protocol, hostIp: str(b['HostIp']), hostPort });
    }
  }
  return {
    id: str(r['Id']),
    name: str(r['Name']).replace(/^\//, ''),
    image: str(config['Image']) || str(r['Image']),
    created: str(r['Created']),
    labels: labels(config['Labels']),
    state: {
      status: str(state['Status']),
      running: state['Running'] === true,
      exitCode: num(state['ExitCode']),
      oomKilled: state['OOMKilled'] === true,
      startedAt: str(state['StartedAt']),
      finishedAt: str(state['FinishedAt']),
      error: str(state['Error']),
    },
    ports,
  };
}

/** One entry of GET /containers/json → ContainerSummary. */
export function toContainerSummary(raw: unknown): ContainerSummary {
  const r = record(raw);
  const ports: PortBinding[] = [];
  for (const port of Array.isArray(r['Ports']) ? r['Ports'] : []) {
    const p = record(port);
    const hostPort = num(p['PublicPort']);
    // Exposed-only ports are listed without a PublicPort.
    if (hostPort <= 0) continue;
    ports.push({ containerPort: num(p['PrivatePort']), protocol: str(p['Type']) || 'tcp', hostIp: str(p['IP']), hostPort });
  }
  return {
    id: str(r['Id']),
    names: strings(r['Names']),
    image: str(r['Image']),
    state: str(r['State']),
    status: str(r['Status']),
    labels: labels(r['Labels']),
    created: num(r['Created']),
    ports,
  };
}

/** One line of GET /events → DockerEvent. */
export function toDockerEvent(raw: unknown): DockerEvent {
  const r = record(raw);
  const actor = record(r['Actor']);
  return {
    // Engines before API 1.22 sent only `status` and `id`.
    type: str(r['Type']) || 'container',
    action: str(r['Action']) || str(r['status']),
    id: str(actor['ID']) || str(r['id']),
    attributes: labels(actor['Attributes']),
    time: num(r['time']),
    timeNano: num(r['timeNano']),
  };
}

/** One line of POST /images/create: progress, or the error that ended the pull. */
export function toPullLine(raw: unknown): { progress: PullProgress } | { error: string } {
  const r = record(raw);
  const detail = record(r['errorDetail']);
  const error = str(r['error']) || str(detail['message']);
  if (error !== '') return { error };
  const progressDetail = record(r['progressDetail']);
  const progress: { -readonly [K in keyof PullProgress]: PullProgress[K] } = { status: str(r['status']) };
  if (typeof r['id'] === 'string') progress.id = r['id'];
  if (typeof r['progress'] === 'string') progress.progress = r['progress'];
  if (typeof progressDetail['current'] === 'number') progress.current = progressDetail['current'];
  if (typeof progressDetail['total'] === 'number') progress.total = progressDetail['total'];
  return { progress };
}
