// Symphony.deploy's checks before the owner is asked: values go through the options
// table (CONFIG_INVALID, naming the option), and only a running orchestrator deploys.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DockerClient } from '../../src/docker/index.js';
import { Symphony } from '../../src/symphony.js';

function idle(): Symphony {
  // Never started: the client is never called.
  return new Symphony(
    { image: 'demo:1', name: 'deploy-checks', listen: { host: '127.0.0.1', port: 0 }, adminListen: null },
    { docker: new DockerClient({ host: { kind: 'unix', socketPath: '/nonexistent/docker.sock' }, apiVersion: '1.41' }) },
  );
}

const rows: { name: string; changes: Parameters<Symphony['deploy']>[0]; code: string; message: RegExp }[] = [
  { name: 'a malformed image is refused like --image', changes: { image: 'Bad Image!' }, code: 'CONFIG_INVALID', message: /image/ },
  { name: 'an env entry without KEY= is refused like --env', changes: { env: ['no-equals-sign'] }, code: 'CONFIG_INVALID', message: /env/ },
  { name: 'good values, but not started', changes: { image: 'demo:2' }, code: 'NOT_RUNNING', message: /needs a running orchestrator \(this one is new\)/ },
];
for (const row of rows) {
  test(`deploy: ${row.name}`, async () => {
    const symphony = idle();
    await assert.rejects(symphony.deploy(row.changes), (err: Error & { code?: string }) => err.code === row.code && row.message.test(err.message));
    assert.equal(symphony.status().deploy, null, 'no deploy was recorded');
  });
}
