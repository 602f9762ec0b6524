// DockerClient against the real engine: the whole life of one demo container, and the
// answers a real engine gives to the odd cases (already started, already gone, …).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DockerClient } from '../../src/docker/client.js';
import { DockerApiError, isNotFound } from '../../src/docker/errors.js';
import { CLIENT_API_VERSION, compareApiVersions } from '../../src/docker/version.js';
import { publishedPort } from '../../src/docker/types.js';
import type { DockerEvent } from '../../src/docker/types.js';
import { DEMO_IMAGE, TEST_RUN_LABEL, dockerForTests, labelFilters, removeTestContainers, testLabels, waitForHttp } from '../helpers/engine.js';

const docker = dockerForTests();
const labels = testLabels();
const runFilter = labelFilters(labels);

after(async () => {
  await removeTestContainers(docker, runFilter);
});

/** Collects events in the background; `waitFor` resolves when a matching one arrives. */
function collectEvents(options: Parameters<DockerClient['events']>[0]): {
  seen: DockerEvent[];
  waitFor(match: (e: DockerEvent) => boolean, timeoutMs?: number): Promise<DockerEvent>;
  done: Promise<void>;
} {
  const seen: DockerEvent[] = [];
  let waiters: { match: (e: DockerEvent) => boolean; resolve: (e: DockerEvent) => void }[] = [];
  const done = (async () => {
    for await (const e of docker.events(options)) {
      seen.push(e);
      waiters = waiters.filter((w) => (w.match(e) ? (w.resolve(e), false) : true));
    }
  })();
  return {
    seen,
    done,
    waitFor(match, timeoutMs = 15_000) {
      const found = seen.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching event within ${timeoutMs} ms; saw ${seen.map((e) => e.action).join(', ')}`)), timeoutMs);
        waiters.push({ match, resolve: (e) => (clearTimeout(timer), resolve(e)) });
      });
    },
  };
}

describe('DockerClient on the real engine', () => {
  test('ping, version and negotiation', async () => {
    await docker.ping();
    const v = await docker.version();
    assert.match(v.apiVersion, /^\d+\.\d+$/);
    assert.notEqual(v.version, '');
    assert.equal(v.os, 'linux');
    const negotiated = await docker.apiVersion();
    assert.ok(compareApiVersions(negotiated, CLIENT_API_VERSION) <= 0, `${negotiated} is above ours`);
    assert.ok(compareApiVersions(negotiated, v.apiVersion) <= 0, `${negotiated} is above the engine's ${v.apiVersion}`);
  });

  test('imageInspect finds the demo image and answers undefined for a missing one', async () => {
    const image = await docker.imageInspect(DEMO_IMAGE);
    assert.ok(image, `${DEMO_IMAGE} is missing: run make image`);
    assert.match(image.id, /^sha256:/);
    assert.ok(image.repoTags.includes(DEMO_IMAGE));
    assert.deepEqual(image.exposedPorts, ['80/tcp']);
    assert.equal(await docker.imageInspect('localhost:1/docker-symphony-missing:nope'), undefined);
  });

  test('inspectNetwork finds the default bridge and answers undefined for a missing network', async () => {
    const bridge = await docker.inspectNetwork('bridge');
    assert.equal(bridge?.name, 'bridge');
    assert.equal(bridge?.driver, 'bridge');
    assert.match(bridge?.id ?? '', /^[0-9a-f]{64}$/);
    assert.equal(await docker.inspectNetwork(`docker-symphony-missing-${process.pid}`), undefined);
  });

  test('imagePull of an image no registry has fails with a DockerApiError, within the timeout', async () => {
    // localhost:1 keeps the engine's attempt on loopback (nothing listens there).
    const quick = dockerForTests({ timeoutMs: 20_000 });
    await assert.rejects(quick.imagePull('localhost:1/docker-symphony-missing:nope'), (err: unknown) => {
      assert.ok(err instanceof DockerApiError, String(err));
      assert.match(err.engineMessage, /localhost:1/);
      return true;
    });
  });

  test('a container from create to remove', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const controller = new AbortController();
    const events = collectEvents({
      since,
      filters: { type: ['container'], label: [`${TEST_RUN_LABEL}=${labels[TEST_RUN_LABEL]}`] },
      signal: controller.signal,
    });
    try {
      const name = `docker-symphony-test-${labels[TEST_RUN_LABEL]}`;
      const { id, warnings } = await docker.createContainer({
        image: DEMO_IMAGE,
        name,
        labels,
        env: ['STARTUP_DELAY_MS=200'],
        containerPort: 80,
        stopTimeoutSeconds: 2,
      });
      assert.match(id, /^[0-9a-f]{64}$/);
      assert.deepEqual(warnings, []);

      await assert.rejects(
        docker.createContainer({ image: DEMO_IMAGE, name, labels, containerPort: 80 }),
        (err: unknown) => err instanceof DockerApiError && err.status === 409,
      );

      await docker.startContainer(id);
      await docker.startContainer(id); // 304: already started

      const info = await docker.inspectContainer(id);
      assert.equal(info.id, id);
      assert.equal(info.name, name);
      assert.equal(info.image, DEMO_IMAGE);
      assert.equal(info.state.running, true);
      assert.equal(info.state.status, 'running');
      assert.deepEqual(info.labels, { ...info.labels, ...labels });
      const hostPort = publishedPort(info, 80);
      assert.ok(hostPort !== undefined && hostPort > 0, 'port 80 is not published');
      assert.deepEqual(info.ports, [{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort }]);

      const listed = await docker.listContainers({ labels: runFilter });
      assert.deepEqual(listed.map((c) => c.id), [id]);
      assert.equal(publishedPort(listed[0]!, 80), hostPort);
      assert.deepEqual(listed[0]?.names, [`/${name}`]);

      const whoami = await waitForHttp(hostPort, '/api/v1/whoami');
      assert.equal(whoami.status, 200);
      assert.equal((whoami.body as { hostname?: string }).hostname, id.slice(0, 12));

      await events.waitFor((e) => e.action === 'start' && e.id === id);

      await docker.killContainer(id);
      const died = await events.waitFor((e) => e.action === 'die' && e.id === id);
      assert.equal(died.attributes['exitCode'], '137');
      assert.equal(died.attributes[TEST_RUN_LABEL], labels[TEST_RUN_LABEL]);
      await docker.killContainer(id); // 409: not running
      await docker.stopContainer(id, { timeoutSeconds: 1 }); // 304: already stopped

      const exited = await docker.inspectContainer(id);
      assert.equal(exited.state.running, false);
      assert.equal(exited.state.status, 'exited');
      assert.equal(exited.state.exitCode, 137);
      assert.deepEqual(exited.ports, []);
      assert.deepEqual(await docker.listContainers({ labels: runFilter }), []);
      assert.deepEqual((await docker.listContainers({ all: true, labels: runFilter })).map((c) => c.state), ['exited']);

      await docker.removeContainer(id);
      await docker.removeContainer(id); // 404: already gone
      await docker.stopContainer(id); // 404: already gone
      await docker.killContainer(id); // 404: already gone
      await assert.rejects(docker.inspectContainer(id), (err: unknown) => isNotFound(err));
      await assert.rejects(docker.startContainer(id), (err: unknown) => isNotFound(err));
      assert.deepEqual(await docker.listContainers({ all: true, labels: runFilter }), []);
      await events.waitFor((e) => e.action === 'destroy' && e.id === id);
    } finally {
      controller.abort();
    }
    await events.done; // ends without throwing once aborted
  });

  test('stop sends the stop signal and waits for the app to exit', async () => {
    const { id } = await docker.createContainer({ image: DEMO_IMAGE, labels, containerPort: 80 });
    await docker.startContainer(id);
    const port = publishedPort(await docker.inspectContainer(id), 80);
    assert.ok(port);
    await waitForHttp(port, '/api/v1/_health');
    await docker.stopContainer(id, { timeoutSeconds: 5 });
    const info = await docker.inspectContainer(id);
    assert.equal(info.state.running, false);
    assert.equal(info.state.exitCode, 0); // the demo app exits 0 on SIGTERM
    await docker.removeContainer(id, { force: true });
  });

  test('a running container is removed with force', async () => {
    const { id } = await docker.createContainer({ image: DEMO_IMAGE, labels, containerPort: 80 });
    await docker.startContainer(id);
    await assert.rejects(docker.removeContainer(id), (err: unknown) => err instanceof DockerApiError && err.status === 409);
    await docker.removeContainer(id, { force: true });
    await assert.rejects(docker.inspectContainer(id), (err: unknown) => isNotFound(err));
  });
});
