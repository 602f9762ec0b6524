import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { editDistance, nearest } from '../src/suggest.js';

describe('editDistance', () => {
  const rows: [string, string, string, number][] = [
    ['from nothing', '', 'abc', 3],
    ['the classic', 'kitten', 'sitting', 3],
    ['a swap of neighbours is one step', 'ab', 'ba', 1],
    ['the same', 'window', 'window', 0],
  ];
  for (const [name, a, b, d] of rows) test(name, () => assert.equal(editDistance(a, b), d));
});

describe('nearest', () => {
  const rows: [string, string, string[], string | undefined][] = [
    ['a swap of neighbours is one step', 'widnow', ['window', 'min'], 'window'],
    ['a missing letter', 'windw', ['window', 'windowMs'], 'window'],
    ['case does not count', 'WINDOW', ['window'], 'window'],
    ['too far from everything', 'replicas', ['window', 'min', 'max'], undefined],
    ['the closest of several', 'mxa', ['max', 'min'], 'max'],
  ];
  for (const [name, word, candidates, expected] of rows) test(name, () => assert.equal(nearest(word, candidates), expected));
});

