// The owner's rolling deploy on the fake engine (fake-docker.ts) and the fake clock:
// start-first and health-gated, rolled back when a new container fails to become ready
// or fails within --deploy-verify, scale-ups from the new spec, one deploy at a time.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SymphonyError } from '../../src/errors.js';
import type { ContainerSetOptions } from '../../src/orchestrator/owner-types.js';
import { SPEC_LABEL } from '../../src/orchestrator/labels.js';
import type { DeployStatus } from '../../src/status.js';
import { ownerHarness, settle } from './owner-harness.js';

/** Two replicas and a 10 s verify period unless a test says otherwise. */
const setup = (options: Partial<ContainerSetOptions> = {}) => ownerHarness({ deployVerifyMs: 10_000, initialDesired: 2, ...options });

describe('ContainerSet: deploy', () => {
  test('rolls one replica at a time, start-first: the rotation never shrinks; succeeds after the verify period', async () => {
    const t = setup();
    await t.startReady();
    const oldHash = t.set.specHash;
    const { status, done } = t.set.deploy({ image: 'demo:2' });
    assert.equal(status.state, 'running');
    assert.deepEqual(status.progress, { done: 0, total: 2 });
    assert.equal(status.from.spec, oldHash);
    assert.notEqual(status.to.spec, oldHash);
    assert.equal(t.set.specHash, status.to.spec);
    let ended: DeployStatus | null = null;
    void done.then((d) => (ended = d));
    await settle();
    assert.equal(t.starting().length, 1, '--deploy-parallel 1: one new replica at a time');
    assert.equal(t.pool.size, 2, 'both old replicas still serve');
    await t.allAnswer();
    assert.deepEqual(t.images('ready').sort(), ['demo:1', 'demo:2'], 'one old left after the first new one joined');
    assert.equal(t.pool.size, 2);
    assert.equal(t.starting().length, 1, 'the second new replica starts');
    await t.allAnswer();
    assert.deepEqual(t.images('ready'), ['demo:2', 'demo:2']);
    assert.equal(t.set.deployStatus()?.state, 'running', 'not over before the verify period');
    assert.deepEqual(t.set.deployStatus()?.progress, { done: 2, total: 2 });
    await t.step(10_000);
    const last = ended as DeployStatus | null;
    assert.equal(last?.state, 'succeeded');
    assert.ok(last?.endedAt);
    assert.deepEqual(t.deployed, ['succeeded']);
    assert.equal(t.set.image, 'demo:2');
    for (const c of t.docker.containers.values()) {
      assert.equal(c.spec.image, 'demo:2', 'the old containers were removed');
      assert.equal(c.spec.labels?.[SPEC_LABEL], status.to.spec);
    }
    assert.deepEqual(
      [...t.logged('deploy.started'), ...t.logged('deploy.progress'), ...t.logged('deploy.succeeded')].map((r) => r.event),
      ['deploy.started', 'deploy.progress', 'deploy.progress', 'deploy.succeeded'],
    );
  });

  test('a new replica that never becomes ready within the startup timeout rolls back; the old ones never left', async () => {
    const t = setup();
    await t.startReady();
    const before = t.set.status().map((c) => c.id);
    const { done } = t.set.deploy({ env: ['UNHEALTHY_AT_START=1'] });
    await settle();
    const [fresh] = t.starting();
    assert.ok(fresh);
    t.probe(fresh, { ok: false, status: 500 });
    await t.step(10_001);
    t.probe(fresh, { ok: false, status: 500 });
    await settle();
    const ended = await done;
    assert.equal(ended.state, 'rolled-back');
    assert.match(ended.reason ?? '', /failed to become ready/);
    assert.deepEqual(t.deployed, ['rolled-back']);
    assert.equal(t.set.specHash, ended.from.spec, 'new containers come from the old spec again');
    assert.deepEqual(t.set.status().map((c) => c.id), before, 'the old replicas serve on; the new one is gone');
    assert.equal(t.pool.size, 2);
    assert.equal(t.logged('deploy.rolled_back').length, 1);
    assert.equal(t.set.backoffStatus().failureStreak, 0, "the new spec's failure does not hold the old spec back");
  });

  test('a new replica failing a health check within --deploy-verify rolls back: the old spec is restored to the full count', async () => {
    const t = setup();
    await t.startReady();
    const { done } = t.set.deploy({ image: 'demo:2' });
    await settle();
    await t.allAnswer(); // the first new one joins, an old one goes, the second new one starts
    await t.step(3_000);
    const [firstNew] = t.set.status().filter((c) => c.image === 'demo:2' && c.state === 'ready');
    assert.ok(firstNew);
    t.probe(firstNew.id, { ok: false, status: 500 });
    await settle();
    assert.equal(t.set.deployStatus()?.state, 'rolling-back');
    assert.match(t.set.deployStatus()?.reason ?? '', /after joining the rotation \(within --deploy-verify/);
    assert.ok(t.pool.size >= 1, 'something serves throughout');
    // The old spec starts again; the new one still starting is outdated now and leaves once the old ones are ready.
    await t.allAnswer();
    await t.allAnswer();
    const ended = await done;
    assert.equal(ended.state, 'rolled-back');
    assert.deepEqual(t.images('ready'), ['demo:1', 'demo:1']);
    await t.step(0);
    assert.deepEqual([...t.docker.containers.values()].map((c) => c.spec.image), ['demo:1', 'demo:1']);
  });

  test('a new replica whose container cannot be created rolls back', async () => {
    const t = setup();
    await t.startReady();
    t.docker.failNext('create', new Error('No such image: demo:404'));
    const { done } = t.set.deploy({ image: 'demo:404' });
    const ended = await done;
    assert.equal(ended.state, 'rolled-back');
    assert.match(ended.reason ?? '', /could not be created: No such image/);
    assert.deepEqual(t.images('ready'), ['demo:1', 'demo:1']);
  });

  test('a scale-up during a deploy starts replicas of the new spec', async () => {
    const t = setup();
    await t.startReady();
    const createsBefore = t.docker.count('create');
    const { done } = t.set.deploy({ image: 'demo:2' });
    await settle();
    t.set.setDesired(4);
    await settle();
    const created = [...t.docker.containers.values()].slice(2);
    // Four at once: the two old ones (until replaced), the replacement starting, and one more at once for the scale-up.
    assert.equal(t.docker.count('create') - createsBefore, 2, 'the replacement, then one for the scale-up without waiting');
    assert.deepEqual(created.map((c) => c.spec.image), ['demo:2', 'demo:2']);
    for (let i = 0; i < 4; i++) await t.allAnswer();
    await t.step(10_000);
    assert.equal((await done).state, 'succeeded');
    assert.deepEqual(t.images('ready'), ['demo:2', 'demo:2', 'demo:2', 'demo:2']);
  });

  test('a second deploy while one runs is refused with DEPLOY_IN_PROGRESS; after it ended, another may start', async () => {
    const t = setup({ initialDesired: 1 });
    await t.startReady();
    const { done } = t.set.deploy({ image: 'demo:2' });
    assert.throws(
      () => t.set.deploy({ image: 'demo:3' }),
      (err: unknown) => err instanceof SymphonyError && err.code === 'DEPLOY_IN_PROGRESS' && /deploy 1 \(demo:1 → demo:2\) is running/.test(err.message),
    );
    await settle();
    await t.allAnswer();
    await t.step(10_000);
    assert.equal((await done).state, 'succeeded');
    const next = t.set.deploy({ image: 'demo:3' });
    assert.equal(next.status.id, 2);
    assert.equal(next.status.from.image, 'demo:2');
  });

  test('a deploy that changes nothing succeeds at once', async () => {
    const t = setup({ initialDesired: 1 });
    await t.startReady();
    const ended = await t.set.deploy({ image: 'demo:1' }).done;
    assert.equal(ended.state, 'succeeded');
    assert.deepEqual(ended.progress, { done: 0, total: 0 });
    assert.equal(t.docker.count('create'), 1);
  });

  test('shutdown during a deploy ends it (rolled-back, saying why), so nobody waits on it forever', async () => {
    const t = setup({ initialDesired: 1 });
    await t.startReady();
    const { done } = t.set.deploy({ image: 'demo:2' });
    await settle();
    await t.set.shutdown();
    const ended = await done;
    assert.equal(ended.state, 'rolled-back');
    assert.equal(ended.reason, 'the orchestrator stopped during the deploy');
    assert.throws(() => t.set.deploy({ image: 'demo:3' }), (err: unknown) => err instanceof SymphonyError && err.code === 'SHUTTING_DOWN');
  });

  test('--deploy-parallel 2 replaces two at a time', async () => {
    const t = setup({ initialDesired: 4, deployParallel: 2 });
    await t.startReady();
    t.set.deploy({ image: 'demo:2' });
    await settle();
    assert.equal(t.starting().length, 2);
    assert.equal(t.pool.size, 4);
  });
});
