// What a container is created from, built from the configuration alone. Pure: the
// owner adds the per-container fields (name, host port) and the spec's hash label.
import type { ContainerSpec } from '../docker/types.js';
import { IMAGE_LABEL, PORT_LABEL, SERVICE_LABEL, SPEC_LABEL } from './labels.js';

/** The configuration a container spec is made of. */
export interface SpecConfig {
  readonly service: string;
  readonly image: string;
  readonly containerPort: number;
  readonly env?: readonly string[];
  readonly memoryBytes?: number | null;
  readonly cpus?: number | null;
  readonly stopTimeoutMs: number;
}

/** The spec every container of the service shares: no name, no host port, no hash label. */
export function baseSpec(config: SpecConfig): ContainerSpec {
  return {
    image: config.image,
    env: [...(config.env ?? [])],
    labels: {
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
