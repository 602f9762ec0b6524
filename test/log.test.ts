import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EventLogger, formatJson, formatText, RecentRecords, type LogRecord } from '../src/log.js';

test('records below the level are dropped, and enabled() says so', () => {
  const seen: LogRecord[] = [];
  const logger = new EventLogger({ level: 'info', sinks: [(r) => seen.push(r)], now: () => 0 });
  logger.debug('a.debug', 'hidden');
  logger.info('a.info', 'shown', { container: 'c'.repeat(64), count: 3 });
  assert.deepEqual(seen.map((r) => r.event), ['a.info']);
  assert.equal(seen[0]?.container, 'c'.repeat(64));
  assert.deepEqual(seen[0]?.fields, { count: 3 });
  assert.equal(logger.enabled('debug'), false);
  assert.equal(logger.enabled('warn'), true);
  assert.equal(new EventLogger({ sinks: [] }).enabled('error'), false, 'no sink: nothing is enabled');
});

test('a throwing sink does not break the caller or the other sinks', () => {
  const seen: string[] = [];
  const logger = new EventLogger({ sinks: [() => { throw new Error('closed'); }, (r) => seen.push(r.event)] });
  logger.warn('x.y', 'still delivered');
  assert.deepEqual(seen, ['x.y']);
});

test('text and JSON lines carry time, level, event, short container id and fields', () => {
  const record: LogRecord = { time: Date.UTC(2026, 10, 25), level: 'warn', event: 'container.unhealthy', message: 'out', container: 'abcdef0123456789', fields: { reason: 'HTTP 500', n: 2 } };
  assert.equal(formatText(record), '2026-11-25T00:00:00.000Z WARN  container.unhealthy [abcdef012345] out reason="HTTP 500" n=2');
  assert.deepEqual(JSON.parse(formatJson(record)), { ...record, time: '2026-11-25T00:00:00.000Z' });
});

describe('formatText leaves out a field the message already says', () => {
  const rows: [string, string, Record<string, unknown>, string][] = [
    ['a reason in the message', 'left the rotation: HTTP 500', { reason: 'HTTP 500', n: 2 }, 'left the rotation: HTTP 500 n=2'],
    ['a port in an address', 'started on 127.0.0.1:32768', { hostPort: 32768 }, 'started on 127.0.0.1:32768'],
    ['a duration with its unit', 'ready after 1500ms', { durationMs: 1500 }, 'ready after 1500ms'],
    ['a number inside a longer one stays', 'started on 127.0.0.1:327680', { hostPort: 32768 }, 'started on 127.0.0.1:327680 hostPort=32768'],
    ['a short number stays (too easily a coincidence)', '1 container(s) removed', { failures: 1 }, '1 container(s) removed failures=1'],
    ['an empty string stays', 'x', { image: '' }, 'x image=""'],
    ['objects stay', 'x', { ports: [8080] }, 'x ports=[8080]'],
  ];
  for (const [name, message, fields, line] of rows) {
    test(name, () => {
      assert.equal(formatText({ time: 0, level: 'info', event: 'e', message, fields }), `1970-01-01T00:00:00.000Z INFO  e ${line}`);
    });
  }
});

test('RecentRecords keeps the newest, newest first', () => {
  const recent = new RecentRecords(2);
  for (const event of ['a', 'b', 'c']) recent.sink({ time: 0, level: 'info', event, message: '' });
  assert.deepEqual(recent.newestFirst().map((r) => r.event), ['c', 'b']);
});
