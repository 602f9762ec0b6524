// Strict round robin over ready containers, on one keep-alive client connection.
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { hostnameOf, inState, request, startSymphony } from './harness.js';

test('requests on one keep-alive connection go A, B, C, A, B, C', async () => {
  const run = await startSymphony('rr', { min: 3, max: 3 });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    await run.until((s) => inState(s, 'ready') === 3, 30_000, 'three ready containers');
    const seen: string[] = [];
    const sockets = new Set<unknown>();
    for (let i = 0; i < 12; i++) {
      const reply = await request(run.port, '/api/v1/whoami', { agent });
      assert.equal(reply.status, 200);
      seen.push(hostnameOf(reply));
    }
    for (const list of Object.values(agent.sockets).concat(Object.values(agent.freeSockets))) for (const s of list ?? []) sockets.add(s);
    assert.equal(sockets.size, 1, 'all requests used one client connection');
    const cycle = seen.slice(0, 3);
    assert.equal(new Set(cycle).size, 3, `three different containers first: ${seen.join(',')}`);
    for (let i = 0; i < seen.length; i++) assert.equal(seen[i], cycle[i % 3], `strict order: ${seen.join(',')}`);
  } finally {
    agent.destroy();
    await run.stop();
  }
});
