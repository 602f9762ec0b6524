// Resolving the configuration: defaults, every option from its text, layers, and every rule
// between options with its exact message. Over ~350 lines: one table of options, tested whole.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, configFromOptions, isCountedPath, resolveConfig, type OptionLayer, type SymphonyConfig } from '../src/config.js';
import { parseAddressText, parseDurationText, serviceNameFromImage } from '../src/option-types.js';

/** The message of the ConfigError `fn` throws (fails the test if it throws anything else). */
function problem(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a ConfigError, nothing was thrown');
}

describe('durations', () => {
  const rows: [string, unknown, number | RegExp][] = [
    ['milliseconds', '1500ms', 1500],
    ['seconds', '10s', 10_000],
    ['minutes', '2m', 120_000],
    ['hours', '1h', 3_600_000],
    ['decimal seconds', '1.5s', 1500],
    ['no unit', '10', /a duration such as/],
    ['negative', '-1s', /a duration such as/],
    ['zero', '0s', /greater than zero/],
    ['a JSON number has no unit', 120, /a bare number has none/],
    ['garbage', 'soon', /a duration such as/],
  ];
  for (const [name, input, expected] of rows) {
    test(name, () => {
      if (typeof expected === 'number') assert.equal(parseDurationText(input), expected);
      else assert.throws(() => parseDurationText(input), expected);
    });
  }
});

describe('listen addresses', () => {
  const rows: [string, unknown, { host: string; port: number } | null][] = [
    ['port only', '8080', { host: '0.0.0.0', port: 8080 }],
    ['a JSON number', 8080, { host: '0.0.0.0', port: 8080 }],
    ['host and port', '127.0.0.1:9000', { host: '127.0.0.1', port: 9000 }],
    ['IPv6', '[::1]:9000', { host: '::1', port: 9000 }],
    ['any free port', '127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
    ['port out of range', '70000', null],
    ['empty host', ':80', null],
    ['bare IPv6 is ambiguous', '::1:80', null],
  ];
  for (const [name, input, expected] of rows) {
    test(name, () => {
      if (expected === null) assert.throws(() => parseAddressText(input, '0.0.0.0'));
      else assert.deepEqual(parseAddressText(input, '0.0.0.0'), expected);
    });
  }
});

describe('the library options', () => {
  test('only image given: every default', () => {
    const expected: SymphonyConfig = {
      image: 'my-api:latest',
      containerPort: 80,
      listen: { host: '0.0.0.0', port: 8080 },
      name: 'my-api',
      healthPath: '/api/v1/_health',
      healthIntervalMs: 1_000,
      healthTimeoutMs: 800,
      windowMs: 120_000,
      windowMode: 'sliding',
      baseScaleCount: 20,
      scaleDownDelayMs: 0,
      min: 1,
      max: 10,
      hostPorts: null,
      runtime: 'docker',
      swarmHeartbeatMs: null,
      adminListen: { host: '127.0.0.1', port: 9900 },
      adminToken: null,
      drainTimeoutMs: 30_000,
      stopTimeoutMs: 10_000,
      startupTimeoutMs: 60_000,
      deployParallel: 1,
      deployVerifyMs: 10_000,
      upstreamTimeoutMs: 60_000,
      queueTimeoutMs: 30_000,
      queueSize: 1_000,
      env: [],
      noCount: [],
      memoryBytes: null,
      cpus: null,
      networks: [],
      volumes: [],
      command: null,
      entrypoint: null,
      labels: [],
      user: null,
      workdir: null,
      envFile: [],
      readOnly: false,
      tmpfs: [],
      capAdd: [],
      capDrop: [],
      securityOpt: [],
      init: false,
      stopSignal: null,
      pull: 'missing',
      keepContainers: false,
      logFormat: 'json',
      logLevel: 'info',
    };
    assert.deepEqual(configFromOptions({ image: 'my-api:latest' }), expected);
  });

  test('values are taken as given (durations in ms), and a resolved config is accepted back unchanged', () => {
    const c = configFromOptions({
      image: 'demo:1',
      windowMs: 5000,
      healthIntervalMs: 500,
      listen: { host: '127.0.0.1', port: 0 },
      adminListen: null,
      hostPorts: { first: 8000, last: 8009 },
      memoryBytes: 256 * 1024 ** 2,
      min: 2,
      max: 3,
    });
    assert.equal(c.windowMs, 5000);
    assert.equal(c.healthTimeoutMs, 400, '80 % of the interval given');
    assert.equal(c.adminListen, null);
    assert.deepEqual(c.hostPorts, { first: 8000, last: 8009 });
    assert.deepEqual(configFromOptions(c), c);
  });

  test('undefined counts as not given', () => {
    assert.equal(configFromOptions({ image: 'demo:1', max: undefined } as unknown as { image: string }).max, 10);
  });

  const bad: [string, Record<string, unknown>, string][] = [
    ['a CLI name instead of the library key', { image: 'x', window: 30 }, 'unknown option "window"; did you mean "windowMs" (milliseconds)?'],
    ['a typo', { image: 'x', windw: 30 }, 'unknown option "windw"; did you mean "windowMs" (milliseconds)?'],
    ['a CLI name with another unit', { image: 'x', memory: '1g' }, 'unknown option "memory"; did you mean "memoryBytes"?'],
    ['nothing near', { image: 'x', replicas: 3 }, 'unknown option "replicas" (see docker-symphony --help)'],
    ['a duration as text', { image: 'x', windowMs: '10s' }, 'invalid windowMs "10s": expected milliseconds greater than zero, such as 30000'],
    ['a number as text', { image: 'x', min: '2' }, 'invalid min "2": expected a whole number ≥ 1'],
    ['null where none is allowed', { image: 'x', max: null }, 'invalid max null: expected a whole number ≥ 1'],
    ['no image', {}, 'image is required: an image reference such as my-api:latest'],
    ['max below min', { image: 'x', min: 4, max: 3 }, 'invalid max 3: expected a number not below min (4)'],
    ['min above the default max', { image: 'x', min: 14 }, 'invalid min 14: expected a number not above the maximum (10, the default)'],
    ['a short token, not shown back', { image: 'x', adminToken: 'secret' }, 'invalid adminToken: expected a token of at least 16 characters'],
    ['a listen object without host', { image: 'x', listen: { port: 80 } }, 'invalid listen {"port":80}: expected { host, port } with a host such as "127.0.0.1"'],
  ];
  for (const [name, options, message] of bad) {
    test(`refuses ${name}`, () => {
      const err = problem(() => configFromOptions(options as { image: string }));
      assert.equal(err.message, message);
      assert.equal(err.code, 'CONFIG_INVALID');
    });
  }

  test('every problem at once, in the order of the options', () => {
    const err = problem(() => configFromOptions({ image: 'x', windw: 1, min: 0, cpus: -1 } as unknown as { image: string }));
    assert.deepEqual(
      err.issues.map((i) => i.option),
      ['"windw"', 'min', 'cpus'],
    );
    assert.equal(err.option, '"windw"', 'the first problem is also on the error itself');
    assert.match(err.message, /^3 problems with the options:\n {2}- unknown option "windw"/);
  });
});

describe('flags, a config file and the environment', () => {
  const flags = (values: Record<string, unknown>): OptionLayer => ({ source: { kind: 'flags' }, values });
  const file = (values: Record<string, unknown>): OptionLayer => ({ source: { kind: 'file', path: 'c.json' }, values });
  const env = (values: Record<string, unknown>): OptionLayer => ({ source: { kind: 'env' }, values });

  test('later layers win: flags over the file over the environment', () => {
    const c = resolveConfig([env({ SYMPHONY_ADMIN_TOKEN: 'e'.repeat(16) }), file({ image: 'a', max: 4, 'container-port': 8080, adminToken: 'f'.repeat(16) }), flags({ max: '5' })]);
    assert.equal(c.max, 5);
    assert.equal(c.containerPort, 8080);
    assert.equal(c.adminToken, 'f'.repeat(16));
  });

  test('log format defaults to text on a TTY, JSON otherwise', () => {
    assert.equal(resolveConfig([flags({ image: 'a' })], { isTTY: true }).logFormat, 'text');
    assert.equal(resolveConfig([flags({ image: 'a' })], { isTTY: false }).logFormat, 'json');
  });

  test('the swarm runtime and its heartbeat', () => {
    const c = resolveConfig([flags({ image: 'a', runtime: 'swarm', swarmHeartbeat: '1s' })]);
    assert.equal(c.runtime, 'swarm');
    assert.equal(c.swarmHeartbeatMs, 1_000);
    assert.equal(configFromOptions({ image: 'a', runtime: 'swarm', swarmHeartbeatMs: 2_000 }).swarmHeartbeatMs, 2_000);
  });

  test('parses every option from its text', () => {
    const c = resolveConfig([
      flags({
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
        runtime: 'docker',
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
        network: ['db-net', 'cache_net'],
        volume: ['data:/var/lib/app', '/srv/conf:/etc/app:ro'],
        command: ['node', 'server.js', '--port', '80'],
        entrypoint: '/usr/bin/tini',
        label: ['team=api', 'tier'],
        user: '1000:1000',
        workdir: '/app',
        envFile: ['app.env'],
        readOnly: true,
        tmpfs: ['/tmp:size=64m', '/run'],
        capAdd: ['NET_BIND_SERVICE'],
        capDrop: ['ALL'],
        securityOpt: ['no-new-privileges'],
        init: true,
        stopSignal: 'SIGQUIT',
        pull: 'never',
        keepContainers: true,
        logFormat: 'text',
        logLevel: 'debug',
      }),
    ]);
    assert.deepEqual(c, {
      image: 'registry.example:5000/team/api:1.2',
      containerPort: 8080,
      listen: { host: '127.0.0.1', port: 0 },
      name: 'api',
      healthPath: '/healthz',
      healthIntervalMs: 500,
      healthTimeoutMs: 200,
      windowMs: 10_000,
      windowMode: 'tumbling',
      baseScaleCount: 5,
      scaleDownDelayMs: 0,
      min: 2,
      max: 4,
      hostPorts: { first: 8000, last: 8009 },
      runtime: 'docker',
      swarmHeartbeatMs: null,
      adminListen: null,
      adminToken: null,
      drainTimeoutMs: 5_000,
      stopTimeoutMs: 3_000,
      startupTimeoutMs: 20_000,
      deployParallel: 1,
      deployVerifyMs: 10_000,
      upstreamTimeoutMs: 30_000,
      queueTimeoutMs: 2_000,
      queueSize: 10,
      env: ['A=1', 'B=two=2'],
      noCount: ['/metrics', '/static/*'],
      memoryBytes: 256 * 1024 ** 2,
      cpus: 0.5,
      networks: ['db-net', 'cache_net'],
      volumes: ['data:/var/lib/app', '/srv/conf:/etc/app:ro'],
      command: ['node', 'server.js', '--port', '80'],
      entrypoint: ['/usr/bin/tini'],
      labels: ['team=api', 'tier'],
      user: '1000:1000',
      workdir: '/app',
      envFile: ['app.env'],
      readOnly: true,
      tmpfs: ['/tmp:size=64m', '/run'],
      capAdd: ['NET_BIND_SERVICE'],
      capDrop: ['ALL'],
      securityOpt: ['no-new-privileges'],
      init: true,
      stopSignal: 'SIGQUIT',
      pull: 'never',
      keepContainers: true,
      logFormat: 'text',
      logLevel: 'debug',
    });
  });

  const bad: [string, OptionLayer[], string][] = [
    ['missing image', [flags({})], '--image is required: an image reference such as my-api:latest'],
    ['missing image with a file', [file({ max: 3 }), flags({})], '--image is required (or "image" in c.json): an image reference such as my-api:latest'],
    ['malformed image', [flags({ image: 'My Image!' })], 'invalid --image "My Image!": expected an image reference such as my-api:latest or registry:5000/team/api:1.2'],
    ['max below min', [flags({ image: 'a', min: '3', max: '2' })], 'invalid --max "2": expected a number not below --min (3)'],
    ['min above the default max', [flags({ image: 'a', min: '12' })], 'invalid --min "12": expected a number not above the maximum (10, the default)'],
    ['port out of range', [flags({ image: 'a', containerPort: '65536' })], 'invalid --container-port "65536": expected a port from 1 to 65535'],
    ['container port zero', [flags({ image: 'a', containerPort: '0' })], 'invalid --container-port "0": expected a port from 1 to 65535'],
    ['health timeout not below interval', [flags({ image: 'a', healthInterval: '1s', healthTimeout: '1s' })], 'invalid --health-timeout "1s": expected a duration below --health-interval (1s)'],
    ['an interval too short for the default timeout', [flags({ image: 'a', healthInterval: '1ms' })], 'invalid --health-interval "1ms": expected a duration longer than the health timeout (1ms, the default)'],
    ['host port range smaller than max', [flags({ image: 'a', max: '5', hostPorts: '8000-8002' })], 'invalid --host-ports "8000-8002": expected a range of at least --max (5) ports'],
    [
      'fixed host ports on a swarm',
      [flags({ image: 'a', runtime: 'swarm', hostPorts: '8000-8009' })],
      `invalid --host-ports "8000-8009": expected no fixed ports with --runtime (swarm): each swarm node's engine picks a free port`,
    ],
    [
      'security options on a swarm',
      [flags({ image: 'a', runtime: 'swarm', securityOpt: 'no-new-privileges' })],
      'invalid --security-opt "no-new-privileges": expected none with --runtime (swarm): Swarm services take no --security-opt',
    ],
    [
      'a swarm heartbeat without the swarm runtime',
      [flags({ image: 'a', swarmHeartbeat: '1s' })],
      'invalid --swarm-heartbeat "1s": expected no value unless --runtime is swarm (now the runtime (docker, the default))',
    ],
    ['host port range reversed', [flags({ image: 'a', hostPorts: '8009-8000' })], 'invalid --host-ports "8009-8000": expected a range whose last port is not below its first'],
    ['env without =', [flags({ image: 'a', env: ['A=1', 'NOPE'] })], 'invalid --env ["A=1","NOPE"]: expected KEY=VALUE ("NOPE" is not)'],
    ['unknown window mode', [flags({ image: 'a', windowMode: 'hopping' })], 'invalid --window-mode "hopping": expected one of sliding, tumbling'],
    ['short admin token, not shown back', [flags({ image: 'a', adminToken: 'short' })], 'invalid --admin-token: expected a token of at least 16 characters'],
    ['short admin token from the environment', [env({ SYMPHONY_ADMIN_TOKEN: 'short' }), flags({ image: 'a' })], 'invalid SYMPHONY_ADMIN_TOKEN: expected a token of at least 16 characters'],
    ['health path without slash', [flags({ image: 'a', healthPath: 'health' })], 'invalid --health-path "health": expected a URL path starting with /'],
    ['memory below what Docker takes', [flags({ image: 'a', memory: '1m' })], 'invalid --memory "1m": expected at least 6m (Docker refuses smaller limits)'],
    [
      'the host network (nothing could be published)',
      [flags({ image: 'a', network: ['host'] })],
      'invalid --network ["host"]: expected a network the container port can be published from (not host, none or container:…) ("host" is not)',
    ],
    ["another container's network", [flags({ image: 'a', network: ['container:db'] })], 'invalid --network ["container:db"]: expected a network the container port can be published from (not host, none or container:…) ("container:db" is not)'],
    ['a network name with a space', [flags({ image: 'a', network: ['db net'] })], 'invalid --network ["db net"]: expected the name or id of an existing Docker network ("db net" is not)'],
    [
      'a volume without a target',
      [flags({ image: 'a', volume: ['data'] })],
      'invalid --volume ["data"]: expected SOURCE:TARGET[:ro], SOURCE a volume name or an absolute host path, TARGET an absolute path in the container ("data" is not)',
    ],
    [
      'a volume from a relative host path',
      [flags({ image: 'a', volume: ['./data:/data'] })],
      'invalid --volume ["./data:/data"]: expected SOURCE:TARGET[:ro], SOURCE a volume name or an absolute host path, TARGET an absolute path in the container ("./data:/data" is not)',
    ],
    [
      'a volume with a relative target',
      [flags({ image: 'a', volume: ['data:data'] })],
      'invalid --volume ["data:data"]: expected SOURCE:TARGET[:ro], SOURCE a volume name or an absolute host path, TARGET an absolute path in the container ("data:data" is not)',
    ],
    [
      'a volume with an unknown mode',
      [flags({ image: 'a', volume: ['/srv:/srv:rx'] })],
      'invalid --volume ["/srv:/srv:rx"]: expected SOURCE:TARGET[:ro], SOURCE a volume name or an absolute host path, TARGET an absolute path in the container; the mode is ro or rw ("/srv:/srv:rx" is not)',
    ],
    [
      'a label with the reserved prefix',
      [flags({ image: 'a', label: ['docker-symphony.service=other'] })],
      'invalid --label ["docker-symphony.service=other"]: expected a label whose key does not start with docker-symphony. (reserved for Docker Symphony\'s own labels) ("docker-symphony.service=other" is not)',
    ],
    ['a label without a key', [flags({ image: 'a', label: ['=x'] })], 'invalid --label ["=x"]: expected KEY=VALUE with a key without spaces ("=x" is not)'],
    ['a relative workdir', [flags({ image: 'a', workdir: 'app' })], 'invalid --workdir "app": expected an absolute path inside the container'],
    ['a user with spaces', [flags({ image: 'a', user: 'web user' })], 'invalid --user "web user": expected a user name or uid, optionally :group or :gid'],
    ['a relative tmpfs path', [flags({ image: 'a', tmpfs: ['tmp'] })], 'invalid --tmpfs ["tmp"]: expected PATH[:OPTIONS] with an absolute path, such as /tmp:size=64m ("tmp" is not)'],
    ['a capability with a space', [flags({ image: 'a', capAdd: ['NET ADMIN'] })], 'invalid --cap-add ["NET ADMIN"]: expected a capability such as NET_BIND_SERVICE or ALL ("NET ADMIN" is not)'],
    ['a lowercase stop signal word', [flags({ image: 'a', stopSignal: 'term now' })], 'invalid --stop-signal "term now": expected a signal such as SIGTERM, SIGQUIT or 15'],
    ['a command as one string in a file', [file({ image: 'a', command: 7 })], 'c.json: invalid "command" 7: expected a list of words such as ["node", "server.js"]'],
    ['an empty command in a file', [file({ image: 'a', command: [] })], 'c.json: invalid "command" []: expected a list of words such as ["node", "server.js"]'],
    ['a network given twice', [flags({ image: 'a', network: ['a', 'b', 'a'] })], 'invalid --network ["a","b","a"]: expected each network once ("a" is given twice)'],
    ['two volumes on one target', [flags({ image: 'a', volume: ['xy:/data', '/srv:/data:ro'] })], 'invalid --volume ["xy:/data","/srv:/data:ro"]: expected one mount per target ("/data" is mounted twice)'],
    ['a tmpfs over a volume', [flags({ image: 'a', volume: ['xy:/data'], tmpfs: ['/data'] })], 'invalid --volume ["xy:/data"]: expected one mount per target ("/data" is mounted twice)'],
    ['a one-letter volume name (docker wants two or more)', [flags({ image: 'a', volume: ['x:/data'] })], 'invalid --volume ["x:/data"]: expected SOURCE:TARGET[:ro], SOURCE a volume name or an absolute host path, TARGET an absolute path in the container ("x:/data" is not)'],
  ];
  for (const [name, layers, message] of bad) {
    test(`refuses ${name}`, () => {
      const err = problem(() => resolveConfig(layers));
      assert.equal(err.message, message);
      assert.doesNotMatch(err.message, /undefined|null/);
    });
  }

  test('a config file: every bad key at once, each naming the file and the key as written, no flag', () => {
    const err = problem(() =>
      resolveConfig([file({ image: 'a', replicas: 3, windowMs: 1000, 'container-prot': 80, healthInterval: 5, min: 3, max: 2 }), flags({})]),
    );
    assert.deepEqual(
      err.issues.map((i) => i.message),
      [
        'c.json: unknown option "replicas" (see docker-symphony --help)',
        'c.json: unknown option "windowMs"; did you mean "window" (a duration with a unit, such as "120s")?',
        'c.json: unknown option "container-prot"; did you mean "container-port"?',
        'c.json: invalid "healthInterval" 5: expected a duration with a unit, such as "120s" (a bare number has none)',
      ],
    );
    for (const issue of err.issues) {
      assert.equal(issue.file, 'c.json');
      assert.doesNotMatch(issue.message.replace('docker-symphony --help', ''), /--/, 'no flag the user did not type');
    }
  });

  test('the container options from a config file, keyed by name or by flag', () => {
    const c = resolveConfig([
      file({ image: 'a', network: 'db-net', 'env-file': ['a.env', 'b.env'], command: ['node', 'server.js'], entrypoint: ['/bin/sh', '-c'], 'read-only': true, 'cap-drop': 'ALL' }),
    ]);
    assert.deepEqual(c.networks, ['db-net'], 'a single string is a list of one');
    assert.deepEqual(c.envFile, ['a.env', 'b.env']);
    assert.deepEqual(c.command, ['node', 'server.js']);
    assert.deepEqual(c.entrypoint, ['/bin/sh', '-c']);
    assert.equal(c.readOnly, true);
    assert.deepEqual(c.capDrop, ['ALL']);
  });

  test('a rule between two options of the file names both as written in it', () => {
    const err = problem(() => resolveConfig([file({ image: 'a', min: 3, max: 2 }), flags({})]));
    assert.equal(err.message, 'c.json: invalid "max" 2: expected a number not below "min" (3)');
  });
});

describe('serviceNameFromImage', () => {
  const rows: [string, string, string][] = [
    ['a tag', 'my-api:latest', 'my-api'],
    ['a registry with a port', 'registry:5000/team/api:1.2', 'api'],
    ['a digest', `api@sha256:${'a'.repeat(64)}`, 'api'],
  ];
  for (const [name, image, expected] of rows) test(name, () => assert.equal(serviceNameFromImage(image), expected));
});

describe('isCountedPath', () => {
  const config = { healthPath: '/api/v1/_health', noCount: ['/metrics', '/static/*'] };
  const rows: [string, string, boolean][] = [
    ['an API path with a query', '/api/v1/items?x=1', true],
    ['the health path', '/api/v1/_health', false],
    ['the health path with a query', '/api/v1/_health?probe=1', false],
    ['an exact --no-count path', '/metrics', false],
    ['below an exact path', '/metrics/more', true],
    ['below a prefix', '/static/app.js', false],
  ];
  for (const [name, path, counted] of rows) test(name, () => assert.equal(isCountedPath(path, config), counted));
});
