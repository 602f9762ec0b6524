// The operator's commands against a real orchestrator on the real engine: `status`
// reads its admin server, `deploy` rolls it to a new environment and follows the deploy
// to its end. Each run has its own service name; its containers are removed at the end.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runDeploy } from '../../src/commands/deploy.js';
import { runStatus, type CommandIO } from '../../src/commands/status.js';
import { inState, startSymphony } from '../e2e/harness.js';

function io(): CommandIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } };
}

test('status shows the running containers; deploy --env rolls them over and exits 0; status then shows the deploy', async (t) => {
  const run = await startSymphony('operate', { min: 2, max: 2, adminListen: { host: '127.0.0.1', port: 0 }, deployVerifyMs: 1_000 });
  try {
    const before = await run.until((s) => inState(s, 'ready') === 2, 30_000, 'two ready containers');
    const admin = `http://127.0.0.1:${run.symphony.addresses?.admin?.port ?? 0}`;

    const status = io();
    assert.equal(await runStatus(['--admin', admin], {}, status), 0, status.err.join(''));
    const text = status.out.join('');
    assert.match(text, new RegExp(`^service {3}${run.service}: `, 'm'));
    for (const c of before.containers) {
      assert.match(text, new RegExp(`^${c.id.slice(0, 12)} {3}${c.name} {3}.* {3}ready {3}`, 'm'), `a row for ${c.name}`);
    }

    const deploy = io();
    const started = Date.now();
    assert.equal(await runDeploy(['--env', 'GREETING=operate', '--admin', admin], {}, deploy), 0, deploy.err.join(''));
    const lines = deploy.out.join('').trim().split('\n');
    assert.match(lines[0] ?? '', /^deploy #1 started: .* → .*, 2 replica\(s\) to replace$/);
    assert.match(lines.at(-1) ?? '', /^deploy #1 succeeded: .* serves everything \(2 replaced in \d/);
    t.diagnostic(`deploy of 2 replicas followed by the CLI: ${Date.now() - started} ms, ${lines.length} lines`);

    const after = run.symphony.status();
    assert.ok(after.containers.every((c) => !before.containers.some((b) => b.id === c.id)), 'every container was replaced');
    const again = io();
    assert.equal(await runStatus(['--admin', admin], {}, again), 0);
    assert.match(again.out.join(''), /^deploy {4}#1 succeeded: /m);
  } finally {
    await run.stop();
  }
});
