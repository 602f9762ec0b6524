// What `docker-symphony status` prints: a few summary lines and a `docker ps`-like
// table of the containers, from the admin API's status. Pure: the status and the time
// in, text out. The status comes over HTTP from an orchestrator that may be older than
// this CLI, so fields added later (deploy, each container's spec and image) may be absent.
import type { ContainerStatus, DeployStatus, HealthResult, ScaleDecision, SymphonyStatus } from '../status.js';

/** A container as any orchestrator version reports it (`spec` and `image` came with deploys). */
export type WireContainer = Omit<ContainerStatus, 'spec' | 'image' | 'host' | 'node'> & Partial<Pick<ContainerStatus, 'spec' | 'image' | 'host' | 'node'>>;

/** `/api/status` as any orchestrator version answers it. */
export type WireStatus = Omit<SymphonyStatus, 'deploy' | 'containers'> & {
  readonly deploy?: DeployStatus | null;
  readonly containers: readonly WireContainer[];
};

/** Column titles of the container table. */
export const TABLE_HEADERS = ['CONTAINER ID', 'NAME', 'VERSION', 'HOST PORT', 'STATE', 'IN FLIGHT', 'SERVED', 'LAST CHECK'] as const;
/** On a swarm: where each replica runs (its node, and the node's address with the port) instead of a host port. */
export const SWARM_TABLE_HEADERS = ['SERVICE ID', 'NAME', 'VERSION', 'NODE', 'ADDRESS', 'STATE', 'IN FLIGHT', 'SERVED', 'LAST CHECK'] as const;

/** Lays rows out in left-aligned columns three spaces apart, like `docker ps`. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('   ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** One table row per container, in the order of TABLE_HEADERS (SWARM_TABLE_HEADERS with `swarm`). */
export function containerRow(c: WireContainer, now: number, swarm = false): string[] {
  const where = swarm
    ? [c.node ?? '-', c.hostPort === null ? '-' : `${c.host ?? '?'}:${c.hostPort}`]
    : [c.hostPort === null ? '-' : String(c.hostPort)];
  return [
    c.id.slice(0, 12),
    c.name,
    version(c.image, c.spec),
    ...where,
    c.adopted ? `${c.state} (adopted)` : c.state,
    String(c.inFlight),
    String(c.served),
    lastCheck(c.health[0], now),
  ];
}

/** `image @ spec8`, either part left out when the orchestrator does not report it. */
export function version(image: string | undefined, spec: string | undefined): string {
  const hash = spec === undefined || spec === 'unknown' ? '' : spec.slice(0, 8);
  if (image === undefined) return hash === '' ? '-' : hash;
  return hash === '' ? image : `${image} @ ${hash}`;
}

/** The newest health check: `200 in 3 ms, 1s ago`, `timeout, 2s ago`, or `-` before the first. */
export function lastCheck(check: HealthResult | undefined, now: number): string {
  if (check === undefined) return '-';
  const outcome = check.status !== undefined ? String(check.status) : (check.error ?? (check.ok ? 'ok' : 'failed'));
  return `${outcome} in ${Math.round(check.durationMs)} ms, ${age(now - check.time)} ago`;
}

/** A duration the way a person reads it: `850ms`, `12s`, `4m 05s`, `3h 02m`, `2d 05h`. */
export function age(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '0s';
  if (ms < 1000) return `${Math.floor(ms)}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const two = (n: number): string => String(n).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)}m ${two(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${two(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86_400)}d ${two(Math.floor(s / 3600) % 24)}h`;
}

/** Why the scaler wants what it wants, in words. */
export function reasonText(d: ScaleDecision, replicas: { readonly min: number; readonly max: number }, base: number): string {
  const rule = `floor(${d.count} / ${base}) + 1 = ${d.proposed}`;
  switch (d.reason) {
    case 'Rule':
      return rule;
    case 'TooFewReplicas':
      return `raised to --min ${replicas.min} (${rule})`;
    case 'TooManyReplicas':
      return `capped at --max ${replicas.max} (${rule})`;
    case 'WindowPending':
      return 'the first tumbling window has not ended; running the minimum';
    case 'ScaleDownStabilized':
      return `held at the highest count of --scale-down-delay (${rule})`;
    case 'AdoptedWarmup':
      return `keeping the adopted containers until one window has passed since the start (${rule})`;
    default:
      return String((d as { reason: unknown }).reason);
  }
}

/** One line about a deploy: what it moves from and to, how far it got, and how it ended. */
export function deployLine(d: DeployStatus, now: number): string {
  const move = `${version(d.from.image, d.from.spec)} → ${version(d.to.image, d.to.spec)}`;
  const progress = `${d.progress.done}/${d.progress.total} replaced`;
  const started = Date.parse(d.startedAt);
  const ended = d.endedAt === null ? NaN : Date.parse(d.endedAt);
  switch (d.state) {
    case 'running':
      return `#${d.id} in progress: ${move}, ${progress}, for ${age(now - started)}`;
    case 'rolling-back':
      return `#${d.id} rolling back: ${move}, because ${d.reason ?? 'it failed'}; ${progress} before it stopped`;
    case 'succeeded':
      return `#${d.id} succeeded: ${move}, ${progress} in ${age(ended - started)}, ${age(now - ended)} ago`;
    case 'rolled-back':
      return `#${d.id} rolled back: ${move}, because ${d.reason ?? 'it failed'}; ${age(now - ended)} ago`;
    default:
      return `#${d.id} ${String((d as { state: unknown }).state)}: ${move}, ${progress}`;
  }
}

/** The whole text of `docker-symphony status`. */
export function formatStatus(s: WireStatus, now: number): string {
  const label = (name: string): string => name.padEnd(10);
  const lines = [
    `${label('service')}${s.service.name}: ${s.service.image}, proxy on ${s.service.listen}, up ${age(now - Date.parse(s.service.startedAt))}`,
    `${label('window')}${s.window.count} request${s.window.count === 1 ? '' : 's'} in the last ${age(s.window.seconds * 1000)} (${s.window.mode})`,
    `${label('replicas')}${s.desired} desired: ${s.decision.reason}, ${reasonText(s.decision, s.replicas, s.window.baseScaleCount)}; min ${s.replicas.min}, max ${s.replicas.max}`,
  ];
  // Absent from an orchestrator older than deploys; null before the first deploy.
  if (s.deploy !== undefined && s.deploy !== null) lines.push(`${label('deploy')}${deployLine(s.deploy, now)}`);
  if (s.engine.state !== 'up') lines.push(`${label('engine')}${s.engine.state}${s.engine.since === null ? '' : ` for ${age(now - Date.parse(s.engine.since))}`}`);
  if (s.backoff.failureStreak > 0) {
    const next = s.backoff.nextStartAt === null ? '' : `, next start in ${age(Date.parse(s.backoff.nextStartAt) - now)}`;
    lines.push(`${label('back-off')}${s.backoff.failureStreak} failed start(s) in a row${next}`);
  }
  if (s.health.panic) lines.push(`${label('health')}panic: every ready container timed out at once; their timeouts are held back`);
  lines.push('');
  const swarm = s.containers.some((c) => typeof c.node === 'string');
  lines.push(
    s.containers.length === 0
      ? 'no containers'
      : formatTable(
          swarm ? SWARM_TABLE_HEADERS : TABLE_HEADERS,
          s.containers.map((c) => containerRow(c, now, swarm)),
        ),
  );
  return lines.join('\n');
}
