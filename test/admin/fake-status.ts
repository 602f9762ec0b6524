// A SymphonyStatus for admin tests, shaped like the real orchestrator's.
import type { LogRecord } from '../../src/log.js';
import type { ContainerState, ContainerStatus, SymphonyStatus } from '../../src/status.js';

/** What a test may vary; everything else gets plausible defaults. */
export interface FakeStatusOptions {
  /** One container per entry. @default ['ready', 'ready', 'starting'] */
  readonly states?: readonly ContainerState[];
  /** Explicit containers (override `states`). */
  readonly containers?: readonly ContainerStatus[];
  readonly events?: readonly LogRecord[];
  readonly desired?: number;
  readonly windowCount?: number;
  readonly requests?: number;
  readonly name?: string;
}

const T0 = Date.parse('2026-11-25T10:00:00.000Z');

/** A 64-hex-char Docker id that starts with `prefix` (hex). */
export function fakeId(prefix: string): string {
  return (prefix + 'f'.repeat(64)).slice(0, 64);
}

/** One container in state `state`, numbered `i`. */
export function fakeContainer(i: number, state: ContainerState = 'ready', over: Partial<ContainerStatus> = {}): ContainerStatus {
  return {
    id: fakeId(`${i}a${i}b${i}c${i}d${i}e${i}`),
    name: `symphony-demo-${i}`,
    hostPort: 32000 + i,
    state,
    inFlight: i,
    served: 100 * i,
    health: [{ time: T0 - 1000, ok: state !== 'unhealthy', status: state === 'unhealthy' ? 503 : 200, durationMs: 3 }],
    startedAt: new Date(T0 - 60_000 * i).toISOString(),
    adopted: i === 1,
    ...over,
  };
}

/** A status with the given containers and counts. */
export function fakeStatus(options: FakeStatusOptions = {}): SymphonyStatus {
  const containers = options.containers ?? (options.states ?? ['ready', 'ready', 'starting']).map((s, i) => fakeContainer(i + 1, s));
  const desired = options.desired ?? containers.length;
  const count = options.windowCount ?? 45;
  return {
    service: {
      name: options.name ?? 'demo-api',
      image: 'docker-symphony-demo:latest',
      listen: '127.0.0.1:8080',
      admin: '127.0.0.1:9090',
      startedAt: new Date(T0 - 3_600_000).toISOString(),
    },
    window: { seconds: 30, mode: 'sliding', count, baseScaleCount: 20 },
    replicas: { min: 1, max: 5 },
    desired,
    decision: { replicas: desired, reason: 'Rule', proposed: Math.floor(count / 20) + 1, count },
    backoff: { failureStreak: 0, nextStartAt: null },
    containers,
    proxy: { requests: options.requests ?? 1234, inFlight: 3, queued: 0 },
    events: options.events ?? [
      { time: T0 - 1000, level: 'info', event: 'container.ready', message: 'container is ready', container: containers[0]?.id ?? fakeId('0') },
      { time: T0 - 5000, level: 'warn', event: 'health.failed', message: 'probe timed out' },
    ],
  };
}
