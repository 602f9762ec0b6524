// DockerClient against a fake engine, only for what a real engine will not do on
// demand: old API versions, 500s, stalls, dropped streams, error lines in a pull.
// Over ~350 lines: one short test per endpoint and fault, as client.ts has one method each.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerClient } from '../../src/docker/client.js';
import { DockerApiError, DockerConfigError, DockerProtocolError, DockerTimeoutError, DockerUnavailableError } from '../../src/docker/errors.js';
import type { DockerEvent, PullProgress } from '../../src/docker/types.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { sendJson, startFakeEngine } from '../helpers/fake-engine.js';
import type { FakeEngine, FakeHandler } from '../helpers/fake-engine.js';

const engines: FakeEngine[] = [];
after(async () => {
  await Promise.all(engines.map((e) => e.close()));
});

async function fake(routes: Record<string, FakeHandler>): Promise<FakeEngine> {
  const engine = await startFakeEngine(routes);
  engines.push(engine);
  return engine;
}

const event = (action: string, id = 'c1'): object => ({ Type: 'container', Action: action, Actor: { ID: id, Attributes: { name: 'web' } }, time: 1, timeNano: 1e9 });

/** A route that starts an event stream and hands its response to the test. */
function streamRoute(): { handler: FakeHandler; response: Promise<ServerResponse> } {
  let resolve!: (res: ServerResponse) => void;
  const response = new Promise<ServerResponse>((r) => (resolve = r));
  return {
    response,
    handler: (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(JSON.stringify(event('start')) + '\n');
      resolve(res);
    },
  };
}

describe('DockerClient API version', () => {
  const rows: { name: string; engine: string; min: string; expected: string }[] = [
    { name: 'older engine: its version', engine: '1.40', min: '1.12', expected: '1.40' },
    { name: 'newer engine: ours', engine: '1.45', min: '1.24', expected: '1.41' },
  ];
  for (const row of rows) {
    test(`${row.name}, negotiated once`, async () => {
      const engine = await fake({
        'GET /version': (_req, res) => sendJson(res, 200, { Version: 'x', ApiVersion: row.engine, MinAPIVersion: row.min }),
        [`GET /v${row.expected}/containers/json`]: (_req, res) => sendJson(res, 200, []),
      });
      const docker = new DockerClient({ host: engine.host });
      assert.deepEqual(await docker.listContainers(), []);
      assert.deepEqual(await docker.listContainers({ all: true, labels: ['a=b', 'c'] }), []);
      assert.equal(await docker.apiVersion(), row.expected);
      assert.deepEqual(
        engine.requests.map((r) => r.url),
        [
          '/version',
          `/v${row.expected}/containers/json`,
          `/v${row.expected}/containers/json?all=true&filters=${encodeURIComponent('{"label":["a=b","c"]}')}`,
        ],
      );
    });
  }

  test('a failed negotiation is retried by the next call', async () => {
    let calls = 0;
    const engine = await fake({
      'GET /version': (_req, res) => (++calls === 1 ? sendJson(res, 500, { message: 'starting up' }) : sendJson(res, 200, { ApiVersion: '1.41' })),
    });
    const docker = new DockerClient({ host: engine.host });
    await assert.rejects(docker.apiVersion(), (err: unknown) => err instanceof DockerApiError && err.engineMessage === 'starting up');
    assert.equal(await docker.apiVersion(), '1.41');
  });

  test('a pinned version skips negotiation', async () => {
    const engine = await fake({ 'POST /v1.30/containers/c1/start': (_req, res) => res.writeHead(204).end() });
    await new DockerClient({ host: engine.host, apiVersion: '1.30' }).startContainer('c1');
    assert.deepEqual(engine.requests.map((r) => r.url), ['/v1.30/containers/c1/start']);
  });
});

describe('DockerClient faults', () => {
  test('a 500 mid-operation is a DockerApiError carrying the engine message', async () => {
    const engine = await fake({
      'POST /v1.41/containers/create': (_req, res) => sendJson(res, 201, { Id: 'c1', Warnings: null }),
      'POST /v1.41/containers/c1/start': (_req, res) =>
        sendJson(res, 500, { message: 'driver failed programming external connectivity on endpoint web' }),
    });
    const docker = new DockerClient({ host: engine.host, apiVersion: '1.41' });
    const created = await docker.createContainer({ image: 'app', name: 'web', containerPort: 80, labels: { a: 'b' } });
    assert.deepEqual(created, { id: 'c1', warnings: [] });
    assert.equal(engine.requests[0]?.url, '/v1.41/containers/create?name=web');
    assert.deepEqual(JSON.parse(engine.requests[0]?.body ?? ''), {
      Image: 'app',
      ExposedPorts: { '80/tcp': {} },
      HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
      Labels: { a: 'b' },
    });
    await assert.rejects(docker.startContainer('c1'), (err: unknown) => {
      assert.ok(err instanceof DockerApiError);
      assert.equal(err.status, 500);
      assert.equal(err.method, 'POST');
      assert.equal(err.path, '/containers/c1/start');
      assert.equal(err.engineMessage, 'driver failed programming external connectivity on endpoint web');
      assert.equal(
        err.message,
        'Docker engine answered 500 to POST /containers/c1/start: driver failed programming external connectivity on endpoint web',
      );
      return true;
    });
  });

  test('a stalled answer is a DockerTimeoutError once the timeout passes, not before', async () => {
    const engine = await fake({ 'GET /v1.41/containers/c1/json': () => {} });
    const clock = new FakeClock();
    const docker = new DockerClient({ host: engine.host, apiVersion: '1.41', clock, timeoutMs: 5000 });
    const result: { outcome: unknown } = { outcome: 'pending' };
    const pending = docker.inspectContainer('c1').then(
      () => (result.outcome = 'resolved'),
      (err: unknown) => (result.outcome = err),
    );
    await engine.receivedRequests(1);
    await clock.tick(4999);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(result.outcome, 'pending');
    await clock.tick(1);
    await pending;
    const outcome = settledWith(result);
    assert.ok(outcome instanceof DockerTimeoutError, String(outcome));
    assert.equal(outcome.code, 'DOCKER_TIMEOUT');
    assert.equal(outcome.timeoutMs, 5000);
    assert.equal(outcome.path, '/containers/c1/json');
  });

  test('a stop waits longer than its grace period', async () => {
    const engine = await fake({ 'POST /v1.41/containers/c1/stop': () => {} });
    const clock = new FakeClock();
    const docker = new DockerClient({ host: engine.host, apiVersion: '1.41', clock, timeoutMs: 1000 });
    const result: { outcome: unknown } = { outcome: 'pending' };
    const pending = docker.stopContainer('c1', { timeoutSeconds: 20 }).catch((err: unknown) => (result.outcome = err));
    await engine.receivedRequests(1);
    assert.equal(engine.requests[0]?.url, '/v1.41/containers/c1/stop?t=20');
    await clock.tick(20_000);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(result.outcome, 'pending');
    await clock.tick(15_000);
    await pending;
    const outcome = settledWith(result);
    assert.ok(outcome instanceof DockerTimeoutError);
    assert.equal(outcome.timeoutMs, 35_000);
  });

  test('an answer that is not JSON is a DockerProtocolError', async () => {
    const engine = await fake({
      'GET /v1.41/containers/c1/json': (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy</html>'),
    });
    await assert.rejects(new DockerClient({ host: engine.host, apiVersion: '1.41' }).inspectContainer('c1'), DockerProtocolError);
  });

  test('a missing socket is a DockerUnavailableError saying how to start an engine', async () => {
    const socketPath = join(tmpdir(), `symphony-no-engine-${process.pid}.sock`);
    const docker = new DockerClient({ host: { kind: 'unix', socketPath } });
    await assert.rejects(docker.ping(), (err: unknown) => {
      assert.ok(err instanceof DockerUnavailableError);
      assert.equal(err.reason, 'ENOENT');
      assert.match(err.message, new RegExp(`No Docker engine socket at ${socketPath}`));
      assert.match(err.message, /Start Docker .*or set DOCKER_HOST/);
      return true;
    });
  });

  test('removing: 409 "already in progress" is success, 409 "running" is not', async () => {
    const engine = await fake({
      'DELETE /v1.41/containers/busy': (_req, res) => sendJson(res, 409, { message: 'removal of container busy is already in progress' }),
      'DELETE /v1.41/containers/up': (_req, res) =>
        sendJson(res, 409, { message: 'You cannot remove a running container up. Stop the container before attempting removal or force remove' }),
    });
    const docker = new DockerClient({ host: engine.host, apiVersion: '1.41' });
    await docker.removeContainer('busy', { force: true });
    assert.equal(engine.requests[0]?.url, '/v1.41/containers/busy?force=true&v=true');
    await assert.rejects(docker.removeContainer('up'), (err: unknown) => err instanceof DockerApiError && err.status === 409);
  });
});

describe('DockerClient.events', () => {
  test('sends since and filters, and ends quietly when the signal aborts', async () => {
    const stream = streamRoute();
    const engine = await fake({ 'GET /v1.41/events': stream.handler });
    const docker = new DockerClient({ host: engine.host, apiVersion: '1.41' });
    const controller = new AbortController();
    const seen: DockerEvent[] = [];
    for await (const e of docker.events({ since: 1700000000, filters: { type: ['container'], label: ['app=web'] }, signal: controller.signal })) {
      seen.push(e);
      controller.abort();
    }
    assert.deepEqual(seen.map((e) => [e.action, e.id, e.attributes['name']]), [['start', 'c1', 'web']]);
    const url = new URL(engine.requests[0]?.url ?? '', 'http://x');
    assert.equal(url.searchParams.get('since'), '1700000000');
    assert.deepEqual(JSON.parse(url.searchParams.get('filters') ?? ''), { type: ['container'], label: ['app=web'] });
  });

  test('an already aborted signal yields nothing and sends nothing', async () => {
    const engine = await fake({});
    const docker = new DockerClient({ host: engine.host, apiVersion: '1.41' });
    const seen: DockerEvent[] = [];
    for await (const e of docker.events({ signal: AbortSignal.abort() })) seen.push(e);
    assert.deepEqual(seen, []);
    assert.equal(engine.requests.length, 0);
  });

  test('a connection dropped mid-stream makes the iterator throw DockerUnavailableError', async () => {
    const stream = streamRoute();
    const engine = await fake({ 'GET /v1.41/events': stream.handler });
    const docker = new DockerClient({ host: engine.host, apiVersion: '1.41' });
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const e of docker.events()) {
          seen.push(e.action);
          (await stream.response).socket?.destroy();
        }
      })(),
      (err: unknown) => err instanceof DockerUnavailableError && err.code === 'DOCKER_UNAVAILABLE' && /GET \/events/.test(err.message),
    );
    assert.deepEqual(seen, ['start']);
  });

  test('a stream the engine ends is an error too (it only ends when the engine goes away)', async () => {
    const stream = streamRoute();
    const engine = await fake({ 'GET /v1.41/events': stream.handler });
    const docker = new DockerClient({ host: engine.host, apiVersion: '1.41' });
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const e of docker.events()) {
          seen.push(e.action);
          const res = await stream.response;
          res.end(JSON.stringify(event('die')) + '\n');
        }
      })(),
      (err: unknown) => err instanceof DockerUnavailableError && err.reason === 'EOF',
    );
    assert.deepEqual(seen, ['start', 'die']);
  });

  test('a 400 answer is a DockerApiError with the engine message', async () => {
    const engine = await fake({
      'GET /v1.41/events': (_req, res) => sendJson(res, 400, { message: 'invalid filter "bogus"' }),
    });
    const docker = new DockerClient({ host: engine.host, apiVersion: '1.41' });
    await assert.rejects(
      (async () => {
        for await (const e of docker.events()) assert.fail(`unexpected ${e.action}`);
      })(),
      (err: unknown) => err instanceof DockerApiError && err.status === 400 && err.engineMessage === 'invalid filter "bogus"',
    );
  });
});

describe('DockerClient.imagePull', () => {
  test('an error line in the progress stream rejects with its message, after reporting progress', async () => {
    const engine = await fake({
      'POST /v1.41/images/create': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"status":"Pulling from team/app","id":"v2"}\r\n{"status":"Downloading","id":"l1","progressDetail":{"current":1,"total":4}}\r\n');
        res.end('{"errorDetail":{"message":"unexpected EOF"},"error":"unexpected EOF"}\r\n');
      },
    });
    const docker = new DockerClient({ host: engine.host, apiVersion: '1.41' });
    const progress: PullProgress[] = [];
    await assert.rejects(docker.imagePull('localhost:5000/team/app:v2', { onProgress: (p) => progress.push(p) }), (err: unknown) => {
      assert.ok(err instanceof DockerApiError);
      assert.equal(err.engineMessage, 'unexpected EOF');
      assert.equal(err.path, '/images/create');
      return true;
    });
    assert.deepEqual(progress, [
      { status: 'Pulling from team/app', id: 'v2' },
      { status: 'Downloading', id: 'l1', current: 1, total: 4 },
    ]);
    assert.equal(engine.requests[0]?.url, `/v1.41/images/create?fromImage=${encodeURIComponent('localhost:5000/team/app')}&tag=v2`);
  });

  test('a stream that completes without an error line resolves', async () => {
    const engine = await fake({
      'POST /v1.41/images/create': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"status":"Status: Image is up to date for app:latest"}');
      },
    });
    const progress: PullProgress[] = [];
    await new DockerClient({ host: engine.host, apiVersion: '1.41' }).imagePull('app', { onProgress: (p) => progress.push(p) });
    assert.deepEqual(progress, [{ status: 'Status: Image is up to date for app:latest' }]);
    assert.equal(engine.requests[0]?.url, '/v1.41/images/create?fromImage=app&tag=latest');
  });
});

describe('DockerClient configuration', () => {
  const rows: { name: string; make: () => unknown; says: RegExp }[] = [
    { name: 'malformed pinned version', make: () => new DockerClient({ apiVersion: 'latest' }), says: /major\.minor/ },
    { name: 'zero timeout', make: () => new DockerClient({ timeoutMs: 0 }), says: /positive/ },
    { name: 'malformed DOCKER_API_VERSION', make: () => DockerClient.fromEnv({ DOCKER_API_VERSION: 'v1' }), says: /DOCKER_API_VERSION=v1/ },
    { name: 'malformed DOCKER_HOST', make: () => DockerClient.fromEnv({ DOCKER_HOST: 'docker.sock' }), says: /DOCKER_HOST=docker.sock/ },
  ];
  for (const row of rows) {
    test(`${row.name} is a DockerConfigError`, () => {
      assert.throws(row.make, (err: unknown) => err instanceof DockerConfigError && row.says.test(err.message));
    });
  }

  test('fromEnv reads DOCKER_HOST and DOCKER_API_VERSION', async () => {
    const engine = await fake({ 'GET /v1.39/containers/json': (_req, res) => sendJson(res, 200, []) });
    const docker = DockerClient.fromEnv({ DOCKER_HOST: `unix://${engine.socketPath}`, DOCKER_API_VERSION: '1.39' });
    assert.equal(docker.host, `unix://${engine.socketPath}`);
    assert.deepEqual(await docker.listContainers(), []);
  });
});

// Read through a function so the compiler does not keep the 'pending' narrowing.
function settledWith(result: { outcome: unknown }): unknown {
  return result.outcome;
}

describe('DockerClient networks', () => {
  test('inspectNetwork: the network, or undefined for a 404', async () => {
    const engine = await fake({
      'GET /v1.41/networks/db-net': (_req, res) => sendJson(res, 200, { Id: 'n1', Name: 'db-net', Driver: 'bridge', Scope: 'local' }),
      'GET /v1.41/networks/nope': (_req, res) => sendJson(res, 404, { message: 'network nope not found' }),
    });
    const docker = new DockerClient({ host: engine.host, apiVersion: '1.41' });
    assert.deepEqual(await docker.inspectNetwork('db-net'), { id: 'n1', name: 'db-net', driver: 'bridge', scope: 'local' });
    assert.equal(await docker.inspectNetwork('nope'), undefined);
  });

  test('createContainer joins the first network at create and connects the others before returning', async () => {
    const engine = await fake({
      'POST /v1.41/containers/create': (_req, res) => sendJson(res, 201, { Id: 'c1', Warnings: [] }),
      'POST /v1.41/networks/b/connect': (_req, res) => sendJson(res, 200, {}),
      'POST /v1.41/networks/c/connect': (_req, res) => sendJson(res, 200, {}),
    });
    const docker = new DockerClient({ host: engine.host, apiVersion: '1.41' });
    assert.deepEqual(await docker.createContainer({ image: 'app:1', containerPort: 80, networks: ['a', 'b', 'c'] }), { id: 'c1', warnings: [] });
    assert.deepEqual(
      engine.requests.map((r) => `${r.method} ${r.url.split('?')[0]} ${r.url.includes('connect') ? r.body : ''}`.trim()),
      ['POST /v1.41/containers/create', 'POST /v1.41/networks/b/connect {"Container":"c1"}', 'POST /v1.41/networks/c/connect {"Container":"c1"}'],
    );
    assert.equal((JSON.parse(engine.requests[0]?.body ?? '{}') as { HostConfig: { NetworkMode: string } }).HostConfig.NetworkMode, 'a');
  });

  test('a network that cannot be joined removes the container again and throws the engine message', async () => {
    const engine = await fake({
      'POST /v1.41/containers/create': (_req, res) => sendJson(res, 201, { Id: 'c1' }),
      'POST /v1.41/networks/gone/connect': (_req, res) => sendJson(res, 404, { message: 'network gone not found' }),
      'DELETE /v1.41/containers/c1': (_req, res) => {
        res.writeHead(204);
        res.end();
      },
    });
    const docker = new DockerClient({ host: engine.host, apiVersion: '1.41' });
    await assert.rejects(docker.createContainer({ image: 'app:1', containerPort: 80, networks: ['a', 'gone'] }), (err: unknown) => {
      return err instanceof DockerApiError && err.status === 404 && err.engineMessage === 'network gone not found';
    });
    assert.equal(engine.requests.at(-1)?.url, '/v1.41/containers/c1?force=true&v=true');
  });
});
