import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { configChanges, describeDeploy } from '../../src/commands/reload.js';
import { Reloader, type ReloadOutcome } from '../../src/commands/sighup.js';
import { configFromOptions, type SymphonyConfig, type SymphonyOptions } from '../../src/config.js';
import { SymphonyError } from '../../src/errors.js';
import type { DeployStatus } from '../../src/status.js';

const base: SymphonyOptions = { image: 'demo:1', env: ['A=1'], adminListen: null, logFormat: 'json' };
const cfg = (over: Partial<SymphonyOptions> = {}): SymphonyConfig => configFromOptions({ ...base, ...over });

describe('configChanges', () => {
  const rows: { name: string; next: Partial<SymphonyOptions>; deploy: object; restart: string[] }[] = [
    { name: 'nothing changed', next: {}, deploy: {}, restart: [] },
    { name: 'a new image', next: { image: 'demo:2' }, deploy: { image: 'demo:2' }, restart: [] },
    { name: 'a new env', next: { env: ['A=2'] }, deploy: { env: ['A=2'] }, restart: [] },
    { name: 'the env emptied', next: { env: [] }, deploy: { env: [] }, restart: [] },
    { name: 'env in another order is a change', next: { env: ['B=1', 'A=1'] }, deploy: { env: ['B=1', 'A=1'] }, restart: [] },
    { name: 'image and env', next: { image: 'demo:2', env: ['A=2'] }, deploy: { image: 'demo:2', env: ['A=2'] }, restart: [] },
    { name: 'options that need a restart are named by flag', next: { max: 7, windowMs: 5000 }, deploy: {}, restart: ['--window', '--max'] },
    { name: 'an object option compares by value', next: { listen: { host: '0.0.0.0', port: 8080 } }, deploy: {}, restart: [] },
    { name: 'both kinds at once', next: { image: 'demo:2', listen: { host: '127.0.0.1', port: 9000 } }, deploy: { image: 'demo:2' }, restart: ['--listen'] },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const running = cfg();
      const changes = configChanges(running, { image: running.image, env: running.env }, cfg(row.next));
      assert.deepEqual(changes.deploy, row.deploy, `${row.name}: deploy`);
      assert.deepEqual(changes.restart, row.restart, `${row.name}: restart`);
    });
  }

  test('deployable fields compare with what was applied last, not with the start', () => {
    const running = cfg();
    const changes = configChanges(running, { image: 'demo:2', env: ['A=1'] }, cfg({ image: 'demo:2' }));
    assert.deepEqual(changes.deploy, {}, 'demo:2 is already deployed');
  });

  test('describeDeploy names the image and counts env variables without showing them', () => {
    assert.equal(describeDeploy({ image: 'demo:1', env: [] }, { image: 'demo:2', env: ['SECRET=x', 'B=2'] }), 'image demo:1 → demo:2, env (2 variables)');
    assert.equal(describeDeploy({ image: 'demo:1', env: [] }, { env: ['A=1'] }), 'env (1 variable)');
  });
});

function deployStatus(state: 'succeeded' | 'rolled-back', reason: string | null = null): DeployStatus {
  return {
    id: 4,
    state,
    from: { image: 'demo:1', spec: 'a'.repeat(16) },
    to: { image: 'demo:2', spec: 'b'.repeat(16) },
    progress: { done: 2, total: 2 },
    reason,
    startedAt: '2026-11-25T10:00:00.000Z',
    endedAt: '2026-11-25T10:00:10.000Z',
  };
}

function reloader(options: {
  file?: string | null;
  next?: () => SymphonyConfig;
  state?: 'starting' | 'running' | 'stopping';
  deploy?: (changes: object) => Promise<DeployStatus>;
}) {
  const lines: { level: string; event: string; message: string }[] = [];
  const deploys: object[] = [];
  const deploy = options.deploy ?? (async (): Promise<DeployStatus> => deployStatus('succeeded'));
  const r = new Reloader({
    file: options.file === undefined ? '/etc/symphony.json' : options.file,
    running: cfg(),
    read: options.next ?? (() => cfg()),
    state: () => options.state ?? 'running',
    deploy: (changes) => {
      deploys.push(changes);
      return deploy(changes);
    },
    say: (level, event, message) => lines.push({ level, event, message }),
  });
  return { r, lines, deploys };
}

describe('Reloader (SIGHUP)', () => {
  const rows: {
    name: string;
    setup: Parameters<typeof reloader>[0];
    outcome: ReloadOutcome;
    deploys: object[];
    events: string[];
    message: RegExp;
  }[] = [
    {
      name: 'a new image in the file is deployed',
      setup: { next: () => cfg({ image: 'demo:2' }) },
      outcome: 'succeeded',
      deploys: [{ image: 'demo:2' }],
      events: ['cli.reload_deploy', 'cli.reload_done'],
      message: /^SIGHUP: deploy #4 succeeded: image demo:1 → demo:2$/,
    },
    {
      name: 'a rollback is logged as an error with its reason',
      setup: { next: () => cfg({ env: ['A=2'] }), deploy: async () => deployStatus('rolled-back', 'new replica never answered 200') },
      outcome: 'rolled-back',
      deploys: [{ env: ['A=2'] }],
      events: ['cli.reload_deploy', 'cli.reload_rolled_back'],
      message: /^SIGHUP: deploy #4 rolled back: new replica never answered 200; the previous version serves$/,
    },
    {
      name: 'nothing deployable changed',
      setup: {},
      outcome: 'unchanged',
      deploys: [],
      events: ['cli.reload_unchanged'],
      message: /^SIGHUP: nothing deployable \(image, env\) changed in \/etc\/symphony\.json$/,
    },
    {
      name: 'only options that need a restart changed: named, nothing deployed',
      setup: { next: () => cfg({ max: 3 }) },
      outcome: 'unchanged',
      deploys: [],
      events: ['cli.reload_needs_restart', 'cli.reload_unchanged'],
      message: /^SIGHUP: --max changed in \/etc\/symphony\.json; only a restart applies it$/,
    },
    {
      name: 'no --config file',
      setup: { file: null },
      outcome: 'skipped',
      deploys: [],
      events: ['cli.reload_skipped'],
      message: /no --config file to read again/,
    },
    {
      name: 'while starting',
      setup: { state: 'starting', next: () => cfg({ image: 'demo:2' }) },
      outcome: 'skipped',
      deploys: [],
      events: ['cli.reload_skipped'],
      message: /ignored while starting; send it again once it runs/,
    },
    {
      name: 'a file with a mistake keeps the running options',
      setup: {
        next: () => {
          throw new SymphonyError('CONFIG_INVALID', '/etc/symphony.json: invalid "max" "many": expected a whole number ≥ 1');
        },
      },
      outcome: 'invalid',
      deploys: [],
      events: ['cli.reload_invalid'],
      message: /^SIGHUP: \/etc\/symphony\.json not applied, the running options stay: .*invalid "max" "many"/,
    },
    {
      name: 'a deploy already running',
      setup: {
        next: () => cfg({ image: 'demo:3' }),
        deploy: async () => {
          throw new SymphonyError('DEPLOY_IN_PROGRESS', 'deploy #3 is running');
        },
      },
      outcome: 'failed',
      deploys: [{ image: 'demo:3' }],
      events: ['cli.reload_deploy', 'cli.reload_failed'],
      message: /not deployed: deploy #3 is running \[DEPLOY_IN_PROGRESS\]; send SIGHUP again when it has ended$/,
    },
  ];
  for (const row of rows) {
    test(row.name, async () => {
      const { r, lines, deploys } = reloader(row.setup);
      assert.equal(await r.reload(), row.outcome, row.name);
      assert.deepEqual(deploys, row.deploys, `${row.name}: deploys`);
      assert.deepEqual(
        lines.map((l) => l.event),
        row.events,
        `${row.name}: events`,
      );
      assert.ok(
        lines.some((l) => row.message.test(l.message)),
        `${row.name}: no line matches ${String(row.message)}:\n${lines.map((l) => l.message).join('\n')}`,
      );
    });
  }

  test('after a deploy succeeded the same file changes nothing; after a rollback it is tried again', async () => {
    const ok = reloader({ next: () => cfg({ image: 'demo:2' }) });
    assert.equal(await ok.r.reload(), 'succeeded');
    assert.equal(await ok.r.reload(), 'unchanged');
    assert.deepEqual(ok.r.applied, { image: 'demo:2', env: ['A=1'] });

    const failing = reloader({ next: () => cfg({ image: 'demo:2' }), deploy: async () => deployStatus('rolled-back', 'x') });
    assert.equal(await failing.r.reload(), 'rolled-back');
    assert.equal(await failing.r.reload(), 'rolled-back');
    assert.equal(failing.deploys.length, 2);
    assert.deepEqual(failing.r.applied, { image: 'demo:1', env: ['A=1'] });
  });
});
