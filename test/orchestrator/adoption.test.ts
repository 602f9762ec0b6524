import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { adoptionDecision, type AdoptionDecision } from '../../src/orchestrator/adoption.js';
import { exitReason } from '../../src/runtime/exit-reason.js';
import { SPEC_LABEL } from '../../src/orchestrator/labels.js';
import type { ReplicaSummary } from '../../src/runtime/types.js';

const summary = (extra: Partial<ReplicaSummary> = {}): ReplicaSummary => ({
  id: 'c1',
  name: 'web-1',
  image: 'demo:1',
  state: 'running',
  labels: { [SPEC_LABEL]: 'aaaa' },
  createdAt: 1_000,
  address: { host: '127.0.0.1', port: 18_001 },
  node: null,
  ...extra,
});
const at = { host: '127.0.0.1', port: 18_001 };
const wants = { containerPort: 80, hostPorts: null, specHash: 'aaaa' };

describe('adoptionDecision', () => {
  const rows: { name: string; s: ReplicaSummary; wants?: Parameters<typeof adoptionDecision>[1]; want: AdoptionDecision }[] = [
    { name: 'running, same spec: probe, current', s: summary(), want: { kind: 'probe', address: at, current: true } },
    {
      name: 'on a swarm node: probe there',
      s: summary({ address: { host: '10.231.0.12', port: 30_001 }, node: 'node-2' }),
      want: { kind: 'probe', address: { host: '10.231.0.12', port: 30_001 }, current: true },
    },
    { name: 'exited: remove', s: summary({ state: 'exited' }), want: { kind: 'remove', why: 'it is exited' } },
    { name: 'created, never started: remove', s: summary({ state: 'created' }), want: { kind: 'remove', why: 'it is created' } },
    { name: 'port not published: remove', s: summary({ address: null }), want: { kind: 'remove', why: 'container port 80 is not published' } },
    {
      name: 'another spec: probe, outdated',
      s: summary({ labels: { [SPEC_LABEL]: 'bbbb' } }),
      want: { kind: 'probe', address: at, current: false, why: 'it was made from another spec (bbbb, now aaaa)' },
    },
    {
      name: 'no spec label: probe, outdated',
      s: summary({ labels: {} }),
      want: { kind: 'probe', address: at, current: false, why: 'it has no spec label (made by an older version)' },
    },
    {
      name: 'host port outside --host-ports: probe, outdated',
      s: summary(),
      wants: { ...wants, hostPorts: { first: 18_100, last: 18_109 } },
      want: { kind: 'probe', address: at, current: false, why: 'its host port 18001 is outside --host-ports' },
    },
    { name: 'host port inside --host-ports: current', s: summary(), wants: { ...wants, hostPorts: { first: 18_000, last: 18_009 } }, want: { kind: 'probe', address: at, current: true } },
  ];
  for (const row of rows) test(row.name, () => assert.deepEqual(adoptionDecision(row.s, row.wants ?? wants), row.want));
});

describe('exitReason', () => {
  const rows: { name: string; action: string; exitCode?: string; want: string }[] = [
    { name: 'die with a code', action: 'die', exitCode: '137', want: 'exited with code 137' },
    { name: 'die without a code', action: 'die', want: 'exited' },
    { name: 'oom', action: 'oom', want: 'killed: out of memory' },
    { name: 'destroy', action: 'destroy', want: 'removed from the engine' },
  ];
  for (const row of rows) test(row.name, () => assert.equal(exitReason(row.action, row.exitCode), row.want));
});
