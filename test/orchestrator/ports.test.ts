import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { allocateHostPorts, isPortTaken, nextUnblockAt } from '../../src/orchestrator/ports.js';

describe('allocateHostPorts', () => {
  const range = { first: 8000, last: 8004 };
  const now = 1_000;
  const rows: { name: string; range: typeof range | null; held: (number | null)[]; blocked?: [number, number][]; count: number; want: number[] }[] = [
    { name: 'ephemeral without a range: one 0 per container', range: null, held: [], count: 3, want: [0, 0, 0] },
    { name: 'a batch gets distinct ports', range, held: [], count: 3, want: [8000, 8001, 8002] },
    { name: 'the lowest free ones', range, held: [8000, 8002], count: 2, want: [8001, 8003] },
    { name: 'a port freed in the middle is reused', range, held: [8000, null, 8002], count: 1, want: [8001] },
    { name: 'a blocked port is passed over', range, held: [], blocked: [[8000, now + 1]], count: 2, want: [8001, 8002] },
    { name: 'a block that ended no longer counts', range, held: [], blocked: [[8000, now]], count: 1, want: [8000] },
    { name: 'fewer than asked when the range runs out', range, held: [8000, 8001, 8002], blocked: [[8003, now + 5]], count: 3, want: [8004] },
    { name: 'none when all are held', range, held: [8000, 8001, 8002, 8003, 8004], count: 1, want: [] },
  ];
  for (const row of rows) {
    test(row.name, () => {
      assert.deepEqual(allocateHostPorts({ range: row.range, held: row.held, blocked: new Map(row.blocked ?? []), now, count: row.count }), row.want);
    });
  }
});

describe('nextUnblockAt', () => {
  const rows: { name: string; blocked: [number, number][]; want: number | null }[] = [
    { name: 'nothing blocked', blocked: [], want: null },
    { name: 'the earliest future end', blocked: [[1, 30], [2, 20], [3, 40]], want: 20 },
    { name: 'ended blocks are ignored', blocked: [[1, 5], [2, 10]], want: null },
  ];
  for (const row of rows) test(row.name, () => assert.equal(nextUnblockAt(new Map(row.blocked), 10), row.want));
});

describe('isPortTaken', () => {
  const rows: { name: string; message: string; want: boolean }[] = [
    {
      name: 'docker: port is already allocated',
      message: 'Docker engine answered 500 to POST /containers/x/start: driver failed programming external connectivity on endpoint e (abc): Bind for 127.0.0.1:18300 failed: port is already allocated',
      want: true,
    },
    {
      name: 'docker: address already in use',
      message: 'Error starting userland proxy: listen tcp4 127.0.0.1:18300: bind: address already in use',
      want: true,
    },
    { name: 'another start failure', message: 'Docker engine answered 500 to POST /containers/x/start: OCI runtime create failed', want: false },
  ];
  for (const row of rows) test(row.name, () => assert.equal(isPortTaken(row.message), row.want));
});
