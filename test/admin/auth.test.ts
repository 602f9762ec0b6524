import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AdminConfigError, assertAdminSecurity, checkBearer, checkToken, isLoopbackHost, xorEqual } from '../../src/admin/auth.js';

describe('isLoopbackHost', () => {
  const rows: { name: string; host: string; want: boolean }[] = [
    { name: '127.0.0.1', host: '127.0.0.1', want: true },
    { name: 'anywhere in 127/8', host: '127.45.6.7', want: true },
    { name: 'IPv6 loopback', host: '::1', want: true },
    { name: 'bracketed IPv6 loopback', host: '[::1]', want: true },
    { name: 'IPv4-mapped loopback', host: '::ffff:127.0.0.1', want: true },
    { name: 'localhost', host: 'localhost', want: true },
    { name: 'LOCALHOST in caps', host: 'LOCALHOST', want: true },
    { name: 'all interfaces (IPv4)', host: '0.0.0.0', want: false },
    { name: 'all interfaces (IPv6)', host: '::', want: false },
    { name: 'empty (Node binds everything)', host: '', want: false },
    { name: 'private LAN address', host: '192.168.1.10', want: false },
    { name: 'docker bridge address', host: '172.17.0.1', want: false },
    { name: 'looks like 127 but is a name', host: '127.0.0.1.example.com', want: false },
    { name: 'out-of-range octet', host: '127.0.0.256', want: false },
    { name: 'public name', host: 'example.com', want: false },
  ];
  for (const row of rows) {
    test(row.name, () => assert.equal(isLoopbackHost(row.host), row.want));
  }
});

describe('checkBearer', () => {
  const token = 's3cret-token';
  const rows: { name: string; header: string | undefined; want: boolean }[] = [
    { name: 'correct token', header: 'Bearer s3cret-token', want: true },
    { name: 'scheme is case-insensitive', header: 'bearer s3cret-token', want: true },
    { name: 'no header', header: undefined, want: false },
    { name: 'empty header', header: '', want: false },
    { name: 'wrong token, same length', header: 'Bearer s3cret-tokex', want: false },
    { name: 'prefix of the token', header: 'Bearer s3cret', want: false },
    { name: 'token plus extra', header: 'Bearer s3cret-token2', want: false },
    { name: 'Basic scheme', header: 'Basic s3cret-token', want: false },
    { name: 'token without scheme', header: 's3cret-token', want: false },
    { name: 'scheme without token', header: 'Bearer ', want: false },
  ];
  for (const row of rows) {
    test(row.name, () => assert.equal(checkBearer(row.header, token), row.want));
  }
  test('an empty configured token never matches', () => {
    assert.equal(checkBearer('Bearer ', ''), false);
    assert.equal(checkToken('', ''), false);
  });
  test('uses the injected constant-time compare, also on a length mismatch', () => {
    const calls: number[] = [];
    const spy = (a: Uint8Array, b: Uint8Array): boolean => {
      calls.push(a.length);
      return xorEqual(a, b);
    };
    assert.equal(checkBearer('Bearer abc', 'abcdef', spy), false);
    assert.equal(checkBearer('Bearer abcdef', 'abcdef', spy), true);
    assert.deepEqual(calls, [6, 6]);
  });
});

describe('xorEqual', () => {
  const rows: { name: string; a: number[]; b: number[]; want: boolean }[] = [
    { name: 'equal', a: [1, 2, 3], b: [1, 2, 3], want: true },
    { name: 'differs at the end', a: [1, 2, 3], b: [1, 2, 4], want: false },
    { name: 'differs at the start', a: [9, 2, 3], b: [1, 2, 3], want: false },
    { name: 'different lengths', a: [1, 2], b: [1, 2, 3], want: false },
    { name: 'both empty', a: [], b: [], want: true },
  ];
  for (const row of rows) {
    test(row.name, () => assert.equal(xorEqual(Uint8Array.from(row.a), Uint8Array.from(row.b)), row.want));
  }
});

describe('assertAdminSecurity', () => {
  const rows: { name: string; host: string; token: string | undefined; throws: boolean }[] = [
    { name: 'loopback without token is fine', host: '127.0.0.1', token: undefined, throws: false },
    { name: 'localhost without token is fine', host: 'localhost', token: undefined, throws: false },
    { name: 'all interfaces with token is fine', host: '0.0.0.0', token: 't', throws: false },
    { name: 'all interfaces without token is refused', host: '0.0.0.0', token: undefined, throws: true },
    { name: 'empty token counts as none', host: '0.0.0.0', token: '', throws: true },
    { name: 'LAN address without token is refused', host: '192.168.1.5', token: undefined, throws: true },
  ];
  for (const row of rows) {
    test(row.name, () => {
      if (!row.throws) {
        assert.doesNotThrow(() => assertAdminSecurity(row.host, row.token));
        return;
      }
      assert.throws(
        () => assertAdminSecurity(row.host, row.token),
        (err: unknown) =>
          err instanceof AdminConfigError &&
          err.code === 'ADMIN_TOKEN_REQUIRED' &&
          err.message.includes('--admin-token') &&
          err.message.includes('SYMPHONY_ADMIN_TOKEN') &&
          err.message.includes('127.0.0.1'),
      );
    });
  }
});
