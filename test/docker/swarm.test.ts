// The Swarm endpoints against a fake engine: what each status means, the filters sent,
// the retry of a stale swarm update, and the not-a-manager error.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DockerClient } from '../../src/docker/client.js';
import { DockerApiError, DockerProtocolError } from '../../src/docker/errors.js';
import { NotSwarmManagerError, SwarmApi, isOutOfSequence, notManagerDetail } from '../../src/docker/swarm.js';
import { sendJson, startFakeEngine } from '../helpers/fake-engine.js';
import type { FakeEngine, FakeHandler } from '../helpers/fake-engine.js';

const engines: FakeEngine[] = [];
after(async () => {
  await Promise.all(engines.map((e) => e.close()));
});

async function api(routes: Record<string, FakeHandler>): Promise<{ swarm: SwarmApi; engine: FakeEngine }> {
  const engine = await startFakeEngine(routes);
  engines.push(engine);
  return { swarm: new SwarmApi(new DockerClient({ host: engine.host, apiVersion: '1.41' })), engine };
}

const answer = (status: number, body?: unknown): FakeHandler => (_req, res) => {
  if (body === undefined) res.writeHead(status).end();
  else sendJson(res, status, body);
};

type Outcome = 'ok' | 'undefined' | 'false' | 'true' | 'api' | 'not-manager';

describe('SwarmApi statuses', () => {
  const service = { ID: 's1', Spec: { Name: 'web-a1' } };
  const rows: { name: string; route: string; status: number; body?: unknown; call: (s: SwarmApi) => Promise<unknown>; expected: Outcome }[] = [
    { name: 'create 201', route: 'POST /v1.41/services/create', status: 201, body: { ID: 's1' }, call: (s) => s.createService(minimal), expected: 'ok' },
    { name: 'create 409 name in use', route: 'POST /v1.41/services/create', status: 409, body: { message: 'name conflicts' }, call: (s) => s.createService(minimal), expected: 'api' },
    { name: 'create 400', route: 'POST /v1.41/services/create', status: 400, body: { message: 'bad' }, call: (s) => s.createService(minimal), expected: 'api' },
    { name: 'create 403 network', route: 'POST /v1.41/services/create', status: 403, body: { message: 'not eligible' }, call: (s) => s.createService(minimal), expected: 'api' },
    { name: 'create 503 worker', route: 'POST /v1.41/services/create', status: 503, body: { message: 'This node is not a swarm manager.' }, call: (s) => s.createService(minimal), expected: 'not-manager' },
    { name: 'inspect 200', route: 'GET /v1.41/services/s1', status: 200, body: service, call: (s) => s.inspectService('s1'), expected: 'ok' },
    { name: 'inspect 404: undefined', route: 'GET /v1.41/services/s1', status: 404, body: { message: 'service s1 not found' }, call: (s) => s.inspectService('s1'), expected: 'undefined' },
    { name: 'inspect 500', route: 'GET /v1.41/services/s1', status: 500, body: { message: 'x' }, call: (s) => s.inspectService('s1'), expected: 'api' },
    { name: 'remove 200: true', route: 'DELETE /v1.41/services/s1', status: 200, call: (s) => s.removeService('s1'), expected: 'true' },
    { name: 'remove 404: gone already, false', route: 'DELETE /v1.41/services/s1', status: 404, body: { message: 'not found' }, call: (s) => s.removeService('s1'), expected: 'false' },
    { name: 'remove 500', route: 'DELETE /v1.41/services/s1', status: 500, body: { message: 'x' }, call: (s) => s.removeService('s1'), expected: 'api' },
    { name: 'remove 503', route: 'DELETE /v1.41/services/s1', status: 503, body: { message: 'not a manager' }, call: (s) => s.removeService('s1'), expected: 'not-manager' },
    { name: 'services 200', route: 'GET /v1.41/services', status: 200, body: [service], call: (s) => s.listServices(), expected: 'ok' },
    { name: 'services 500', route: 'GET /v1.41/services', status: 500, body: { message: 'x' }, call: (s) => s.listServices(), expected: 'api' },
    { name: 'tasks 200', route: 'GET /v1.41/tasks', status: 200, body: [], call: (s) => s.listTasks(), expected: 'ok' },
    { name: 'tasks 404 (service filter naming no service)', route: 'GET /v1.41/tasks', status: 404, body: { message: 'service s9 not found' }, call: (s) => s.listTasks({ service: ['s9'] }), expected: 'api' },
    { name: 'tasks 503', route: 'GET /v1.41/tasks', status: 503, body: { message: 'not a manager' }, call: (s) => s.listTasks(), expected: 'not-manager' },
    { name: 'nodes 200', route: 'GET /v1.41/nodes', status: 200, body: [], call: (s) => s.listNodes(), expected: 'ok' },
    { name: 'nodes 503', route: 'GET /v1.41/nodes', status: 503, body: { message: 'not a manager' }, call: (s) => s.listNodes(), expected: 'not-manager' },
    { name: 'node 200', route: 'GET /v1.41/nodes/n1', status: 200, body: { ID: 'n1' }, call: (s) => s.inspectNode('n1'), expected: 'ok' },
    { name: 'node 404', route: 'GET /v1.41/nodes/n1', status: 404, body: { message: 'node n1 not found' }, call: (s) => s.inspectNode('n1'), expected: 'api' },
    { name: 'swarm 200', route: 'GET /v1.41/swarm', status: 200, body: { ID: 'x', Version: { Index: 1 }, Spec: {} }, call: (s) => s.inspectSwarm(), expected: 'ok' },
    { name: 'swarm 503', route: 'GET /v1.41/swarm', status: 503, body: { message: 'This node is not a swarm manager.' }, call: (s) => s.inspectSwarm(), expected: 'not-manager' },
    { name: 'image 200', route: 'GET /v1.41/images/app/json', status: 200, body: { Id: 'sha256:1', RepoDigests: null }, call: (s) => s.imageInspect('app'), expected: 'ok' },
    { name: 'image 404: undefined', route: 'GET /v1.41/images/app/json', status: 404, body: { message: 'No such image' }, call: (s) => s.imageInspect('app'), expected: 'undefined' },
  ];
  for (const row of rows) {
    test(`${row.name} → ${row.expected}`, async () => {
      const { swarm } = await api({ [row.route]: answer(row.status, row.body) });
      const outcome: Outcome = await row.call(swarm).then(
        (value) => (value === undefined ? 'undefined' : value === false ? 'false' : value === true ? 'true' : 'ok'),
        (err: unknown) => (err instanceof NotSwarmManagerError ? 'not-manager' : err instanceof DockerApiError && err.status === row.status ? 'api' : (() => { throw err; })()),
      );
      assert.equal(outcome, row.expected);
    });
  }

  test('a list answered with something else is a protocol error', async () => {
    const { swarm } = await api({ 'GET /v1.41/nodes': answer(200, { nope: 1 }) });
    await assert.rejects(swarm.listNodes(), DockerProtocolError);
  });

  test('a create answered without an ID is a protocol error', async () => {
    const { swarm } = await api({ 'POST /v1.41/services/create': answer(201, { Warnings: null }) });
    await assert.rejects(swarm.createService(minimal), DockerProtocolError);
  });
});

const minimal = { name: 'web-a1', labels: {}, image: 'sha256:1', targetPort: 80, restartDelayNs: 1e9 };

describe('SwarmApi requests', () => {
  test('filters as the engine reads them; image names keep their slashes', async () => {
    const { swarm, engine } = await api({
      'GET /v1.41/services': answer(200, []),
      'GET /v1.41/tasks': answer(200, []),
      'GET /v1.41/images/reg%3A5000/team/app%3A1/json': answer(200, { Id: 'sha256:1', RepoDigests: ['reg:5000/team/app@sha256:d'] }),
      'POST /v1.41/services/create': answer(201, { ID: 's1', Warnings: ['w'] }),
    });
    await swarm.listServices({ labels: ['docker-symphony.service=web'] });
    await swarm.listTasks({ service: ['s1'], desiredState: ['running'] });
    await swarm.listTasks({ label: ['docker-symphony.service=web'] });
    assert.deepEqual(await swarm.imageInspect('reg:5000/team/app:1'), { id: 'sha256:1', repoDigests: ['reg:5000/team/app@sha256:d'] });
    assert.deepEqual(await swarm.createService(minimal), { id: 's1', warnings: ['w'] });
    assert.deepEqual(
      engine.requests.map((r) => decodeURIComponent(r.url)),
      [
        '/v1.41/services?filters={"label":["docker-symphony.service=web"]}',
        '/v1.41/tasks?filters={"service":["s1"],"desired-state":["running"]}',
        '/v1.41/tasks?filters={"label":["docker-symphony.service=web"]}',
        '/v1.41/images/reg:5000/team/app:1/json',
        '/v1.41/services/create',
      ],
    );
    assert.equal(JSON.parse(engine.requests[4]?.body ?? '{}').EndpointSpec.Mode, 'dnsrr');
  });
});

describe('SwarmApi updateSwarm', () => {
  /** A swarm whose version moves on under the first `races` updates, as another client's update would. */
  async function racingSwarm(races: number): Promise<{ swarm: SwarmApi; engine: FakeEngine; state: { version: number; spec: Record<string, unknown> } }> {
    const state = { version: 10, spec: { Name: 'default', Dispatcher: { HeartbeatPeriod: 5e9 } } as Record<string, unknown> };
    let raced = 0;
    const { swarm, engine } = await api({
      'GET /v1.41/swarm': (_req, res) => sendJson(res, 200, { ID: 'sw', Version: { Index: state.version }, Spec: state.spec }),
      'POST /v1.41/swarm/update': (req, res, body) => {
        const version = Number(new URL(req.url ?? '', 'http://x').searchParams.get('version'));
        if (raced < races) {
          raced++;
          state.version++;
        }
        if (version !== state.version) return sendJson(res, 500, { message: 'rpc error: code = Unknown desc = update out of sequence' });
        state.spec = JSON.parse(body) as Record<string, unknown>;
        state.version++;
        return res.writeHead(200).end();
      },
    });
    return { swarm, engine, state };
  }
  const set = (ns: number) => (c: { spec: Readonly<Record<string, unknown>> }) => ({ ...c.spec, Dispatcher: { HeartbeatPeriod: ns } });

  test('a stale version (500 update out of sequence) is read again and retried', async () => {
    const { swarm, engine, state } = await racingSwarm(2);
    const result = await swarm.updateSwarm(set(1e9));
    assert.equal(result.before.version, 12);
    assert.deepEqual(state.spec, { Name: 'default', Dispatcher: { HeartbeatPeriod: 1e9 } });
    assert.deepEqual(
      engine.requests.map((r) => r.url),
      ['/v1.41/swarm', '/v1.41/swarm/update?version=10', '/v1.41/swarm', '/v1.41/swarm/update?version=11', '/v1.41/swarm', '/v1.41/swarm/update?version=12'],
    );
  });

  test('bounded: after `attempts` stale versions the last error is thrown', async () => {
    const { swarm, engine } = await racingSwarm(100);
    await assert.rejects(swarm.updateSwarm(set(1e9), 3), (err: unknown) => isOutOfSequence(err));
    assert.equal(engine.requests.filter((r) => r.method === 'POST').length, 3);
  });

  test('no change wanted: nothing sent', async () => {
    const { swarm, engine } = await racingSwarm(0);
    assert.equal((await swarm.updateSwarm(() => null)).after, null);
    assert.deepEqual(engine.requests.map((r) => r.method), ['GET']);
  });

  test('other failures are not retried', async () => {
    const { swarm, engine } = await api({
      'GET /v1.41/swarm': answer(200, { Version: { Index: 1 }, Spec: {} }),
      'POST /v1.41/swarm/update': answer(400, { message: 'invalid heartbeat' }),
    });
    await assert.rejects(swarm.updateSwarm(set(1)), (err: unknown) => err instanceof DockerApiError && err.status === 400);
    assert.equal(engine.requests.length, 2);
  });

  test('isOutOfSequence: only a 500 saying so', () => {
    const err = (status: number, engineMessage: string): DockerApiError => new DockerApiError({ status, method: 'POST', path: '/swarm/update', engineMessage });
    assert.equal(isOutOfSequence(err(500, 'rpc error: code = Unknown desc = update out of sequence')), true);
    assert.equal(isOutOfSequence(err(409, 'update out of sequence')), false);
    assert.equal(isOutOfSequence(err(500, 'no leader')), false);
    assert.equal(isOutOfSequence(new Error('update out of sequence')), false);
  });
});

describe('not a swarm manager', () => {
  const rows: { name: string; swarm: Record<string, unknown>; detail: RegExp | '' }[] = [
    { name: 'a manager', swarm: { LocalNodeState: 'active', ControlAvailable: true }, detail: '' },
    { name: 'a worker', swarm: { LocalNodeState: 'active', ControlAvailable: false }, detail: /worker.*managers/ },
    { name: 'no swarm', swarm: { LocalNodeState: 'inactive', ControlAvailable: false }, detail: /not part of a swarm.*swarm init/ },
    { name: 'an old engine without the field', swarm: {}, detail: /not part of a swarm/ },
    { name: 'locked', swarm: { LocalNodeState: 'locked' }, detail: /'locked'/ },
    { name: 'error', swarm: { LocalNodeState: 'error', Error: 'raft: bad' }, detail: /'error' \(raft: bad\)/ },
  ];
  for (const row of rows) {
    test(row.name, async () => {
      const { swarm } = await api({ 'GET /v1.41/info': answer(200, { Swarm: row.swarm }) });
      const info = await swarm.info();
      if (row.detail === '') {
        assert.equal(notManagerDetail(info), '');
        assert.deepEqual(await swarm.requireManager(), info);
        return;
      }
      const detail = row.detail;
      assert.match(notManagerDetail(info), detail);
      await assert.rejects(swarm.requireManager(), (err: unknown) => {
        assert.ok(err instanceof NotSwarmManagerError);
        assert.equal(err.code, 'SWARM_NOT_MANAGER');
        assert.match(err.message, /^DOCKER_HOST is not a swarm manager: run against a manager \(docker node ls works there\)\. unix:\/\//);
        assert.match(err.message, detail);
        return true;
      });
    });
  }
});
