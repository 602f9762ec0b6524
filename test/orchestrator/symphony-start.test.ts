// stop() during start() (Ctrl-C during an image pull), on a stand-in engine whose
// pull never ends: start bails out cleanly and nothing is created or left running.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DockerClient } from '../../src/docker/index.js';
import { SymphonyError } from '../../src/errors.js';
import { Symphony } from '../../src/symphony.js';
import { sendJson, startFakeEngine } from '../helpers/fake-engine.js';

test('stop() during the image pull ends the pull, start() rejects with START_CANCELLED, nothing is created', async () => {
  let pullStarted = (): void => {};
  const pulling = new Promise<void>((resolve) => {
    pullStarted = resolve;
  });
  const engine = await startFakeEngine({
    'GET /v1.41/images/demo:pull-forever/json': (_req, res) => sendJson(res, 404, { message: 'No such image: demo:pull-forever' }),
    'POST /v1.41/images/create': (_req, res) => {
      // The pull streams one progress line and then never ends.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`${JSON.stringify({ status: 'Pulling fs layer', id: 'abc' })}\n`);
      pullStarted();
    },
  });
  const symphony = new Symphony(
    { image: 'demo:pull-forever', name: 'stop-during-start', listen: { host: '127.0.0.1', port: 0 }, adminListen: null },
    { docker: new DockerClient({ host: engine.host, apiVersion: '1.41' }) },
  );
  try {
    const started = symphony.start();
    const outcome = started.then(
      () => 'resolved',
      (err: unknown) => err,
    );
    await pulling;
    await symphony.stop();
    const err = await outcome;
    assert.ok(err instanceof SymphonyError, `start rejected: ${String(err)}`);
    assert.equal(err.code, 'START_CANCELLED');
    const touched = engine.requests.map((r) => `${r.method} ${r.url.split('?')[0]}`).filter((r) => r.includes('/containers/'));
    assert.deepEqual(touched, [], 'no container was listed, created or started');
    assert.equal(symphony.addresses, null, 'the proxy never opened');
  } finally {
    await symphony.stop();
    await engine.close();
  }
});

test('--runtime swarm: a spec Swarm cannot run, or an engine that manages no swarm, stops the start before anything is made', async () => {
  const engine = await startFakeEngine({
    'GET /v1.41/images/demo%3A1/json': (_req, res) => sendJson(res, 200, { Id: 'sha256:abc', RepoTags: ['demo:1'], Config: { ExposedPorts: { '80/tcp': {} } } }),
    'GET /v1.41/info': (_req, res) => sendJson(res, 200, { Swarm: { LocalNodeState: 'inactive', ControlAvailable: false } }),
  });
  const docker = new DockerClient({ host: engine.host, apiVersion: '1.41' });
  const base = { image: 'demo:1', name: 'swarm-start', runtime: 'swarm', listen: { host: '127.0.0.1', port: 0 }, adminListen: null } as const;
  try {
    const odd = new Symphony({ ...base, tmpfs: ['/scratch:noexec,size=64m'] }, { docker });
    await assert.rejects(odd.start(), (err: unknown) => err instanceof SymphonyError && err.code === 'SWARM_UNSUPPORTED' && /noexec/.test(err.message));
    const plain = new Symphony(base, { docker });
    await assert.rejects(plain.start(), (err: unknown) => err instanceof SymphonyError && err.code === 'SWARM_NOT_MANAGER' && /not a swarm manager/.test(err.message));
    const made = engine.requests.map((r) => `${r.method} ${r.url.split('?')[0]}`).filter((r) => r.startsWith('POST'));
    assert.deepEqual(made, [], 'nothing was created');
  } finally {
    await engine.close();
  }
});
