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
  /** Failed starts in a row (the back-off). @default 0 */
  readonly failureStreak?: number;
}

/** The moment the fake statuses' times are set around. */
export const FAKE_T0 = Date.parse('2026-11-25T10:00:00.000Z');
const T0 = FAKE_T0;

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
    host: '127.0.0.1',
    node: null,
    state,
    inFlight: i,
    served: 100 * i,
    health: [{ time: T0 - 1000, ok: state !== 'unhealthy', status: state === 'unhealthy' ? 503 : 200, durationMs: 3 }],
    startedAt: new Date(T0 - 60_000 * i).toISOString(),
    adopted: i === 1,
    spec: 'a1b2c3d4e5f60718',
    image: 'docker-symphony-demo:latest',
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
    backoff: { failureStreak: options.failureStreak ?? 0, nextStartAt: null },
    engine: { state: 'up', since: null },
    health: { panic: false, since: null, eventLoopLagMs: 4 },
    containers,
    deploy: null,
    proxy: { requests: options.requests ?? 1234, inFlight: 3, queued: 0, clientAborted: 0 },
    events: options.events ?? [
      { time: T0 - 1000, level: 'info', event: 'container.ready', message: 'container is ready', container: containers[0]?.id ?? fakeId('0') },
      { time: T0 - 5000, level: 'warn', event: 'health.failed', message: 'probe timed out' },
    ],
  };
}

/** Markup in a crash message: the dashboard must show it as text. */
export const CRASH_MESSAGE = 'symphony-demo-2 left the rotation and will be replaced: <img src=x onerror="document.body.dataset.pwned=1">';

/**
 * Ninety seconds of an orchestrator (base 20, min 1, max 5), one status per second from
 * `t0`: 1 replica; at 10 s the window reaches 24 and it scales to 2; at 30 s to 45 and
 * 3; at 60 s container 2 crashes (running drops to 2) and at 61 s its replacement
 * starts (running 3 again, ready at 63 s).
 */
export function scaleUpStory(t0: number): { readonly seconds: number; statusAt(second: number): SymphonyStatus } {
  const at = (second: number): number => t0 + second * 1000 - 200;
  const c = (i: number, state: ContainerState): ContainerStatus => fakeContainer(i, state, { adopted: false });
  const timeline: { second: number; record: LogRecord }[] = [
    { second: 10, record: { time: at(10), level: 'info', event: 'scale.decision', message: 'scale to 2: floor(24 / 20) + 1 = 2', fields: { previous: 1, desired: 2 } } },
    { second: 10, record: { time: at(10) + 1, level: 'info', event: 'container.created', message: 'symphony-demo-2 created', container: c(2, 'starting').id } },
    { second: 30, record: { time: at(30), level: 'info', event: 'scale.decision', message: 'scale to 3: floor(45 / 20) + 1 = 3', fields: { previous: 2, desired: 3 } } },
    { second: 30, record: { time: at(30) + 1, level: 'info', event: 'container.created', message: 'symphony-demo-3 created', container: c(3, 'starting').id } },
    { second: 60, record: { time: at(60), level: 'warn', event: 'container.unhealthy', message: CRASH_MESSAGE, container: c(2, 'ready').id } },
    { second: 61, record: { time: at(61), level: 'info', event: 'container.created', message: 'symphony-demo-4 created', container: c(4, 'starting').id } },
  ];
  return {
    seconds: 90,
    statusAt(second) {
      const count = second < 10 ? 5 : second < 30 ? 24 : 45;
      const desired = second < 10 ? 1 : second < 30 ? 2 : 3;
      const containers = [c(1, 'ready')];
      if (second >= 10 && second <= 60) containers.push(c(2, second === 60 ? 'unhealthy' : second < 12 ? 'starting' : 'ready'));
      if (second >= 30) containers.push(c(3, second < 32 ? 'starting' : 'ready'));
      if (second >= 61) containers.push(c(4, second < 63 ? 'starting' : 'ready'));
      // 1 request/s, then 3, then 5: the proxy's counter, from which the rate comes.
      const requests = Math.min(second, 10) + 3 * Math.max(0, Math.min(second, 30) - 10) + 5 * Math.max(0, second - 30);
      const events = timeline.filter((e) => e.second <= second).map((e) => e.record).reverse();
      return { ...fakeStatus({ containers, desired, windowCount: count, requests, events }), replicas: { min: 1, max: 5 } };
    },
  };
}
