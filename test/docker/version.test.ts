import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DockerConfigError } from '../../src/docker/errors.js';
import { CLIENT_API_VERSION, compareApiVersions, negotiateApiVersion } from '../../src/docker/version.js';

describe('negotiateApiVersion', () => {
  const rows: { name: string; engine: { apiVersion: string; minApiVersion?: string }; ours?: string; expected: string }[] = [
    { name: 'same version', engine: { apiVersion: '1.41', minApiVersion: '1.12' }, expected: '1.41' },
    { name: 'newer engine: ours', engine: { apiVersion: '1.47', minApiVersion: '1.24' }, expected: '1.41' },
    { name: 'older engine: its own', engine: { apiVersion: '1.40', minApiVersion: '1.12' }, expected: '1.40' },
    { name: 'minor compared as a number, not text', engine: { apiVersion: '1.9' }, ours: '1.10', expected: '1.9' },
    { name: 'engine minimum above ours: the minimum', engine: { apiVersion: '1.50', minApiVersion: '1.44' }, expected: '1.44' },
    { name: 'no minimum reported', engine: { apiVersion: '1.39' }, expected: '1.39' },
    { name: 'unusable minimum is ignored', engine: { apiVersion: '1.39', minApiVersion: 'x' }, expected: '1.39' },
    { name: 'engine reports nothing usable: ours', engine: { apiVersion: '' }, expected: CLIENT_API_VERSION },
    { name: 'pinned ours lower than engine', engine: { apiVersion: '1.41' }, ours: '1.30', expected: '1.30' },
  ];
  for (const row of rows) {
    test(row.name, () => {
      assert.equal(negotiateApiVersion(row.engine, row.ours), row.expected);
    });
  }

  test('a malformed version of ours is a DockerConfigError', () => {
    assert.throws(() => negotiateApiVersion({ apiVersion: '1.41' }, 'v1'), DockerConfigError);
  });
});

describe('compareApiVersions', () => {
  const rows: { name: string; a: string; b: string; sign: number }[] = [
    { name: 'equal', a: '1.41', b: '1.41', sign: 0 },
    { name: 'minor lower', a: '1.9', b: '1.41', sign: -1 },
    { name: 'major wins', a: '2.0', b: '1.99', sign: 1 },
  ];
  for (const row of rows) {
    test(row.name, () => assert.equal(Math.sign(compareApiVersions(row.a, row.b)), row.sign));
  }
});
