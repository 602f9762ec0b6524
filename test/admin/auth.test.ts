import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AdminConfigError, assertAdminSecurity, checkBearer, checkToken, isLoopbackHost, isLoopbackHostHeader, parseHostHeader, xorEqual } from '../../src/admin/auth.js';
import type { HostHeader } from '../../src/admin/auth.js';

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

describe('parseHostHeader', () => {
  const rows: { name: string; value: string; want: HostHeader | null }[] = [
    { name: 'name and port', value: 'localhost:9090', want: { host: 'localhost', port: 9090 } },
    { name: 'name alone', value: 'localhost', want: { host: 'localhost', port: null } },
    { name: 'lower-cased', value: 'LocalHost:1', want: { host: 'localhost', port: 1 } },
    { name: 'IPv4 and port', value: '127.0.0.1:65535', want: { host: '127.0.0.1', port: 65535 } },
    { name: 'IPv6 in brackets, brackets dropped', value: '[::1]:9090', want: { host: '::1', port: 9090 } },
    { name: 'IPv6 in brackets, no port', value: '[::1]', want: { host: '::1', port: null } },
    { name: 'IPv4-mapped IPv6', value: '[::ffff:127.0.0.1]', want: { host: '::ffff:127.0.0.1', port: null } },
    { name: 'userinfo after the port', value: 'localhost:9090@evil.com', want: null },
    { name: 'userinfo before the host', value: 'user:pass@127.0.0.1', want: null },
    { name: 'path', value: 'localhost:9090/evil', want: null },
    { name: 'query', value: 'localhost?x=1', want: null },
    { name: 'fragment', value: 'localhost#x', want: null },
    { name: 'percent-encoding', value: 'localhost%2f', want: null },
    { name: 'two ports', value: 'localhost:80:80', want: null },
    { name: 'empty port', value: 'localhost:', want: null },
    { name: 'port 0', value: 'localhost:0', want: null },
    { name: 'port above 65535', value: 'localhost:65536', want: null },
    { name: 'port of six digits', value: 'localhost:000080', want: null },
    { name: 'signed port', value: 'localhost:+80', want: null },
    { name: 'IPv6 without brackets', value: '::1', want: null },
    { name: 'unclosed bracket', value: '[::1', want: null },
    { name: 'junk after the bracket', value: '[::1]x', want: null },
    { name: 'IPv6 zone id', value: '[fe80::1%25eth0]', want: null },
    { name: 'brackets around a name', value: '[localhost]', want: null },
    { name: 'inner space', value: 'local host', want: null },
    { name: 'leading space', value: ' localhost', want: null },
    { name: 'tab', value: 'localhost\t', want: null },
    { name: 'CR LF', value: 'localhost\r\nX-Evil: 1', want: null },
    { name: 'NUL', value: 'localhost\u0000.evil.com', want: null },
    { name: 'empty label', value: 'a..localhost', want: null },
    { name: 'leading dot', value: '.localhost', want: null },
    { name: 'trailing dot', value: 'localhost.', want: null },
    { name: 'underscore', value: 'my_host', want: null },
    { name: 'backslash', value: 'localhost\\evil.com', want: null },
    { name: 'empty', value: '', want: null },
  ];
  for (const row of rows) {
    test(row.name, () => assert.deepEqual(parseHostHeader(row.value), row.want));
  }
});

describe('isLoopbackHostHeader', () => {
  const rows: { name: string; value: string; want: boolean }[] = [
    { name: 'localhost with port', value: 'localhost:9090', want: true },
    { name: '127.0.0.1 with port', value: '127.0.0.1:9090', want: true },
    { name: 'elsewhere in 127/8', value: '127.8.9.10', want: true },
    { name: '[::1] with port', value: '[::1]:9090', want: true },
    { name: 'a .localhost name', value: 'dash.localhost:9090', want: true },
    { name: 'userinfo trick: localhost:PORT@evil.com', value: 'localhost:9090@evil.com', want: false },
    { name: 'userinfo trick without port', value: 'localhost@evil.com', want: false },
    { name: 'userinfo trick with IPv4', value: '127.0.0.1:9090@evil.com', want: false },
    { name: 'path trick', value: 'localhost:9090/@evil.com', want: false },
    { name: 'a rebinding name', value: 'evil.com:9090', want: false },
    { name: 'localhost as a subdomain of another name', value: 'localhost.evil.com', want: false },
    { name: '127.0.0.1 as a subdomain of another name', value: '127.0.0.1.nip.io', want: false },
    { name: 'unbracketed IPv6 loopback', value: '::1', want: false },
    { name: 'all-zeros IPv6', value: '[::]:9090', want: false },
    { name: 'all interfaces IPv4', value: '0.0.0.0:9090', want: false },
    { name: 'LAN address', value: '192.168.1.10:9090', want: false },
    { name: 'decimal-integer form of 127.0.0.1', value: '2130706433', want: false },
    { name: 'hex form of 127.0.0.1', value: '0x7f.0.0.1', want: false },
    { name: 'short form 127.1', value: '127.1', want: false },
    { name: 'out-of-range octet', value: '127.0.0.256', want: false },
    { name: 'trailing dot', value: 'localhost.:9090', want: false },
    { name: 'empty', value: '', want: false },
  ];
  for (const row of rows) {
    test(row.name, () => assert.equal(isLoopbackHostHeader(row.value), row.want));
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
