import assert from 'node:assert/strict';
import { test } from 'node:test';
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

test('RecentRecords keeps the newest, newest first', () => {
  const recent = new RecentRecords(2);
  for (const event of ['a', 'b', 'c']) recent.sink({ time: 0, level: 'info', event, message: '' });
  assert.deepEqual(recent.newestFirst().map((r) => r.event), ['c', 'b']);
});
