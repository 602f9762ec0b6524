import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DockerProtocolError } from '../../src/docker/errors.js';
import { JsonLinesSplitter } from '../../src/docker/json-lines.js';

const events = [
  { Type: 'container', Action: 'start', id: 'a' },
  { Type: 'container', Action: 'die', Actor: { Attributes: { name: 'café-☕-𝄞' } } },
  { status: 'Downloading', progressDetail: { current: 1, total: 2 } },
];

function feed(chunks: readonly Uint8Array[]): unknown[] {
  const splitter = new JsonLinesSplitter('test');
  const out: unknown[] = [];
  for (const chunk of chunks) out.push(...splitter.push(chunk));
  out.push(...splitter.end());
  return out;
}

describe('JsonLinesSplitter', () => {
  const rows: { name: string; text: string; expected: unknown[] }[] = [
    { name: 'one line per object', text: events.map((e) => JSON.stringify(e) + '\n').join(''), expected: events },
    { name: 'CRLF line ends (pull progress)', text: events.map((e) => JSON.stringify(e) + '\r\n').join(''), expected: events },
    { name: 'last line without newline', text: events.map((e) => JSON.stringify(e)).join('\n'), expected: events },
    { name: 'blank keep-alive lines are skipped', text: `\n\n${JSON.stringify(events[0])}\n\n \n`, expected: [events[0]] },
    { name: 'empty stream', text: '', expected: [] },
  ];
  for (const row of rows) {
    test(`${row.name}: every split point of the buffer`, () => {
      const bytes = Buffer.from(row.text, 'utf8');
      for (let i = 0; i <= bytes.length; i++) {
        const got = feed([bytes.subarray(0, i), bytes.subarray(i)]);
        assert.deepEqual(got, row.expected, `split at byte ${i}`);
      }
    });
  }

  test('one byte at a time, including every byte of 2-, 3- and 4-byte UTF-8 characters', () => {
    const text = events.map((e) => JSON.stringify(e) + '\n').join('');
    const bytes = Buffer.from(text, 'utf8');
    // Guards the test itself: the input must hold multi-byte characters to split.
    assert.ok(bytes.length > text.length);
    const got = feed([...bytes].map((b) => Uint8Array.of(b)));
    assert.deepEqual(got, events);
  });

  test('values come out as soon as their line completes', () => {
    const splitter = new JsonLinesSplitter();
    assert.deepEqual(splitter.push(Buffer.from('{"a":1}\n{"b"')), [{ a: 1 }]);
    assert.deepEqual(splitter.push(Buffer.from(':2}')), []);
    assert.deepEqual(splitter.push(Buffer.from('\n')), [{ b: 2 }]);
    assert.deepEqual(splitter.end(), []);
  });

  test('a line that is not JSON is a DockerProtocolError naming the stream', () => {
    const splitter = new JsonLinesSplitter('GET /events');
    assert.throws(
      () => splitter.push(Buffer.from('<html>bad gateway</html>\n')),
      (err: unknown) => err instanceof DockerProtocolError && err.code === 'DOCKER_PROTOCOL' && /GET \/events/.test(err.message),
    );
  });
});
