import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Counter,
  Gauge,
  Histogram,
  MetricError,
  Registry,
  escapeHelp,
  escapeLabelValue,
  formatLabels,
  formatValue,
} from '../../src/admin/metrics.js';

describe('escapeLabelValue', () => {
  const rows: { name: string; input: string; want: string }[] = [
    { name: 'plain text is unchanged', input: 'ready', want: 'ready' },
    { name: 'backslash is doubled', input: 'C:\\tmp', want: 'C:\\\\tmp' },
    { name: 'double quote is escaped', input: 'say "hi"', want: 'say \\"hi\\"' },
    { name: 'newline becomes \\n', input: 'a\nb', want: 'a\\nb' },
    { name: 'all three together, backslash first', input: '\\"\n', want: '\\\\\\"\\n' },
  ];
  for (const row of rows) {
    test(row.name, () => assert.equal(escapeLabelValue(row.input), row.want));
  }
});

describe('escapeHelp', () => {
  test('escapes backslash and newline but keeps quotes', () => {
    assert.equal(escapeHelp('a "b" \\ c\nd'), 'a "b" \\\\ c\\nd');
  });
});

describe('formatValue', () => {
  const rows: { name: string; input: number; want: string }[] = [
    { name: 'integer', input: 3, want: '3' },
    { name: 'fraction', input: 0.25, want: '0.25' },
    { name: '+Inf', input: Infinity, want: '+Inf' },
    { name: '-Inf', input: -Infinity, want: '-Inf' },
    { name: 'NaN', input: NaN, want: 'NaN' },
  ];
  for (const row of rows) {
    test(row.name, () => assert.equal(formatValue(row.input), row.want));
  }
});

describe('formatLabels', () => {
  test('no labels → empty string', () => assert.equal(formatLabels({}), ''));
  test('labels sorted by name and values escaped', () => {
    assert.equal(formatLabels({ b: 'x"y', a: '1' }), '{a="1",b="x\\"y"}');
  });
  test('invalid label name is rejected with a code', () => {
    assert.throws(() => formatLabels({ 'bad-name': 'x' }), (err: unknown) => err instanceof MetricError && err.code === 'METRIC_BAD_NAME');
  });
  test('reserved __ prefix is rejected', () => {
    assert.throws(() => formatLabels({ __name__: 'x' }), MetricError);
  });
});

describe('Counter', () => {
  test('inc adds 1 by default and n when given, per label set', () => {
    const c = new Counter('jobs_total', 'Jobs.');
    c.inc();
    c.inc({}, 2);
    c.inc({ kind: 'a' });
    assert.equal(c.get(), 3);
    assert.equal(c.get({ kind: 'a' }), 1);
    assert.deepEqual(c.samples(), ['jobs_total 3', 'jobs_total{kind="a"} 1']);
  });
  test('label order does not create a second series', () => {
    const c = new Counter('x_total', 'X.');
    c.inc({ a: '1', b: '2' });
    c.inc({ b: '2', a: '1' });
    assert.deepEqual(c.samples(), ['x_total{a="1",b="2"} 2']);
  });
  const bad: { name: string; n: number }[] = [
    { name: 'negative', n: -1 },
    { name: 'NaN', n: NaN },
    { name: 'infinite', n: Infinity },
  ];
  for (const row of bad) {
    test(`rejects a ${row.name} increment and keeps its value`, () => {
      const c = new Counter('x_total', 'X.');
      c.inc({}, 5);
      assert.throws(() => c.inc({}, row.n), (err: unknown) => err instanceof MetricError && err.code === 'METRIC_NEGATIVE_INCREMENT');
      assert.equal(c.get(), 5);
    });
  }
  test('touch makes a zero series appear', () => {
    const c = new Counter('x_total', 'X.');
    c.touch({ outcome: 'served' });
    assert.deepEqual(c.samples(), ['x_total{outcome="served"} 0']);
  });
  test('series() is the same series inc() counts into, created at 0 and rendered with its labels', () => {
    const c = new Counter('x_total', 'X.');
    const served = c.series({ outcome: 'served' });
    assert.deepEqual(c.samples(), ['x_total{outcome="served"} 0']);
    served.value++;
    c.inc({ outcome: 'served' });
    assert.equal(c.get({ outcome: 'served' }), 2);
    assert.equal(served.value, 2);
    assert.equal(c.series({ outcome: 'served' }), served);
  });
  test('series() rejects an invalid label name up front', () => {
    assert.throws(() => new Counter('x_total', 'X.').series({ 'bad-name': 'v' }), (err: unknown) => err instanceof MetricError && err.code === 'METRIC_BAD_NAME');
  });
  test('an invalid metric name is rejected', () => {
    assert.throws(() => new Counter('1bad', 'X.'), (err: unknown) => err instanceof MetricError && err.code === 'METRIC_BAD_NAME');
  });
});

describe('Gauge', () => {
  test('set replaces the value, up or down', () => {
    const g = new Gauge('temp', 'T.');
    g.set(5);
    g.set(2);
    g.set(7, { room: 'a' });
    assert.equal(g.get(), 2);
    assert.deepEqual(g.samples(), ['temp 2', 'temp{room="a"} 7']);
  });
});

describe('Histogram', () => {
  test('buckets are cumulative and end with +Inf; sum and count follow', () => {
    const h = new Histogram('lat_seconds', 'L.', [0.1, 0.5, 1]);
    for (const v of [0.05, 0.1, 0.3, 0.7, 2, 3]) h.observe(v);
    assert.deepEqual(h.samples(), [
      'lat_seconds_bucket{le="0.1"} 2',
      'lat_seconds_bucket{le="0.5"} 3',
      'lat_seconds_bucket{le="1"} 4',
      'lat_seconds_bucket{le="+Inf"} 6',
      'lat_seconds_sum 6.15',
      'lat_seconds_count 6',
    ]);
  });
  test('a value equal to a bound counts in that bucket (le = less or equal)', () => {
    const h = new Histogram('h', 'H.', [1]);
    h.observe(1);
    assert.equal(h.samples()[0], 'h_bucket{le="1"} 1');
  });
  test('NaN and values past the last bound count only in +Inf', () => {
    const h = new Histogram('h', 'H.', [1, 2]);
    h.observe(NaN);
    h.observe(5);
    assert.deepEqual(h.samples().slice(0, 3), ['h_bucket{le="1"} 0', 'h_bucket{le="2"} 0', 'h_bucket{le="+Inf"} 2']);
  });
  test('empty histogram renders zeros', () => {
    const h = new Histogram('h', 'H.', [1]);
    assert.deepEqual(h.samples(), ['h_bucket{le="1"} 0', 'h_bucket{le="+Inf"} 0', 'h_sum 0', 'h_count 0']);
  });
  const badBuckets: { name: string; buckets: number[] }[] = [
    { name: 'not increasing', buckets: [1, 0.5] },
    { name: 'duplicate', buckets: [1, 1] },
    { name: 'NaN', buckets: [NaN] },
  ];
  for (const row of badBuckets) {
    test(`rejects ${row.name} buckets`, () => {
      assert.throws(() => new Histogram('h', 'H.', row.buckets), (err: unknown) => err instanceof MetricError && err.code === 'METRIC_BAD_BUCKETS');
    });
  }
  test('an explicit +Inf bucket is not doubled', () => {
    const h = new Histogram('h', 'H.', [1, Infinity]);
    assert.equal(h.samples().filter((l) => l.includes('+Inf')).length, 1);
  });
});

describe('Registry', () => {
  test('renders HELP and TYPE once per family, then its samples, ending with a newline', () => {
    const r = new Registry();
    r.counter('a_total', 'Counts "a".\nSecond line.').inc({ k: 'v' });
    r.gauge('b', 'B.').set(1);
    r.histogram('c_seconds', 'C.', [1]).observe(0.5);
    assert.equal(
      r.render(),
      [
        '# HELP a_total Counts "a".\\nSecond line.',
        '# TYPE a_total counter',
        'a_total{k="v"} 1',
        '# HELP b B.',
        '# TYPE b gauge',
        'b 1',
        '# HELP c_seconds C.',
        '# TYPE c_seconds histogram',
        'c_seconds_bucket{le="1"} 1',
        'c_seconds_bucket{le="+Inf"} 1',
        'c_seconds_sum 0.5',
        'c_seconds_count 1',
        '',
      ].join('\n'),
    );
  });
  test('a duplicate family name is rejected', () => {
    const r = new Registry();
    r.counter('a_total', 'A.');
    assert.throws(() => r.gauge('a_total', 'A.'), (err: unknown) => err instanceof MetricError && err.code === 'METRIC_DUPLICATE');
  });
  test('an empty registry renders nothing', () => assert.equal(new Registry().render(), ''));
});
