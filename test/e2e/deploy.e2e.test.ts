// Rolling deploys on the real engine, under a steady load of GETs and POSTs: a deploy
// through the admin API (POST /api/deploy) and a rollback (the new spec never gets
// healthy) both end with zero failed requests, and old and new versions answer side
// by side only while the deploy runs.
//
// The version that answered is told by the container: the demo app reports its
// hostname, which Docker sets to the container's short id, and the status says which
// spec each container was made from.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failedOf, runLoad, type LoadResult } from '../reliability/load.js';
import type { DeployStatus, SymphonyStatus } from '../../src/status.js';
import { inState, request, startSymphony, waitFor, type Running } from './harness.js';

/** Which containers answered whoami, sampled every 50 ms, with the time of each answer. */
function sampleWhoami(port: number, signal: AbortSignal): Promise<{ at: number; hostname: string }[]> {
  return (async () => {
    const seen: { at: number; hostname: string }[] = [];
    while (!signal.aborted) {
      const r = await request(port, '/api/v1/whoami').catch(() => null);
      if (r?.status === 200) seen.push({ at: Date.now(), hostname: (JSON.parse(r.body) as { hostname: string }).hostname });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return seen;
  })();
}

/** Hostname (short container id) → spec hash, for every container the status has shown. */
function specsByHost(statuses: readonly SymphonyStatus[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of statuses) for (const c of s.containers) out.set(c.id.slice(0, 12), c.spec);
  return out;
}

/** Runs `during` under load (4 clients, GETs and 1 KiB POSTs); returns what the load counted and every status seen meanwhile. */
async function underLoad<T>(run: Running, during: () => Promise<T>): Promise<{ result: T; load: LoadResult; statuses: SymphonyStatus[]; samples: { at: number; hostname: string }[] }> {
  const stop = new AbortController();
  const statuses: SymphonyStatus[] = [];
  const watch = setInterval(() => statuses.push(run.symphony.status()), 100);
  const load = runLoad(
    {
      port: run.port,
      clients: 4,
      durationMs: 120_000,
      mix: [
        { method: 'GET', path: '/api/v1/whoami', weight: 2 },
        { method: 'POST', path: '/api/v1/echo', bodyBytes: 1024, weight: 1 },
      ],
      pauseMs: 5,
      requestTimeoutMs: 30_000,
    },
    stop.signal,
  );
  const samples = sampleWhoami(run.port, stop.signal);
  try {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const result = await during();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    return { result, load: await (stop.abort(), load), statuses, samples: await samples };
  } finally {
    stop.abort();
    clearInterval(watch);
    statuses.push(run.symphony.status());
  }
}

function assertNoFailures(load: LoadResult): void {
  const failed = { GET: failedOf(load, 'GET'), POST: failedOf(load, 'POST') };
  assert.ok((load.byMethod['GET']?.sent ?? 0) > 50 && (load.byMethod['POST']?.sent ?? 0) > 20, `a steady load was sent: ${JSON.stringify(load.byMethod)}`);
  assert.deepEqual(failed, { GET: 0, POST: 0 }, `no failed request; first errors: ${JSON.stringify(load.firstErrors)} by status ${JSON.stringify(load.failedByStatus)}`);
  assert.equal(load.badBodies, 0);
}

test('a deploy through POST /api/deploy under load: zero failed requests, both versions only while it runs', async (t) => {
  const run = await startSymphony('deploy', {
    min: 2,
    max: 2,
    adminListen: { host: '127.0.0.1', port: 0 },
    deployVerifyMs: 2_000,
    drainTimeoutMs: 10_000,
  });
  try {
    const ready = await run.until((s) => inState(s, 'ready') === 2, 60_000, 'two ready containers');
    const oldSpec = ready.containers[0]!.spec;
    const admin = run.symphony.addresses!.admin!;
    let startedAt = 0;
    let endedAt = 0;
    const { result: ended, load, statuses, samples } = await underLoad(run, async () => {
      startedAt = Date.now();
      const reply = await request(admin.port, '/api/deploy', { method: 'POST', body: JSON.stringify({ env: ['APP_VERSION=2'] }) });
      assert.equal(reply.status, 202, reply.body);
      const started = (JSON.parse(reply.body) as { deploy: DeployStatus }).deploy;
      assert.equal(started.state, 'running');
      assert.deepEqual(started.progress, { done: 0, total: 2 });
      // A second deploy while this one runs is refused.
      const second = await request(admin.port, '/api/deploy', { method: 'POST', body: JSON.stringify({ env: ['APP_VERSION=3'] }) });
      assert.equal(second.status, 409);
      assert.equal((JSON.parse(second.body) as { error: { code: string } }).error.code, 'DEPLOY_IN_PROGRESS');
      const last = await waitFor(() => run.symphony.status(), (s) => s.deploy?.state === 'succeeded' || s.deploy?.state === 'rolled-back', 90_000, 'the deploy to end');
      endedAt = Date.now();
      return last.deploy!;
    });
    t.diagnostic(`deploy took ${endedAt - startedAt}ms; load: ${JSON.stringify(load.byMethod)}`);
    assert.equal(ended.state, 'succeeded', `reason: ${ended.reason}`);
    assert.equal(ended.from.spec, oldSpec);
    assert.deepEqual(ended.progress, { done: 2, total: 2 });
    assertNoFailures(load);

    const spec = specsByHost(statuses);
    const versionOf = (hostname: string): string => spec.get(hostname) ?? `unknown ${hostname}`;
    const before = samples.filter((s) => s.at < startedAt).map((s) => versionOf(s.hostname));
    const after = samples.filter((s) => s.at > endedAt).map((s) => versionOf(s.hostname));
    const during = new Set(samples.filter((s) => s.at >= startedAt && s.at <= endedAt).map((s) => versionOf(s.hostname)));
    assert.ok(before.length > 3 && after.length > 3, `samples before (${before.length}) and after (${after.length})`);
    assert.deepEqual(new Set(before), new Set([oldSpec]), 'only the old version before');
    assert.deepEqual(new Set(after), new Set([ended.to.spec]), 'only the new version after');
    assert.ok(during.has(oldSpec) && during.has(ended.to.spec), 'both answered while it ran');

    const now = run.symphony.status();
    assert.deepEqual(now.containers.filter((c) => c.state === 'ready').map((c) => c.spec), [ended.to.spec, ended.to.spec]);
    const events = run.events.map((e) => e.event);
    for (const name of ['deploy.started', 'deploy.progress', 'deploy.succeeded']) assert.ok(events.includes(name), `${name} logged`);
    const metrics = await request(admin.port, '/metrics');
    assert.match(metrics.body, /^symphony_deploys_total\{result="succeeded"\} 1$/m);
  } finally {
    await run.stop();
  }
});

test('a deploy whose new containers never get healthy rolls back under load: zero failed requests, the old replicas serve on', async (t) => {
  const run = await startSymphony('rollback', { min: 2, max: 2, startupTimeoutMs: 4_000, deployVerifyMs: 2_000 });
  try {
    const ready = await run.until((s) => inState(s, 'ready') === 2, 60_000, 'two ready containers');
    const oldIds = ready.containers.map((c) => c.id).sort();
    const { result: ended, load } = await underLoad(run, () => run.symphony.deploy({ env: ['UNHEALTHY_AT_START=1'] }));
    t.diagnostic(`rolled back in ${Date.parse(ended.endedAt ?? '') - Date.parse(ended.startedAt)}ms; load: ${JSON.stringify(load.byMethod)}`);
    assert.equal(ended.state, 'rolled-back');
    assert.match(ended.reason ?? '', /failed to become ready/);
    assertNoFailures(load);
    const now = run.symphony.status();
    assert.deepEqual(
      now.containers.filter((c) => c.state === 'ready').map((c) => c.id).sort(),
      oldIds,
      'the old replicas never left the rotation',
    );
    assert.ok(run.events.some((e) => e.event === 'deploy.rolled_back'));
    const gone = await run.until((s) => s.containers.length === 2, 30_000, 'the failed new container removed');
    assert.ok(gone.containers.every((c) => c.spec === ended.from.spec));
  } finally {
    await run.stop();
  }
});
