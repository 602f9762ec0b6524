import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SymphonyMetrics, codeClass } from '../../src/admin/symphony-metrics.js';
import type { CodeClass } from '../../src/admin/symphony-metrics.js';
import { CONTAINER_STATES } from '../../src/status.js';
import type { ContainerState } from '../../src/status.js';
import { fakeContainer, fakeStatus } from './fake-status.js';

/** The value of one sample line, e.g. `symphony_containers{state="ready"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('codeClass', () => {
  const rows: { name: string; status: number; aborted: boolean; want: CodeClass }[] = [
    { name: '200 ok', status: 200, aborted: false, want: '2xx' },
    { name: '204 no content', status: 204, aborted: false, want: '2xx' },
    { name: '301 redirect', status: 301, aborted: false, want: '3xx' },
    { name: '404 not found', status: 404, aborted: false, want: '4xx' },
    { name: '502 bad gateway', status: 502, aborted: false, want: '5xx' },
    { name: 'client aborted wins over status', status: 200, aborted: true, want: '499' },
    { name: 'client aborted before any status', status: 0, aborted: true, want: '499' },
  ];
  for (const row of rows) {
    test(row.name, () => assert.equal(codeClass(row.status, row.aborted), row.want));
  }
});

describe('SymphonyMetrics', () => {
  const families = [
    ['symphony_requests_total', 'counter'],
    ['symphony_request_duration_seconds', 'histogram'],
    ['symphony_upstream_connect_errors_total', 'counter'],
    ['symphony_retries_total', 'counter'],
    ['symphony_queue_waits_total', 'counter'],
    ['symphony_containers', 'gauge'],
    ['symphony_node_replicas', 'gauge'],
    ['symphony_desired_replicas', 'gauge'],
    ['symphony_window_requests', 'gauge'],
    ['symphony_health_checks_total', 'counter'],
    ['symphony_health_check_failures_total', 'counter'],
    ['symphony_containers_started_total', 'counter'],
    ['symphony_containers_replaced_total', 'counter'],
    ['symphony_containers_removed_total', 'counter'],
    ['symphony_scale_decisions_total', 'counter'],
    ['symphony_health_checks_inconclusive_total', 'counter'],
    ['symphony_health_panic', 'gauge'],
    ['symphony_event_loop_lag_seconds', 'gauge'],
  ] as const;

  test('every family has exactly one HELP and one TYPE line with the right type', () => {
    const text = new SymphonyMetrics().render(fakeStatus());
    for (const [name, type] of families) {
      assert.equal(text.split('\n').filter((l) => l.startsWith(`# HELP ${name} `)).length, 1, `HELP ${name}`);
      assert.equal(text.split('\n').filter((l) => l === `# TYPE ${name} ${type}`).length, 1, `TYPE ${name}`);
    }
  });

  test('labelled series exist at 0 before any event', () => {
    const text = new SymphonyMetrics().render(fakeStatus({ containers: [] }));
    for (const c of ['2xx', '3xx', '4xx', '5xx', '499']) assert.equal(sample(text, `symphony_requests_total{code_class="${c}"}`), 0, c);
    for (const o of ['served', 'timeout', 'rejected']) assert.equal(sample(text, `symphony_queue_waits_total{outcome="${o}"}`), 0, o);
    for (const d of ['up', 'down']) assert.equal(sample(text, `symphony_scale_decisions_total{direction="${d}"}`), 0, d);
    for (const s of CONTAINER_STATES) assert.equal(sample(text, `symphony_containers{state="${s}"}`), 0, s);
  });

  test('hooks move the right counters', () => {
    const m = new SymphonyMetrics();
    m.requestDone(200, 12, false);
    m.requestDone(503, 40, false);
    m.requestDone(200, 5000, true);
    m.connectError();
    m.retry();
    m.retry();
    m.queueWait('timeout');
    m.healthCheck(true);
    m.healthCheck(false);
    m.containerStarted();
    m.containerReplaced();
    m.containerRemoved();
    m.scaleDecision('up');
    const text = m.render(fakeStatus());
    const want: [string, number][] = [
      ['symphony_requests_total{code_class="2xx"}', 1],
      ['symphony_requests_total{code_class="5xx"}', 1],
      ['symphony_requests_total{code_class="499"}', 1],
      ['symphony_request_duration_seconds_count', 3],
      ['symphony_request_duration_seconds_sum', 5.052],
      ['symphony_request_duration_seconds_bucket{le="0.025"}', 1],
      ['symphony_request_duration_seconds_bucket{le="0.05"}', 2],
      ['symphony_request_duration_seconds_bucket{le="+Inf"}', 3],
      ['symphony_upstream_connect_errors_total', 1],
      ['symphony_retries_total', 2],
      ['symphony_queue_waits_total{outcome="timeout"}', 1],
      ['symphony_queue_waits_total{outcome="served"}', 0],
      ['symphony_health_checks_total', 2],
      ['symphony_health_check_failures_total', 1],
      ['symphony_containers_started_total', 1],
      ['symphony_containers_replaced_total', 1],
      ['symphony_containers_removed_total', 1],
      ['symphony_scale_decisions_total{direction="up"}', 1],
      ['symphony_scale_decisions_total{direction="down"}', 0],
    ];
    for (const [series, value] of want) assert.equal(sample(text, series), value, series);
  });

  test('on a swarm: replicas by node and state, and a node that is gone leaves no series', () => {
    const m = new SymphonyMetrics();
    const on = (i: number, node: string, state: ContainerState = 'ready') => fakeContainer(i, state, { node, host: `10.231.0.${10 + i}` });
    const first = m.render(fakeStatus({ containers: [on(1, 'node-1'), on(2, 'node-1'), on(3, 'node-2', 'starting')] }));
    assert.equal(sample(first, 'symphony_node_replicas{node="node-1",state="ready"}'), 2);
    assert.equal(sample(first, 'symphony_node_replicas{node="node-2",state="starting"}'), 1);
    const second = m.render(fakeStatus({ containers: [on(1, 'node-1'), on(4, 'node-3')] }));
    assert.equal(sample(second, 'symphony_node_replicas{node="node-1",state="ready"}'), 1);
    assert.equal(sample(second, 'symphony_node_replicas{node="node-3",state="ready"}'), 1);
    assert.doesNotMatch(second, /node="node-2"/);
    assert.doesNotMatch(m.render(fakeStatus()), /^symphony_node_replicas\{/m, 'no series on one engine');
  });

  test('gauges follow the status at each render, including going back to 0', () => {
    const m = new SymphonyMetrics();
    const states: ContainerState[] = ['ready', 'ready', 'starting', 'unhealthy'];
    const first = m.render(fakeStatus({ states, desired: 4, windowCount: 61 }));
    assert.equal(sample(first, 'symphony_containers{state="ready"}'), 2);
    assert.equal(sample(first, 'symphony_containers{state="starting"}'), 1);
    assert.equal(sample(first, 'symphony_containers{state="unhealthy"}'), 1);
    assert.equal(sample(first, 'symphony_containers{state="draining"}'), 0);
    assert.equal(sample(first, 'symphony_desired_replicas'), 4);
    assert.equal(sample(first, 'symphony_window_requests'), 61);
    const second = m.render(fakeStatus({ states: ['ready'], desired: 1, windowCount: 0 }));
    assert.equal(sample(second, 'symphony_containers{state="ready"}'), 1);
    assert.equal(sample(second, 'symphony_containers{state="starting"}'), 0);
    assert.equal(sample(second, 'symphony_containers{state="unhealthy"}'), 0);
    assert.equal(sample(second, 'symphony_desired_replicas'), 1);
    assert.equal(sample(second, 'symphony_window_requests'), 0);
  });

  test('health panic, event loop lag and inconclusive checks: gauges from the status, counters by reason', () => {
    const m = new SymphonyMetrics();
    const fresh = m.render(fakeStatus());
    for (const reason of ['event_loop_lag', 'panic']) assert.equal(sample(fresh, `symphony_health_checks_inconclusive_total{reason="${reason}"}`), 0, reason);
    m.healthInconclusive('event_loop_lag');
    m.healthInconclusive('event_loop_lag');
    m.healthInconclusive('panic');
    const panicking = m.render({ ...fakeStatus(), health: { panic: true, since: '2026-11-25T10:00:00.000Z', eventLoopLagMs: 1250 } });
    assert.equal(sample(panicking, 'symphony_health_checks_inconclusive_total{reason="event_loop_lag"}'), 2);
    assert.equal(sample(panicking, 'symphony_health_checks_inconclusive_total{reason="panic"}'), 1);
    assert.equal(sample(panicking, 'symphony_health_panic'), 1);
    assert.equal(sample(panicking, 'symphony_event_loop_lag_seconds'), 1.25);
    const calm = m.render({ ...fakeStatus(), health: { panic: false, since: null, eventLoopLagMs: 0 } });
    assert.equal(sample(calm, 'symphony_health_panic'), 0, 'back to 0');
    assert.equal(sample(calm, 'symphony_event_loop_lag_seconds'), 0);
  });
});
