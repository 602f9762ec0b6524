import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CORPUS } from './corpus.js';
import { mutants, mutateOnce, prng } from './mutator.js';
import type { MutationKind } from './mutator.js';

describe('prng', () => {
  test('the same seed gives the same sequence, in [0, 1)', () => {
    const a = prng(42);
    const b = prng(42);
    const xs = Array.from({ length: 1000 }, () => a());
    assert.deepEqual(xs, Array.from({ length: 1000 }, () => b()));
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    assert.notDeepEqual(xs.slice(0, 10), Array.from({ length: 10 }, prng(43)));
  });
});

describe('mutateOnce', () => {
  const base = Buffer.from('POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello', 'latin1');
  const other = Buffer.from('GET /b HTTP/1.1\r\n\r\n', 'latin1');
  const rows: { kind: MutationKind; check: (out: Buffer) => boolean; what: string }[] = [
    { kind: 'flip', check: (o) => o.length === base.length && !o.equals(base), what: 'same length, one byte differs' },
    { kind: 'insert', check: (o) => o.length > base.length, what: 'longer' },
    { kind: 'delete', check: (o) => o.length < base.length, what: 'shorter' },
    { kind: 'truncate', check: (o) => base.subarray(0, o.length).equals(o) && o.length < base.length, what: 'a strict prefix' },
    { kind: 'dup-line', check: (o) => o.length > base.length && o.toString('latin1').endsWith('\r\n\r\nhello'), what: 'a head line repeated, body kept' },
    { kind: 'splice', check: (o) => o.length <= base.length + other.length, what: 'a prefix of one and a suffix of the other' },
    { kind: 'digit', check: (o) => o.length === base.length, what: 'same length' },
    { kind: 'case', check: (o) => o.toString('latin1').toLowerCase() === base.toString('latin1').toLowerCase(), what: 'only letter case changes' },
  ];
  for (const row of rows) {
    test(`${row.kind}: ${row.what}`, () => {
      const random = prng(7);
      for (let i = 0; i < 50; i++) assert.ok(row.check(mutateOnce(base, row.kind, random, other)), `${row.kind} round ${i}`);
    });
  }
});

describe('mutants', () => {
  test('are reproducible from their seed, bounded, and named after their base case', () => {
    const a = mutants(CORPUS, 99, 300);
    const b = mutants(CORPUS, 99, 300);
    assert.deepEqual(a.map((m) => m.bytes.toString('latin1')), b.map((m) => m.bytes.toString('latin1')));
    assert.ok(a.every((m) => m.bytes.length <= 128 * 1024));
    assert.ok(a.every((m, i) => m.name.startsWith(`99/${i}: `) && m.class.startsWith('mutated ')));
    const changed = a.filter((m) => !CORPUS.some((c) => c.bytes.equals(m.bytes)));
    assert.ok(changed.length > 250, `${changed.length} of 300 differ from every corpus case`);
    assert.notDeepEqual(mutants(CORPUS, 100, 20).map((m) => m.name), a.slice(0, 20).map((m) => m.name));
  });
});
