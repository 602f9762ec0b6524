// The harness can fail: fronts that are broken on purpose (naive-fronts.ts) must be
// caught by the very rules the proxy is held to, and a sound one must not be.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CORPUS } from './corpus.js';
import { proxyFront, runCase } from './harness.js';
import type { CaseResult, HostileCase, StartFront } from './harness.js';
import { connectionStrippingFront, passThroughFront, sharedPassThroughFront } from './naive-fronts.js';
import { startReference } from './reference.js';
import type { ReferenceServer } from './reference.js';

const corpusCase = (name: string): HostileCase => {
  const c = CORPUS.find((x) => x.name === name);
  if (c === undefined) throw new Error(`no corpus case ${name}`);
  return c;
};

describe('the differential harness', () => {
  let reference: ReferenceServer | undefined;
  before(async () => {
    reference = await startReference();
  });
  after(async () => {
    await reference?.close();
  });

  const run = async (name: string, front: StartFront): Promise<CaseResult> => {
    assert.ok(reference !== undefined);
    return runCase(corpusCase(name), `self-${name}`, reference, front);
  };
  const classes = (r: CaseResult): string[] => [...new Set(r.verdict.violations.map((v) => v.class))].sort();

  const rows: { name: string; front: StartFront; frontName: string; expect: string[] }[] = [
    // A front that drops Content-Length because Connection names it: the body becomes a second request.
    { name: 'conn-content-length-smuggle', front: connectionStrippingFront, frontName: 'connection-stripping', expect: ['forwarded-not-parsed', 'framing-mismatch', 'misdelivered'] },
    { name: 'conn-host', front: connectionStrippingFront, frontName: 'connection-stripping', expect: ['header-mismatch'] },
    // A byte pass-through forwards what node:http refuses.
    { name: 'te-then-cl-clte', front: passThroughFront, frontName: 'pass-through', expect: ['ambiguous-forwarded'] },
    { name: 'pipe-get-then-bad-cl', front: passThroughFront, frontName: 'pass-through', expect: ['ambiguous-forwarded'] },
    { name: 'method-unknown', front: passThroughFront, frontName: 'pass-through', expect: ['forwarded-not-parsed'] },
  ];
  for (const row of rows) {
    test(`flags ${row.name} through the ${row.frontName} front as ${row.expect.join(', ')}`, async () => {
      const r = await run(row.name, row.front);
      for (const cls of row.expect) assert.ok(classes(r).includes(cls), `expected ${cls}, got ${JSON.stringify(r.verdict.violations, null, 1)}`);
    });
  }

  test('the pass-through is clean on a well-formed request, so the rules are not trigger-happy', async () => {
    const r = await run('post-chunked', passThroughFront);
    assert.deepEqual(r.verdict.violations, []);
    assert.equal(r.verdict.forwarded, 1);
    assert.equal(r.observation.victims.length, 5);
  });

  for (const mode of ['appended', 'idle'] as const) {
    test(`flags an unasked-for response (${mode}) that a front hands to a client`, async () => {
      // The shared pass-through relays whatever the member sends to whoever wrote last.
      assert.ok(reference !== undefined);
      const c = { name: 'extra', class: 'misbehaving-upstream', bytes: Buffer.from('GET /_extra HTTP/1.1\r\nHost: h\r\n\r\n', 'latin1') };
      // A short cap: through this front some victims never get an answer, and waiting longer proves nothing more.
      const r = await runCase(c, `self-extra-${mode}`, reference, sharedPassThroughFront, { extraResponseAfter: { target: '/_extra', mode }, capMs: 1000 });
      assert.ok(classes(r).includes('misdelivered'), JSON.stringify(r.verdict.violations));
    });
  }

  test('the proxy refuses the smuggling input with 400 and forwards nothing of it', async () => {
    const r = await run('conn-content-length-smuggle', proxyFront);
    assert.deepEqual(r.verdict.violations, []);
    assert.equal(r.verdict.forwarded, 0);
    assert.equal(r.verdict.refusedByProxy, true);
    assert.match(r.observation.client.received.toString('latin1'), /^HTTP\/1\.1 400 /);
  });
});
