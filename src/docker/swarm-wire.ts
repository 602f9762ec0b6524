// Translation between the engine's Swarm JSON (PascalCase, nulls, optional everything)
// and the client's Swarm types. Pure, so every odd shape is unit-tested here.
import type { NodeInfo, ServiceInfo, ServiceMount, ServiceSpec, SwarmCluster, SwarmNodeInfo, TaskFilters, TaskInfo, TaskPort } from './swarm-types.js';
import { labels, list, num, record, str, type Json } from './json-read.js';

/** The body of POST /services/create for `spec`. */
export function serviceSpecBody(spec: ServiceSpec): Json {
  const container: Json = { Image: spec.image, Labels: { ...spec.labels } };
  if (spec.env !== undefined) container['Env'] = [...spec.env];
  if (spec.command !== undefined) container['Command'] = [...spec.command];
  if (spec.args !== undefined) container['Args'] = [...spec.args];
  if (spec.user !== undefined) container['User'] = spec.user;
  if (spec.dir !== undefined) container['Dir'] = spec.dir;
  if (spec.readOnly) container['ReadOnly'] = true;
  if (spec.mounts !== undefined && spec.mounts.length > 0) container['Mounts'] = spec.mounts.map(mountBody);
  if (spec.capabilityAdd !== undefined && spec.capabilityAdd.length > 0) container['CapabilityAdd'] = [...spec.capabilityAdd];
  if (spec.capabilityDrop !== undefined && spec.capabilityDrop.length > 0) container['CapabilityDrop'] = [...spec.capabilityDrop];
  if (spec.init) container['Init'] = true;
  if (spec.stopSignal !== undefined) container['StopSignal'] = spec.stopSignal;
  if (spec.stopGracePeriodNs !== undefined) container['StopGracePeriod'] = spec.stopGracePeriodNs;

  const limits: Json = {};
  if (spec.memoryBytes !== undefined) limits['MemoryBytes'] = spec.memoryBytes;
  if (spec.nanoCpus !== undefined) limits['NanoCPUs'] = spec.nanoCpus;
  const template: Json = {
    ContainerSpec: container,
    // A zero delay makes a task that cannot start (a missing image) spin.
    RestartPolicy: { Condition: 'any', Delay: spec.restartDelayNs },
  };
  if (Object.keys(limits).length > 0) template['Resources'] = { Limits: limits };
  if (spec.networks !== undefined && spec.networks.length > 0) template['Networks'] = spec.networks.map((Target) => ({ Target }));
  return {
    Name: spec.name,
    Labels: { ...spec.labels },
    TaskTemplate: template,
    Mode: { Replicated: { Replicas: 1 } },
    // No PublishedPort: each node's engine picks a free port; host mode needs no routing mesh (IPVS).
    EndpointSpec: { Mode: 'dnsrr', Ports: [{ Protocol: 'tcp', TargetPort: spec.targetPort, PublishMode: 'host' }] },
  };
}

function mountBody(m: ServiceMount): Json {
  const body: Json = { Type: m.type, Target: m.target };
  if (m.source !== undefined) body['Source'] = m.source;
  if (m.readOnly) body['ReadOnly'] = true;
  if (m.type === 'tmpfs' && (m.tmpfsSizeBytes !== undefined || m.tmpfsMode !== undefined)) {
    body['TmpfsOptions'] = {
      ...(m.tmpfsSizeBytes === undefined ? {} : { SizeBytes: m.tmpfsSizeBytes }),
      ...(m.tmpfsMode === undefined ? {} : { Mode: m.tmpfsMode }),
    };
  }
  return body;
}

/** The `filters` query value of GET /tasks, or undefined when none is set. */
export function taskFiltersJson(filters: TaskFilters): string | undefined {
  const out: Record<string, string[]> = {};
  const set = (key: string, values: readonly string[] | undefined): void => {
    if (values && values.length > 0) out[key] = [...values];
  };
  set('service', filters.service);
  set('desired-state', filters.desiredState);
  set('label', filters.label);
  set('node', filters.node);
  return Object.keys(out).length > 0 ? JSON.stringify(out) : undefined;
}

/** The Swarm part of GET /info. */
export function toSwarmNodeInfo(raw: unknown): SwarmNodeInfo {
  const s = record(record(raw)['Swarm']);
  return {
    localNodeState: str(s['LocalNodeState']),
    controlAvailable: s['ControlAvailable'] === true,
    nodeId: str(s['NodeID']),
    nodeAddr: str(s['NodeAddr']),
    error: str(s['Error']),
  };
}

/** GET /swarm → SwarmCluster. */
export function toSwarmCluster(raw: unknown): SwarmCluster {
  const r = record(raw);
  const spec = record(r['Spec']);
  return {
    id: str(r['ID']),
    version: num(record(r['Version'])['Index']),
    spec,
    heartbeatPeriodNs: num(record(spec['Dispatcher'])['HeartbeatPeriod']),
  };
}

/** One service of GET /services → ServiceInfo. */
export function toServiceInfo(raw: unknown): ServiceInfo {
  const r = record(raw);
  const spec = record(r['Spec']);
  return {
    id: str(r['ID']),
    name: str(spec['Name']),
    version: num(record(r['Version'])['Index']),
    createdAt: str(r['CreatedAt']),
    labels: labels(spec['Labels']),
    image: str(record(record(spec['TaskTemplate'])['ContainerSpec'])['Image']),
  };
}

/** One task of GET /tasks → TaskInfo. */
export function toTaskInfo(raw: unknown): TaskInfo {
  const r = record(raw);
  const status = record(r['Status']);
  const container = record(status['ContainerStatus']);
  const ports: TaskPort[] = [];
  for (const port of list(record(status['PortStatus'])['Ports'])) {
    const p = record(port);
    ports.push({ protocol: str(p['Protocol']) || 'tcp', targetPort: num(p['TargetPort']), publishedPort: num(p['PublishedPort']), publishMode: str(p['PublishMode']) });
  }
  return {
    id: str(r['ID']),
    serviceId: str(r['ServiceID']),
    nodeId: str(r['NodeID']),
    slot: num(r['Slot']),
    createdAt: str(r['CreatedAt']),
    desiredState: str(r['DesiredState']),
    state: str(status['State']),
    timestamp: str(status['Timestamp']),
    message: str(status['Message']),
    err: str(status['Err']),
    containerId: str(container['ContainerID']),
    exitCode: typeof container['ExitCode'] === 'number' ? container['ExitCode'] : null,
    ports,
  };
}

/** One node of GET /nodes → NodeInfo. */
export function toNodeInfo(raw: unknown): NodeInfo {
  const r = record(raw);
  const status = record(r['Status']);
  const spec = record(r['Spec']);
  const manager = r['ManagerStatus'] === undefined || r['ManagerStatus'] === null ? null : record(r['ManagerStatus']);
  return {
    id: str(r['ID']),
    hostname: str(record(r['Description'])['Hostname']),
    state: str(status['State']),
    addr: str(status['Addr']),
    message: str(status['Message']),
    availability: str(spec['Availability']),
    role: str(spec['Role']),
    manager: manager === null ? null : { leader: manager['Leader'] === true, reachability: str(manager['Reachability']), addr: str(manager['Addr']) },
  };
}
