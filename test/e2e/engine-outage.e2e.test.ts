// An engine outage as the orchestrator sees it, on the real engine without stopping
// it: the orchestrator talks to the engine through a relay socket this test closes
// and reopens (the containers keep running, as with live-restore). The faults suite
// stops and restarts a dockerd of its own for the case where the containers die too.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DockerClient } from '../../src/docker/index.js';
import { parseDockerHost } from '../../src/docker/host.js';
import type { LogRecord } from '../../src/log.js';
import { Symphony } from '../../src/symphony.js';
import { DEMO_IMAGE, docker, inState, request, serviceName, sweep, waitFor } from './harness.js';

/**
 * A unix socket that forwards to the real engine. While `down`, it hangs up on every
 * connection at once (counting them), as an engine that went away does.
 */
async function engineRelay(): Promise<{ socketPath: string; refused: () => number; down(): void; up(): void; close(): Promise<void> }> {
  const target = parseDockerHost(process.env);
  if (target.kind !== 'unix') throw new Error('this test needs the engine on a unix socket');
  const dir = await mkdtemp(join(tmpdir(), 'symphony-relay-'));
  const socketPath = join(dir, 'docker.sock');
  const open = new Set<net.Socket>();
  let isDown = false;
  let refused = 0;
  const server = net.createServer((client) => {
    if (isDown) {
      refused++;
      client.destroy();
      return;
    }
    const upstream = net.connect(target.socketPath);
    open.add(client);
    open.add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, resolve);
  });
  const down = (): void => {
    isDown = true;
    for (const socket of open) socket.destroy(); // the event stream and any call in flight break
    open.clear();
  };
  return {
    socketPath,
    refused: () => refused,
    down,
    up: () => {
      isDown = false;
    },
    close: async () => {
      down();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

test('engine away and back: one line each way, serving goes on, no back-off, the failed removal is retried, then reconciled', async () => {
  const relay = await engineRelay();
  const service = serviceName('outage');
  const events: LogRecord[] = [];
  const symphony = new Symphony(
    { image: DEMO_IMAGE, name: service, min: 2, max: 2, listen: { host: '127.0.0.1', port: 0 }, adminListen: null, healthIntervalMs: 500, stopTimeoutMs: 1_000 },
    { docker: new DockerClient({ host: { kind: 'unix', socketPath: relay.socketPath } }) },
  );
  symphony.on('event', (r: LogRecord) => events.push(r));
  if (process.env['SYMPHONY_TEST_DEBUG']) symphony.on('event', (r: LogRecord) => console.error(r.event, r.message));
  const named = (event: string): LogRecord[] => events.filter((e) => e.event === event);
  const status = () => symphony.status();
  let loading = false;
  const loops: Promise<void>[] = [];
  const statuses = new Map<string, number>();
  try {
    const { proxy } = await symphony.start();
    await waitFor(status, (s) => inState(s, 'ready') === 2, 30_000, 'two ready containers');
    loading = true;
    const agent = new http.Agent({ keepAlive: true });
    for (let i = 0; i < 2; i++) {
      loops.push(
        (async () => {
          while (loading) {
            const key = await request(proxy.port, '/api/v1/whoami', { agent }).then(
              (r) => String(r.status),
              (err: unknown) => `error: ${err instanceof Error ? err.message : String(err)}`,
            );
            statuses.set(key, (statuses.get(key) ?? 0) + 1);
            await new Promise((r) => setTimeout(r, 10));
          }
        })(),
      );
    }

    relay.down();
    await waitFor(status, (s) => s.engine.state === 'unavailable', 10_000, 'the owner noticing the engine is away');
    // A container dies while the orchestrator cannot reach the engine.
    const [victim] = status().containers.map((c) => c.id) as [string];
    await docker.killContainer(victim);
    await waitFor(status, (s) => s.containers.some((c) => c.id === victim && c.state === 'unhealthy'), 10_000, 'the dead container out of the rotation');
    await waitFor(() => named('container.remove_failed').length, (n) => n > 0, 10_000, 'the removal failing');
    // Let the orchestrator try again several times (engine polls, stream reconnects, removal retries).
    const before = relay.refused();
    await waitFor(() => relay.refused(), (n) => n >= before + 6, 20_000, 'several more attempts to reach the engine');
    assert.equal(named('engine.unavailable').length, 1, 'said once');
    assert.ok(named('events.reconnect').length <= 1, `the broken event stream said at most once: ${named('events.reconnect').length}`);
    assert.equal(named('container.removed').length, 0, 'nothing logged as removed while the engine is away');
    assert.equal(status().backoff.failureStreak, 0, 'the outage is not an app crash loop');
    assert.equal(inState(status(), 'ready'), 1, 'the container that still answers keeps serving');

    relay.up();
    const back = await waitFor(
      status,
      (s) => s.engine.state === 'up' && inState(s, 'ready') === 2 && !s.containers.some((c) => c.id === victim),
      40_000,
      'the engine back, the dead container removed and replaced',
    );
    assert.equal(back.containers.length, 2);
    assert.equal(named('engine.available').length, 1);
    assert.deepEqual(named('container.removed').map((e) => e.container), [victim]);
    const list = await docker.listContainers({ all: true, labels: [`docker-symphony.service=${service}`] });
    assert.ok(!list.some((c) => c.id === victim), 'really gone from the engine');
    loading = false;
    await Promise.all(loops);
    agent.destroy();
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    assert.ok(total > 50, `requests sent: ${total}`);
    assert.deepEqual([...statuses.keys()], ['200'], `every request succeeded: ${JSON.stringify([...statuses])}`);

    await symphony.stop();
    const left = await docker.listContainers({ all: true, labels: [`docker-symphony.service=${service}`] });
    assert.equal(left.length, 0, 'nothing left behind');
  } finally {
    loading = false;
    await Promise.allSettled(loops);
    relay.up(); // so stop() can remove what is left
    await symphony.stop().catch(() => {});
    await relay.close();
    await sweep(service);
  }
});
