// The owner of the container set on the docker runtime over a fake engine (fake-docker.ts), the fake clock and a
// real UpstreamPool, with the handful of moves its unit tests make: step the clock, report
// a probe, let every starting container answer, start as Symphony does.
import { EventLogger, type LogRecord } from '../../src/log.js';
import { ContainerSet } from '../../src/orchestrator/container-set.js';
import type { ContainerSetOptions } from '../../src/orchestrator/owner-types.js';
import { UpstreamPool } from '../../src/proxy/pool.js';
import { DockerRuntime } from '../../src/runtime/docker.js';
import type { HealthResult } from '../../src/status.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { FakeDocker } from './fake-docker.js';

/** Lets every promise callback and background task that can run now, run (no time passes). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 30; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Builds an owner of service `web` (image `demo:1`, port 80); every probe answers 200 except on `unhealthyPorts`. */
export function ownerHarness(options: Partial<ContainerSetOptions> = {}, unhealthyPorts: ReadonlySet<number> = new Set()) {
  const clock = new FakeClock();
  const docker = new FakeDocker(clock);
  const pool = new UpstreamPool({ clock });
  const records: LogRecord[] = [];
  const deployed: string[] = [];
  const logger = new EventLogger({ level: 'debug', now: () => clock.now(), sinks: [(r) => records.push(r)] });
  const set = new ContainerSet({
    runtime: new DockerRuntime({ docker, service: 'web', containerPort: 80, clock, logger }),
    pool,
    service: 'web',
    image: 'demo:1',
    containerPort: 80,
    healthPath: '/api/v1/_health',
    healthTimeoutMs: 1_000,
    startupTimeoutMs: 10_000,
    drainTimeoutMs: 5_000,
    stopTimeoutMs: 2_000,
    clock,
    logger,
    hooks: { deployed: (result) => deployed.push(result) },
    probe: async ({ port }) => (unhealthyPorts.has(port) ? { ok: false, status: 500, durationMs: 1 } : { ok: true, status: 200, durationMs: 1 }),
    ...options,
  });
  const t = {
    clock,
    docker,
    pool,
    set,
    logger,
    records,
    /** Results of finished deploys, as the metrics hook got them. */
    deployed,
    /** Records of one event name. */
    logged: (event: string) => records.filter((r) => r.event === event),
    /** Moves the fake time on and lets what it triggered run. */
    async step(ms: number): Promise<void> {
      clock.advance(ms);
      await settle();
    },
    /** Reports a probe result for a container. */
    probe(id: string, result: Partial<HealthResult> & { ok: boolean }): void {
      set.reportHealth(id, { time: clock.now(), durationMs: 1, ...(result.ok ? { status: 200 } : {}), ...result });
    },
    /** Every starting container answers 200. */
    async allAnswer(): Promise<void> {
      for (const target of set.healthTargets()) if (target.phase === 'starting') t.probe(target.id, { ok: true });
      await settle();
    },
    /** Ids in a state, oldest first. */
    ids: (state: string) => set.status().filter((c) => c.state === state).map((c) => c.id),
    /** Images of the containers in a state, oldest first. */
    images: (state: string) => set.status().filter((c) => c.state === state).map((c) => c.image),
    /** Ids of the containers still starting. */
    starting: () => set.healthTargets().filter((h) => h.phase === 'starting').map((h) => h.id),
    /** Starts the owner as Symphony does: adopt, then reconcile toward the initial replicas; all answer 200. */
    async startReady(): Promise<void> {
      await set.adopt();
      await settle();
      await t.allAnswer();
    },
  };
  return t;
}
