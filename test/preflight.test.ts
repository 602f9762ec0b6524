import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ImageInfo, NetworkInfo } from '../src/docker/index.js';
import { SymphonyError } from '../src/errors.js';
import { EventLogger, type LogRecord } from '../src/log.js';
import { exposedPortWarning, missingNetworksMessage, preflight } from '../src/preflight.js';

describe('exposedPortWarning', () => {
  const rows: { name: string; exposed: string[]; port: number; want: string | null }[] = [
    { name: 'the image declares nothing: no warning', exposed: [], port: 8080, want: null },
    { name: 'the port is among them', exposed: ['80/tcp', '443/tcp'], port: 443, want: null },
    { name: 'another port', exposed: ['80/tcp'], port: 8080, want: 'the image exposes 80/tcp; --container-port is 8080' },
    { name: 'several others, all named', exposed: ['80/tcp', '443/tcp'], port: 8080, want: 'the image exposes 80/tcp, 443/tcp; --container-port is 8080' },
    { name: 'only UDP ports: nothing to compare', exposed: ['53/udp'], port: 8080, want: null },
    { name: 'the same number over UDP only does not count', exposed: ['8080/udp', '80/tcp'], port: 8080, want: 'the image exposes 80/tcp; --container-port is 8080' },
  ];
  for (const row of rows) test(row.name, () => assert.equal(exposedPortWarning(row.exposed, row.port), row.want));
});

describe('missingNetworksMessage', () => {
  const rows: { name: string; missing: string[]; want: string | null }[] = [
    { name: 'none missing', missing: [], want: null },
    { name: 'one', missing: ['db-net'], want: '--network db-net: no such network on the Docker engine; create it first (docker network create db-net) or fix the name' },
    {
      name: 'two',
      missing: ['a', 'b'],
      want: '--network a, b: no such networks on the Docker engine; create them first (docker network create a && docker network create b) or fix the name',
    },
  ];
  for (const row of rows) test(row.name, () => assert.equal(missingNetworksMessage(row.missing), row.want));
});

describe('preflight', () => {
  const engine = (networks: string[], exposed: string[]) => ({
    asked: [] as string[],
    async inspectNetwork(name: string): Promise<NetworkInfo | undefined> {
      this.asked.push(name);
      if (name.startsWith('overlay-')) return { id: `id-${name}`, name, driver: 'overlay', scope: 'swarm' };
      return networks.includes(name) ? { id: `id-${name}`, name, driver: 'bridge', scope: 'local' } : undefined;
    },
    async imageInspect(): Promise<ImageInfo | undefined> {
      return { id: 'i', repoTags: [], exposedPorts: exposed };
    },
  });
  const logger = (): { log: EventLogger; records: LogRecord[] } => {
    const records: LogRecord[] = [];
    return { log: new EventLogger({ level: 'debug', now: () => 0, sinks: [(r) => records.push(r)] }), records };
  };

  test('a missing network stops it with NETWORK_NOT_FOUND, after asking for every network', async () => {
    const docker = engine(['a'], []);
    const { log } = logger();
    await assert.rejects(preflight(docker, { image: 'x', containerPort: 80, networks: ['a', 'b'] }, log), (err: unknown) => {
      return err instanceof SymphonyError && err.code === 'NETWORK_NOT_FOUND' && err.message.startsWith('--network b: no such network');
    });
    assert.deepEqual(docker.asked, ['a', 'b']);
  });

  test('on a swarm, a network of one engine stops it with NETWORK_NOT_SWARM_SCOPED; a swarm network does not', async () => {
    const { log } = logger();
    await assert.rejects(preflight(engine(['a'], []), { image: 'x', containerPort: 80, networks: ['a', 'overlay-b'], runtime: 'swarm' }, log), (err: unknown) => {
      return (
        err instanceof SymphonyError &&
        err.code === 'NETWORK_NOT_SWARM_SCOPED' &&
        err.message === '--network a: a network of one engine, which Swarm services cannot join; use a swarm network (docker network create --driver overlay --attachable a)'
      );
    });
    await preflight(engine([], []), { image: 'x', containerPort: 80, networks: ['overlay-b'], runtime: 'swarm' }, log);
    await preflight(engine(['a'], []), { image: 'x', containerPort: 80, networks: ['a'], runtime: 'docker' }, log);
  });

  test('a container port the image does not expose is a warning, not a failure', async () => {
    const { log, records } = logger();
    await preflight(engine([], ['80/tcp']), { image: 'x', containerPort: 8080, networks: [] }, log);
    const warning = records.find((r) => r.event === 'image.port_mismatch');
    assert.equal(warning?.level, 'warn');
    assert.match(warning?.message ?? '', /^the image exposes 80\/tcp; --container-port is 8080/);
  });

  test('everything in order: silent', async () => {
    const { log, records } = logger();
    await preflight(engine(['a'], ['80/tcp']), { image: 'x', containerPort: 80, networks: ['a'] }, log);
    assert.deepEqual(records, []);
  });
});
