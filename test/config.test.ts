import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, configFromOptions, isCountedPath, parseDuration, parseListen, resolveConfig, serviceNameFromImage } from '../src/config.js';

describe('parseDuration', () => {
  const rows: [string, unknown, number | null][] = [
    ['milliseconds', '1500ms', 1500],
    ['seconds', '10s', 10_000],
    ['minutes', '2m', 120_000],
    ['hours', '1h', 3_600_000],
    ['decimal seconds', '1.5s', 1500],
    ['no unit', '10', null],
    ['negative', '-1s', null],
    ['zero', '0s', null],
    ['a number (JSON)', 120, null],
    ['garbage', 'soon', null],
  ];
  for (const [name, input, expected] of rows) {
    test(name, () => {
      if (expected === null) assert.throws(() => parseDuration('--window', input), ConfigError);
      else assert.equal(parseDuration('--window', input), expected);
    });
  }
});

describe('parseListen', () => {
  const rows: [string, unknown, { host: string; port: number } | null][] = [
    ['port only', '8080', { host: '0.0.0.0', port: 8080 }],
    ['host and port', '127.0.0.1:9000', { host: '127.0.0.1', port: 9000 }],
    ['IPv6', '[::1]:9000', { host: '::1', port: 9000 }],
    ['any free port', '127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
    ['port out of range', '70000', null],
    ['empty host', ':80', null],
    ['bare IPv6 is ambiguous', '::1:80', null],
  ];
  for (const [name, input, expected] of rows) {
    test(name, () => {
      if (expected === null) assert.throws(() => parseListen('--listen', input, '0.0.0.0'), ConfigError);
      else assert.deepEqual(parseListen('--listen', input, '0.0.0.0'), expected);
    });
  }
});

describe('resolveConfig', () => {
  test('defaults match the documented contract', () => {
    const c = resolveConfig({ image: 'my-api:latest' });
    assert.equal(c.name, 'my-api');
    assert.equal(c.containerPort, 80);
    assert.deepEqual(c.listen, { host: '0.0.0.0', port: 8080 });
    assert.deepEqual(c.adminListen, { host: '127.0.0.1', port: 9900 });
    assert.equal(c.healthPath, '/api/v1/_health');
    assert.equal(c.healthIntervalMs, 1000);
    assert.ok(c.healthTimeoutMs < c.healthIntervalMs);
    assert.equal(c.windowMs, 120_000);
    assert.equal(c.windowMode, 'sliding');
    assert.equal(c.baseScaleCount, 20);
    assert.equal(c.min, 1);
    assert.equal(c.max, 10);
    assert.equal(c.hostPorts, null);
    assert.equal(c.logFormat, 'json');
  });

  test('log format defaults to text on a TTY', () => {
    assert.equal(resolveConfig({ image: 'a' }, { isTTY: true }).logFormat, 'text');
  });

  const bad: [string, Record<string, unknown>, string][] = [
    ['missing image', {}, '--image'],
    ['malformed image', { image: 'My Image!' }, '--image'],
    ['max below min', { image: 'a', min: '3', max: '2' }, '--max'],
    ['negative window', { image: 'a', window: '-1s' }, '--window'],
    ['port out of range', { image: 'a', containerPort: '65536' }, '--container-port'],
    ['container port zero', { image: 'a', containerPort: '0' }, '--container-port'],
    ['health timeout not below interval', { image: 'a', healthInterval: '1s', healthTimeout: '1s' }, '--health-timeout'],
    ['host port range smaller than max', { image: 'a', max: '5', hostPorts: '8000-8002' }, '--host-ports'],
    ['host port range reversed', { image: 'a', hostPorts: '8009-8000' }, '--host-ports'],
    ['env without =', { image: 'a', env: ['NOPE'] }, '--env'],
    ['unknown window mode', { image: 'a', windowMode: 'hopping' }, '--window-mode'],
    ['unknown option', { image: 'a', replicas: 3 }, 'replicas'],
    ['short admin token', { image: 'a', adminToken: 'short' }, '--admin-token'],
    ['base zero', { image: 'a', baseScaleCount: '0' }, '--base-scale-count'],
    ['min zero', { image: 'a', min: '0' }, '--min'],
    ['health path without slash', { image: 'a', healthPath: 'health' }, '--health-path'],
  ];
  for (const [name, raw, option] of bad) {
    test(`rejects ${name}, naming ${option}`, () => {
      assert.throws(
        () => resolveConfig(raw),
        (err: unknown) => err instanceof ConfigError && err.code === 'CONFIG_INVALID' && err.option === option && err.message.includes('expected'),
      );
    });
  }

  test('parses every option', () => {
    const c = resolveConfig({
      image: 'registry.example:5000/team/api:1.2',
      name: 'api',
      containerPort: '8080',
      listen: '127.0.0.1:0',
      adminListen: 'off',
      healthPath: '/healthz',
      healthInterval: '500ms',
      healthTimeout: '200ms',
      window: '10s',
      windowMode: 'tumbling',
      baseScaleCount: '5',
      min: '2',
      max: '4',
      hostPorts: '8000-8009',
      drainTimeout: '5s',
      stopTimeout: '3s',
      startupTimeout: '20s',
      upstreamTimeout: '30s',
      queueTimeout: '2s',
      queueSize: '10',
      env: ['A=1', 'B=two=2'],
      noCount: ['/metrics', '/static/*'],
      memory: '256m',
      cpus: '0.5',
      pull: 'never',
      keepContainers: true,
      logFormat: 'text',
      logLevel: 'debug',
    });
    assert.equal(c.adminListen, null);
    assert.deepEqual(c.hostPorts, { first: 8000, last: 8009 });
    assert.equal(c.memoryBytes, 256 * 1024 * 1024);
    assert.equal(c.cpus, 0.5);
    assert.equal(c.windowMs, 10_000);
    assert.equal(c.windowMode, 'tumbling');
    assert.deepEqual(c.env, ['A=1', 'B=two=2']);
    assert.equal(c.keepContainers, true);
  });

  test('options in milliseconds (library) validate like flags', () => {
    const c = configFromOptions({ image: 'demo:1', windowMs: 5000, listen: { host: '127.0.0.1', port: 0 }, adminListen: null, min: 2, max: 3 });
    assert.equal(c.windowMs, 5000);
    assert.equal(c.adminListen, null);
    assert.throws(() => configFromOptions({ image: 'demo:1', min: 4, max: 3 }), ConfigError);
  });
});

test('serviceNameFromImage', () => {
  assert.equal(serviceNameFromImage('my-api:latest'), 'my-api');
  assert.equal(serviceNameFromImage('registry:5000/team/api:1.2'), 'api');
  assert.equal(serviceNameFromImage(`api@sha256:${'a'.repeat(64)}`), 'api');
});

test('isCountedPath excludes the health path and --no-count patterns', () => {
  const config = { healthPath: '/api/v1/_health', noCount: ['/metrics', '/static/*'] };
  assert.equal(isCountedPath('/api/v1/items?x=1', config), true);
  assert.equal(isCountedPath('/api/v1/_health', config), false);
  assert.equal(isCountedPath('/api/v1/_health?probe=1', config), false);
  assert.equal(isCountedPath('/metrics', config), false);
  assert.equal(isCountedPath('/metrics/more', config), true);
  assert.equal(isCountedPath('/static/app.js', config), false);
});
