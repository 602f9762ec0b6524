import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { age, containerRow, deployLine, formatStatus, formatTable, lastCheck, reasonText, version, type WireStatus } from '../../src/commands/status-format.js';
import type { DeployStatus, ScaleDecision } from '../../src/status.js';
import { FAKE_T0, fakeContainer, fakeStatus } from '../admin/fake-status.js';

const T0 = FAKE_T0;

describe('age', () => {
  const rows: [string, number, string][] = [
    ['under a second', 850, '850ms'],
    ['seconds', 12_400, '12s'],
    ['minutes pad the seconds', 245_000, '4m 05s'],
    ['hours pad the minutes', 3 * 3_600_000 + 2 * 60_000 + 59_000, '3h 02m'],
    ['days', 2 * 86_400_000 + 5 * 3_600_000, '2d 05h'],
    ['negative (a clock ahead of ours) is 0s', -5000, '0s'],
    ['not a number (a missing time) is 0s', NaN, '0s'],
  ];
  for (const [name, ms, expected] of rows) test(name, () => assert.equal(age(ms), expected, name));
});

describe('version', () => {
  const rows: [string, string | undefined, string | undefined, string][] = [
    ['image and spec', 'my-api:2', '0123456789abcdef', 'my-api:2 @ 01234567'],
    ['an older orchestrator reports neither', undefined, undefined, '-'],
    ['an unknown spec (made by an older version) shows the image', 'my-api:1', 'unknown', 'my-api:1'],
    ['only a spec', undefined, 'fedcba9876543210', 'fedcba98'],
  ];
  for (const [name, image, spec, expected] of rows) test(name, () => assert.equal(version(image, spec), expected, name));
});

describe('lastCheck', () => {
  const rows: [string, Parameters<typeof lastCheck>[0], string][] = [
    ['none yet', undefined, '-'],
    ['a 200', { time: T0 - 1200, ok: true, status: 200, durationMs: 3.4 }, '200 in 3 ms, 1s ago'],
    ['a 503', { time: T0 - 61_000, ok: false, status: 503, durationMs: 12 }, '503 in 12 ms, 1m 01s ago'],
    ['a timeout has no status', { time: T0 - 2000, ok: false, error: 'timeout', durationMs: 800 }, 'timeout in 800 ms, 2s ago'],
  ];
  for (const [name, check, expected] of rows) test(name, () => assert.equal(lastCheck(check, T0), expected, name));
});

describe('reasonText', () => {
  const d = (reason: ScaleDecision['reason'], replicas: number, count: number): ScaleDecision => ({ replicas, reason, count, proposed: Math.floor(count / 20) + 1 });
  const rows: [string, ScaleDecision, string][] = [
    ['the rule', d('Rule', 3, 45), 'floor(45 / 20) + 1 = 3'],
    ['raised to min', d('TooFewReplicas', 2, 0), 'raised to --min 2 (floor(0 / 20) + 1 = 1)'],
    ['capped at max', d('TooManyReplicas', 5, 200), 'capped at --max 5 (floor(200 / 20) + 1 = 11)'],
    ['tumbling window pending', d('WindowPending', 2, 0), 'the first tumbling window has not ended; running the minimum'],
    ['scale-down held', d('ScaleDownStabilized', 4, 0), 'held at the highest count of --scale-down-delay (floor(0 / 20) + 1 = 1)'],
    ['adopted warming up', d('AdoptedWarmup', 2, 0), 'keeping the adopted containers until one window has passed since the start (floor(0 / 20) + 1 = 1)'],
  ];
  for (const [name, decision, expected] of rows) test(name, () => assert.equal(reasonText(decision, { min: 2, max: 5 }, 20), expected, name));
});

const deploy = (over: Partial<DeployStatus>): DeployStatus => ({
  id: 2,
  state: 'running',
  from: { image: 'demo:1', spec: 'aaaaaaaaaaaaaaaa' },
  to: { image: 'demo:2', spec: 'bbbbbbbbbbbbbbbb' },
  progress: { done: 1, total: 3 },
  reason: null,
  startedAt: new Date(T0 - 12_000).toISOString(),
  endedAt: null,
  ...over,
});

describe('deployLine', () => {
  const rows: [string, DeployStatus, string][] = [
    ['running', deploy({}), '#2 in progress: demo:1 @ aaaaaaaa → demo:2 @ bbbbbbbb, 1/3 replaced, for 12s'],
    [
      'rolling back',
      deploy({ state: 'rolling-back', reason: 'new replica failed its health check within --deploy-verify' }),
      '#2 rolling back: demo:1 @ aaaaaaaa → demo:2 @ bbbbbbbb, because new replica failed its health check within --deploy-verify; 1/3 replaced before it stopped',
    ],
    [
      'succeeded',
      deploy({ state: 'succeeded', progress: { done: 3, total: 3 }, endedAt: new Date(T0 - 2000).toISOString() }),
      '#2 succeeded: demo:1 @ aaaaaaaa → demo:2 @ bbbbbbbb, 3/3 replaced in 10s, 2s ago',
    ],
    [
      'rolled back',
      deploy({ state: 'rolled-back', reason: 'not ready within --startup-timeout', endedAt: new Date(T0 - 90_000).toISOString() }),
      '#2 rolled back: demo:1 @ aaaaaaaa → demo:2 @ bbbbbbbb, because not ready within --startup-timeout; 1m 30s ago',
    ],
  ];
  for (const [name, d, expected] of rows) test(name, () => assert.equal(deployLine(d, T0), expected, name));
});

// A container as an orchestrator older than deploys reports it: no spec, no image.
function olderContainer(c: ReturnType<typeof fakeContainer>): Parameters<typeof containerRow>[0] {
  const { spec: _spec, image: _image, ...rest } = c;
  return rest;
}

describe('the container table', () => {
  test('formatTable pads every column but the last, three spaces apart', () => {
    assert.equal(
      formatTable(['A', 'LONG HEADER', 'Z'], [
        ['wide cell', 'x', 'last'],
        ['', 'yy', ''],
      ]),
      ['A           LONG HEADER   Z', 'wide cell   x             last', '            yy'].join('\n'),
    );
  });

  const rows: [string, Parameters<typeof containerRow>[0], string[]][] = [
    [
      'a ready container of the new version',
      fakeContainer(2, 'ready', { spec: '0123456789abcdef', image: 'demo:2' }),
      ['2a2b2c2d2e2f', 'symphony-demo-2', 'demo:2 @ 01234567', '32002', 'ready', '2', '200', '200 in 3 ms, 1s ago'],
    ],
    [
      'an adopted one says so',
      fakeContainer(1, 'draining', { spec: 'fedcba9876543210', image: 'demo:1' }),
      ['1a1b1c1d1e1f', 'symphony-demo-1', 'demo:1 @ fedcba98', '32001', 'draining (adopted)', '1', '100', '200 in 3 ms, 1s ago'],
    ],
    [
      'starting, no port or check yet, from an orchestrator without specs',
      olderContainer(fakeContainer(3, 'starting', { hostPort: null, health: [] })),
      ['3a3b3c3d3e3f', 'symphony-demo-3', '-', '-', 'starting', '3', '300', '-'],
    ],
  ];
  for (const [name, container, expected] of rows) test(name, () => assert.deepEqual(containerRow(container, T0), expected, name));

  test('on a swarm: the node and its address instead of the host port', () => {
    const c = fakeContainer(2, 'ready', { spec: '0123456789abcdef', image: 'demo:2', node: 'node-2', host: '10.231.0.12', hostPort: 30_002 });
    assert.deepEqual(containerRow(c, T0, true), ['2a2b2c2d2e2f', 'symphony-demo-2', 'demo:2 @ 01234567', 'node-2', '10.231.0.12:30002', 'ready', '2', '200', '200 in 3 ms, 1s ago']);
    assert.deepEqual(containerRow({ ...c, hostPort: null }, T0, true).slice(3, 5), ['node-2', '-']);
  });
});

describe('formatStatus', () => {
  test('on a swarm the table has the node of each replica', () => {
    const status: WireStatus = {
      ...fakeStatus({ states: ['ready'] }),
      containers: [fakeContainer(1, 'ready', { spec: 'aaaaaaaaaaaaaaaa', image: 'demo:1', adopted: false, node: 'node-3', host: '10.231.0.13', hostPort: 30_001 })],
    };
    const table = formatStatus(status, T0).split('\n').slice(-2);
    assert.deepEqual(table, [
      'SERVICE ID     NAME              VERSION             NODE     ADDRESS             STATE   IN FLIGHT   SERVED   LAST CHECK',
      '1a1b1c1d1e1f   symphony-demo-1   demo:1 @ aaaaaaaa   node-3   10.231.0.13:30001   ready   1           100      200 in 3 ms, 1s ago',
    ]);
  });

  test('the whole text: service, window, replicas and why, the deploy, the table', () => {
    const status: WireStatus = {
      ...fakeStatus({ states: ['ready', 'starting'] }),
      containers: [
        fakeContainer(1, 'ready', { spec: 'aaaaaaaaaaaaaaaa', image: 'demo:1' }),
        fakeContainer(2, 'starting', { spec: 'bbbbbbbbbbbbbbbb', image: 'demo:2', health: [] }),
      ],
      deploy: deploy({}),
    };
    assert.equal(
      formatStatus(status, T0),
      [
        'service   demo-api: docker-symphony-demo:latest, proxy on 127.0.0.1:8080, up 1h 00m',
        'window    45 requests in the last 30s (sliding)',
        'replicas  2 desired: Rule, floor(45 / 20) + 1 = 3; min 1, max 5',
        'deploy    #2 in progress: demo:1 @ aaaaaaaa → demo:2 @ bbbbbbbb, 1/3 replaced, for 12s',
        '',
        'CONTAINER ID   NAME              VERSION             HOST PORT   STATE             IN FLIGHT   SERVED   LAST CHECK',
        '1a1b1c1d1e1f   symphony-demo-1   demo:1 @ aaaaaaaa   32001       ready (adopted)   1           100      200 in 3 ms, 1s ago',
        '2a2b2c2d2e2f   symphony-demo-2   demo:2 @ bbbbbbbb   32002       starting          2           200      -',
      ].join('\n'),
    );
  });

  const lines: [string, Partial<WireStatus>, RegExp | null][] = [
    ['no deploy line before the first deploy', { deploy: null }, null],
    ['no deploy line from an orchestrator older than deploys', {}, null],
    ['the engine when it is away', { engine: { state: 'unavailable', since: new Date(T0 - 5000).toISOString() } }, /^engine {4}unavailable for 5s$/m],
    ['the back-off when starts fail', { backoff: { failureStreak: 3, nextStartAt: new Date(T0 + 4000).toISOString() } }, /^back-off  3 failed start\(s\) in a row, next start in 4s$/m],
    ['health panic', { health: { panic: true, since: null, eventLoopLagMs: 0 } }, /^health {4}panic: every ready container timed out at once/m],
    ['no containers', { containers: [] }, /\n\nno containers$/],
  ];
  for (const [name, over, expected] of lines) {
    test(name, () => {
      const { deploy: _omitted, ...base } = fakeStatus();
      const text = formatStatus({ ...base, ...over }, T0);
      if (expected === null) assert.doesNotMatch(text, /^deploy/m, name);
      else assert.match(text, expected, name);
    });
  }
});
