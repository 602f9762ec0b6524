import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nextRoundRobin } from '../../src/proxy/round-robin.js';

const abc = [{ id: 'A' }, { id: 'B' }, { id: 'C' }];

describe('nextRoundRobin', () => {
  const rows: { name: string; members: { id: string }[]; cursor: number; skip?: string[]; want: { index: number; cursor: number } | undefined }[] = [
    { name: 'no members', members: [], cursor: 0, want: undefined },
    { name: 'first pick', members: abc, cursor: 0, want: { index: 0, cursor: 1 } },
    { name: 'middle', members: abc, cursor: 1, want: { index: 1, cursor: 2 } },
    { name: 'last', members: abc, cursor: 2, want: { index: 2, cursor: 3 } },
    { name: 'cursor past the end wraps', members: abc, cursor: 3, want: { index: 0, cursor: 1 } },
    { name: 'large cursor wraps', members: abc, cursor: 3 * 1000 + 2, want: { index: 2, cursor: 3 } },
    { name: 'negative cursor wraps', members: abc, cursor: -1, want: { index: 2, cursor: 3 } },
    { name: 'skips the cursor member', members: abc, cursor: 1, skip: ['B'], want: { index: 2, cursor: 3 } },
    { name: 'skip wraps around', members: abc, cursor: 2, skip: ['C'], want: { index: 0, cursor: 1 } },
    { name: 'skips several', members: abc, cursor: 0, skip: ['A', 'B'], want: { index: 2, cursor: 3 } },
    { name: 'all skipped', members: abc, cursor: 1, skip: ['A', 'B', 'C'], want: undefined },
    { name: 'skip of an unknown id changes nothing', members: abc, cursor: 0, skip: ['Z'], want: { index: 0, cursor: 1 } },
    { name: 'single member', members: [{ id: 'A' }], cursor: 7, want: { index: 0, cursor: 1 } },
  ];
  for (const row of rows) {
    test(row.name, () => {
      assert.deepEqual(nextRoundRobin(row.members, row.cursor, row.skip && new Set(row.skip)), row.want);
    });
  }

  test('repeated calls give A,B,C,A,B,C', () => {
    let cursor = 0;
    const order: string[] = [];
    for (let i = 0; i < 6; i++) {
      const pick = nextRoundRobin(abc, cursor);
      assert.ok(pick);
      order.push(abc[pick.index]?.id ?? '?');
      cursor = pick.cursor;
    }
    assert.deepEqual(order, ['A', 'B', 'C', 'A', 'B', 'C']);
  });
});
