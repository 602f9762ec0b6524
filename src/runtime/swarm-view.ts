// What the manager's lists of tasks and nodes say about one replica (one service of
// one task): its state, its address, why it cannot start, why it stopped serving.
// Pure: the runtime polls, these decide.
import type { NodeInfo, ServiceInfo, TaskInfo } from '../docker/swarm-types.js';
import { IMAGE_LABEL } from '../orchestrator/labels.js';
import type { ReplicaAddress, ReplicaSummary } from './types.js';

/** Task states after which the task never runs again (Swarm starts a new task instead). */
export const ENDED_STATES: ReadonlySet<string> = new Set(['complete', 'failed', 'shutdown', 'rejected', 'orphaned', 'remove']);

/** One replica as the lists show it. */
export interface ReplicaView {
  /** The task that counts: the newest one Swarm wants running, else the newest (null: none yet). */
  readonly task: TaskInfo | null;
  /** Its node (null: not scheduled yet, or a node the list does not have). */
  readonly node: NodeInfo | null;
  /** `running` only when the task runs, is meant to, its node is ready and its port published; else what it is instead. */
  readonly state: string;
  readonly address: ReplicaAddress | null;
  /** Why its newest ended task ended ('' when none ended): what a start gives up with. */
  readonly failure: string;
}

/** `2026-11-25T18:00:00.5Z` → a key that sorts by time to the nanosecond (Go trims trailing zeros). */
export function timeKey(iso: string): string {
  const match = /^(.*?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(iso);
  if (!match) return iso;
  return `${match[1]}.${(match[2] ?? '').padEnd(9, '0')}`;
}

/** The tasks of `serviceId`, newest first. */
export function tasksOf(serviceId: string, tasks: readonly TaskInfo[]): TaskInfo[] {
  return tasks
    .filter((t) => t.serviceId === serviceId)
    .sort((a, b) => (timeKey(b.createdAt) < timeKey(a.createdAt) ? -1 : timeKey(b.createdAt) > timeKey(a.createdAt) ? 1 : 0));
}

/** The node port `task` publishes `containerPort/tcp` on (entries may be listed twice), or undefined. */
export function taskPort(task: TaskInfo, containerPort: number): number | undefined {
  return task.ports.find((p) => p.protocol === 'tcp' && p.targetPort === containerPort && p.publishedPort > 0)?.publishedPort;
}

/** Why `task` ended, for a person: `failed: task: non-zero exit (1)`. */
export function endReason(task: TaskInfo): string {
  const why = task.err || task.message;
  const hint = /no such image/i.test(task.err)
    ? ' (the image is pinned by ID: load it on every node with docker save | docker load, or push it to a registry the nodes pull from)'
    : '';
  return `${task.state}${why ? `: ${why}` : ''}${hint}`;
}

/** What the lists say about the service `serviceId`; tasks in `endedBefore` (ended before a start began) are no failure. */
export function replicaView(
  serviceId: string,
  tasks: readonly TaskInfo[],
  nodes: ReadonlyMap<string, NodeInfo>,
  containerPort: number,
  endedBefore: ReadonlySet<string> = new Set(),
): ReplicaView {
  const own = tasksOf(serviceId, tasks);
  const task = own.find((t) => t.desiredState === 'running') ?? own[0] ?? null;
  const ended = own.find((t) => ENDED_STATES.has(t.state) && !endedBefore.has(t.id));
  const failure = ended ? endReason(ended) : '';
  if (!task) return { task: null, node: null, state: 'no task', address: null, failure };
  const node = nodes.get(task.nodeId) ?? null;
  const port = taskPort(task, containerPort);
  const base = { task, node, failure };
  if (task.nodeId === '') return { ...base, state: task.state || 'pending', address: null };
  if (!node) return { ...base, state: 'node gone', address: null };
  const address = port === undefined || node.addr === '' ? null : { host: node.addr, port };
  if (node.state !== 'ready') return { ...base, state: `node ${node.state || 'unknown'}`, address };
  if (task.state !== 'running') return { ...base, state: task.state, address: null };
  if (task.desiredState !== 'running') return { ...base, state: 'stopping', address };
  if (!address) return { ...base, state: 'publishing', address: null };
  return { ...base, state: 'running', address };
}

/**
 * Why the replica whose running task was `taskId` no longer serves, or null while it
 * does. `service` undefined: the service is gone.
 */
export function lostReason(
  taskId: string,
  service: ServiceInfo | undefined,
  tasks: readonly TaskInfo[],
  nodes: ReadonlyMap<string, NodeInfo>,
): string | null {
  if (!service) return 'its Swarm service was removed';
  const own = tasksOf(service.id, tasks);
  const current = own.find((t) => t.id === taskId);
  if (!current) return 'Swarm removed its task';
  const node = nodes.get(current.nodeId);
  if (!node) return `its node ${current.nodeId.slice(0, 12)} left the swarm`;
  // First: a killed dockerd's containers keep answering, and its tasks still read running.
  if (node.state !== 'ready') return `its node ${node.hostname || node.id.slice(0, 12)} is ${node.state || 'unknown'}`;
  if (current.state === 'running' && current.desiredState === 'running') return null;
  // A restart waits out its delay desired `ready`, then becomes desired `running`.
  const newer = own.find((t) => t.id !== taskId && (t.desiredState === 'running' || t.desiredState === 'ready'));
  const what = current.state === 'running' ? `Swarm is stopping its task (desired ${current.desiredState})` : `its task ${endReason(current)}`;
  return newer ? `${what}; Swarm replaced it with a new task (a new address)` : what;
}

/** A service as the owner sees a replica. */
export function summaryOf(service: ServiceInfo, tasks: readonly TaskInfo[], nodes: ReadonlyMap<string, NodeInfo>, containerPort: number): ReplicaSummary {
  const view = replicaView(service.id, tasks, nodes, containerPort);
  const created = Date.parse(service.createdAt);
  return {
    id: service.id,
    name: service.name,
    state: view.state,
    labels: service.labels,
    image: service.labels[IMAGE_LABEL] ?? service.image,
    createdAt: Number.isFinite(created) ? created : 0,
    address: view.address,
    node: view.node ? view.node.hostname : null,
  };
}

/** Nodes by ID. */
export function nodeMap(nodes: readonly NodeInfo[]): Map<string, NodeInfo> {
  return new Map(nodes.map((n) => [n.id, n]));
}
