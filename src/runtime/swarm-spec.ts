// A replica's ContainerSpec as a Swarm service of one task, and what of a ContainerSpec
// a Swarm service cannot express (API 1.41). Pure.
import type { ContainerSpec } from '../docker/types.js';
import type { ServiceMount, ServiceSpec } from '../docker/swarm-types.js';
import { SymphonyError } from '../errors.js';

/** Wait before Swarm restarts a task that ended: non-zero, or a task that cannot start spins. */
export const RESTART_DELAY_NS = 1_000_000_000;

/** The spec asks for something a Swarm service cannot do. */
export class SwarmUnsupportedError extends SymphonyError {
  override readonly name = 'SwarmUnsupportedError';
  declare readonly code: 'SWARM_UNSUPPORTED';
  readonly reasons: readonly string[];

  constructor(reasons: readonly string[]) {
    super('SWARM_UNSUPPORTED', `These options cannot be used with --runtime swarm: ${reasons.join('; ')}. Leave them out, or use --runtime docker.`);
    this.reasons = reasons;
  }
}

/** Why `spec` cannot run as a Swarm service, one reason per option ([] when it can). */
export function swarmUnsupported(spec: ContainerSpec): string[] {
  const reasons: string[] = [];
  if (spec.securityOpt !== undefined && spec.securityOpt.length > 0) {
    reasons.push(`--security-opt (${spec.securityOpt.join(', ')}): Swarm services of API 1.41 take no security options`);
  }
  if (spec.hostPort !== undefined) {
    reasons.push(`a fixed host port (${spec.hostPort}): on a swarm each node's engine picks the port (host mode), as there may be several replicas per node`);
  }
  for (const bind of spec.binds ?? []) {
    const parsed = parseBind(bind);
    if (typeof parsed === 'string') reasons.push(parsed);
  }
  for (const [path, options] of Object.entries(spec.tmpfs ?? {})) {
    const parsed = parseTmpfs(path, options);
    if (typeof parsed === 'string') reasons.push(parsed);
  }
  return reasons;
}

/**
 * The service for one replica: named and labelled like its container, the image pinned
 * (`image`: `repo@sha256:…` or `sha256:…`), `containerPort` published in host mode.
 * `hostIp` has no Swarm equivalent: a host-mode port listens on every address of its node.
 * Throws SwarmUnsupportedError when swarmUnsupported(spec) has reasons.
 */
export function toServiceSpec(spec: ContainerSpec, image: string): ServiceSpec {
  const reasons = swarmUnsupported(spec);
  if (reasons.length > 0) throw new SwarmUnsupportedError(reasons);
  const mounts: ServiceMount[] = [
    ...(spec.binds ?? []).map((b) => parseBind(b) as ServiceMount),
    ...Object.entries(spec.tmpfs ?? {}).map(([path, options]) => parseTmpfs(path, options) as ServiceMount),
  ];
  const nonEmpty = <T>(list: readonly T[] | undefined): list is readonly T[] => list !== undefined && list.length > 0;
  return {
    name: spec.name ?? '',
    labels: { ...spec.labels },
    image,
    targetPort: spec.containerPort,
    restartDelayNs: RESTART_DELAY_NS,
    ...(spec.env !== undefined ? { env: [...spec.env] } : {}),
    ...(spec.entrypoint !== undefined ? { command: [...spec.entrypoint] } : {}),
    ...(spec.cmd !== undefined ? { args: [...spec.cmd] } : {}),
    ...(spec.user !== undefined ? { user: spec.user } : {}),
    ...(spec.workingDir !== undefined ? { dir: spec.workingDir } : {}),
    ...(spec.readOnlyRootfs ? { readOnly: true } : {}),
    ...(mounts.length > 0 ? { mounts } : {}),
    ...(nonEmpty(spec.capAdd) ? { capabilityAdd: [...spec.capAdd] } : {}),
    ...(nonEmpty(spec.capDrop) ? { capabilityDrop: [...spec.capDrop] } : {}),
    ...(spec.init ? { init: true } : {}),
    ...(spec.stopSignal !== undefined ? { stopSignal: spec.stopSignal } : {}),
    ...(spec.stopTimeoutSeconds !== undefined ? { stopGracePeriodNs: spec.stopTimeoutSeconds * 1e9 } : {}),
    ...(spec.memoryBytes !== undefined ? { memoryBytes: spec.memoryBytes } : {}),
    ...(spec.nanoCpus !== undefined ? { nanoCpus: spec.nanoCpus } : {}),
    ...(nonEmpty(spec.networks) ? { networks: [...spec.networks] } : {}),
  };
}

/**
 * The reference tasks run: a digest the manager's copy was pulled by (workers can pull it
 * by digest, preferring one of the same repository), else the image ID (then every node
 * must have the image). Never a tag: workers would ask a registry at every task start.
 */
export function pinnedImage(ref: string, image: { id: string; repoDigests: readonly string[] }): string {
  const repo = repositoryOf(ref);
  const digest = image.repoDigests.find((d) => repositoryOf(d) === repo) ?? image.repoDigests[0];
  return digest ?? image.id;
}

/** `name` of `name:tag` / `name@sha256:…` (a registry's `host:port/` kept). */
export function repositoryOf(ref: string): string {
  const at = ref.indexOf('@');
  const noDigest = at < 0 ? ref : ref.slice(0, at);
  const lastSlash = noDigest.lastIndexOf('/');
  const lastColon = noDigest.lastIndexOf(':');
  return lastColon > lastSlash ? noDigest.slice(0, lastColon) : noDigest;
}

/** `SOURCE:TARGET[:ro|rw]` as a mount, or why it cannot be one on Swarm. */
export function parseBind(bind: string): ServiceMount | string {
  const [source = '', target = '', mode, ...rest] = bind.split(':');
  if (source === '' || target === '' || rest.length > 0) return `the volume '${bind}': write SOURCE:TARGET[:ro]`;
  if (mode !== undefined && mode !== 'ro' && mode !== 'rw') {
    return `the volume '${bind}': the mode '${mode}' (only ro or rw on Swarm)`;
  }
  const isPath = source.startsWith('/');
  if (!isPath && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(source)) {
    return `the volume '${bind}': its source is neither an absolute path nor a volume name`;
  }
  return { type: isPath ? 'bind' : 'volume', source, target, ...(mode === 'ro' ? { readOnly: true } : {}) };
}

/** A tmpfs mount (`size=…`, `mode=…` options only), or why it cannot be one on Swarm. */
export function parseTmpfs(path: string, options: string): ServiceMount | string {
  let size: number | undefined;
  let mode: number | undefined;
  for (const option of options.split(',').filter((o) => o !== '')) {
    const [key = '', value = ''] = option.split('=');
    if (key === 'size' && parseSize(value) !== undefined) size = parseSize(value);
    else if (key === 'mode' && /^[0-7]{3,4}$/.test(value)) mode = parseInt(value, 8);
    else return `the tmpfs option '${option}' of ${path} (Swarm takes only size= and mode=)`;
  }
  return { type: 'tmpfs', target: path, ...(size === undefined ? {} : { tmpfsSizeBytes: size }), ...(mode === undefined ? {} : { tmpfsMode: mode }) };
}

const UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** `64m` → bytes (k, m, g: binary units, as docker's tmpfs size takes them). */
function parseSize(text: string): number | undefined {
  const match = /^(\d+)([bkmg]?)$/i.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * (UNITS[(match[2] ?? '').toLowerCase()] ?? 1);
}
