// What a container is created from, built from the configuration alone. Pure: the
// owner adds the per-container fields (name, host port) and the spec's hash label.
import type { ContainerSpec } from '../docker/types.js';
import { IMAGE_LABEL, PORT_LABEL, SERVICE_LABEL, SPEC_LABEL } from './labels.js';

/** The container options of the configuration (see options.ts); absent or empty: the image's own. */
export interface ContainerOptions {
  readonly networks?: readonly string[];
  /** `SOURCE:TARGET[:ro]`. */
  readonly volumes?: readonly string[];
  readonly command?: readonly string[] | null;
  readonly entrypoint?: readonly string[] | null;
  /** `KEY=VALUE` (or `KEY`: empty value); never the reserved prefix (the config refuses it). */
  readonly labels?: readonly string[];
  readonly user?: string | null;
  readonly workdir?: string | null;
  readonly readOnly?: boolean;
  /** `PATH[:OPTIONS]`. */
  readonly tmpfs?: readonly string[];
  readonly capAdd?: readonly string[];
  readonly capDrop?: readonly string[];
  readonly securityOpt?: readonly string[];
  readonly init?: boolean;
  readonly stopSignal?: string | null;
}

/** The configuration a container spec is made of. */
export interface SpecConfig extends ContainerOptions {
  readonly service: string;
  readonly image: string;
  readonly containerPort: number;
  readonly env?: readonly string[];
  readonly memoryBytes?: number | null;
  readonly cpus?: number | null;
  readonly stopTimeoutMs: number;
}

/**
 * The spec every container of the service shares: no name, no host port, no hash label.
 * Options left at their default add no field, so the hash of a spec without them stays
 * what it was before they existed (containers of an earlier version are still adopted).
 */
export function baseSpec(config: SpecConfig): ContainerSpec {
  const nonEmpty = <T>(list: readonly T[] | undefined): list is readonly T[] => list !== undefined && list.length > 0;
  return {
    image: config.image,
    env: [...(config.env ?? [])],
    ...(config.command ? { cmd: [...config.command] } : {}),
    ...(config.entrypoint ? { entrypoint: [...config.entrypoint] } : {}),
    ...(nonEmpty(config.networks) ? { networks: [...config.networks] } : {}),
    ...(nonEmpty(config.volumes) ? { binds: [...config.volumes] } : {}),
    ...(config.user ? { user: config.user } : {}),
    ...(config.workdir ? { workingDir: config.workdir } : {}),
    ...(config.readOnly ? { readOnlyRootfs: true } : {}),
    ...(nonEmpty(config.tmpfs) ? { tmpfs: tmpfsMounts(config.tmpfs) } : {}),
    ...(nonEmpty(config.capAdd) ? { capAdd: [...config.capAdd] } : {}),
    ...(nonEmpty(config.capDrop) ? { capDrop: [...config.capDrop] } : {}),
    ...(nonEmpty(config.securityOpt) ? { securityOpt: [...config.securityOpt] } : {}),
    ...(config.init ? { init: true } : {}),
    ...(config.stopSignal ? { stopSignal: config.stopSignal } : {}),
    labels: {
      // Ours last: they are what the owner selects its containers by.
      ...userLabels(config.labels ?? []),
      [SERVICE_LABEL]: config.service,
      [IMAGE_LABEL]: config.image,
      [PORT_LABEL]: String(config.containerPort),
    },
    containerPort: config.containerPort,
    hostIp: '127.0.0.1',
    ...(config.memoryBytes ? { memoryBytes: config.memoryBytes } : {}),
    ...(config.cpus ? { nanoCpus: Math.round(config.cpus * 1e9) } : {}),
    stopTimeoutSeconds: Math.ceil(config.stopTimeoutMs / 1000),
  };
}

/** `KEY=VALUE` entries as labels (`KEY` alone: an empty value, as `docker run --label` does). */
export function userLabels(entries: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of entries) {
    const i = entry.indexOf('=');
    if (i < 0) out[entry] = '';
    else out[entry.slice(0, i)] = entry.slice(i + 1);
  }
  return out;
}

/** `PATH[:OPTIONS]` entries as the engine's tmpfs map (path → options, '' for none). */
export function tmpfsMounts(entries: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of entries) {
    const i = entry.indexOf(':');
    if (i < 0) out[entry] = '';
    else out[entry.slice(0, i)] = entry.slice(i + 1);
  }
  return out;
}

/** One container's spec: the base plus its name, its host port (0: the engine picks) and the hash label. */
export function instanceSpec(base: ContainerSpec, fields: { name: string; hostPort: number; hash: string }): ContainerSpec {
  return {
    ...base,
    name: fields.name,
    ...(fields.hostPort > 0 ? { hostPort: fields.hostPort } : {}),
    labels: { ...base.labels, [SPEC_LABEL]: fields.hash },
  };
}

/**
 * JSON with object keys sorted at every depth and undefined members left out, so
 * equal specs always give the same text whatever order their fields were written in.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The text the spec hash is taken of: the spec without its per-container fields. */
export function specHashInput(spec: ContainerSpec): string {
  const { name: _name, hostPort: _hostPort, ...shared } = spec;
  const labels = { ...shared.labels };
  delete labels[SPEC_LABEL];
  return canonicalJson({ ...shared, labels });
}

/** The container options of a configuration, for the owner (which builds the spec from them). */
export function containerOptionsOf(config: Required<ContainerOptions>): ContainerOptions {
  const { networks, volumes, command, entrypoint, labels, user, workdir, readOnly, tmpfs, capAdd, capDrop, securityOpt, init, stopSignal } = config;
  return { networks, volumes, command, entrypoint, labels, user, workdir, readOnly, tmpfs, capAdd, capDrop, securityOpt, init, stopSignal };
}
