import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DockerConfigError } from '../../src/docker/errors.js';
import { describeDockerHost, parseDockerHost } from '../../src/docker/host.js';
import type { DockerHost } from '../../src/docker/host.js';

describe('parseDockerHost', () => {
  const rows: { name: string; env: Record<string, string | undefined>; expected: DockerHost }[] = [
    { name: 'unset: the usual socket', env: {}, expected: { kind: 'unix', socketPath: '/var/run/docker.sock' } },
    { name: 'empty: the usual socket', env: { DOCKER_HOST: '  ' }, expected: { kind: 'unix', socketPath: '/var/run/docker.sock' } },
    { name: 'unix socket', env: { DOCKER_HOST: 'unix:///run/user/1000/docker.sock' }, expected: { kind: 'unix', socketPath: '/run/user/1000/docker.sock' } },
    { name: 'tcp with port', env: { DOCKER_HOST: 'tcp://127.0.0.1:2375' }, expected: { kind: 'tcp', host: '127.0.0.1', port: 2375 } },
    { name: 'tcp without port: 2375', env: { DOCKER_HOST: 'tcp://localhost' }, expected: { kind: 'tcp', host: 'localhost', port: 2375 } },
    { name: 'tcp trailing slash', env: { DOCKER_HOST: 'tcp://localhost:1234/' }, expected: { kind: 'tcp', host: 'localhost', port: 1234 } },
    { name: 'IPv6', env: { DOCKER_HOST: 'tcp://[::1]:2375' }, expected: { kind: 'tcp', host: '::1', port: 2375 } },
    { name: 'IPv6 without port', env: { DOCKER_HOST: 'tcp://[::1]' }, expected: { kind: 'tcp', host: '::1', port: 2375 } },
    { name: 'DOCKER_TLS_VERIFY=0 means no TLS', env: { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '0' }, expected: { kind: 'tcp', host: 'h', port: 2376 } },
    {
      name: 'TLS with DOCKER_CERT_PATH, default port 2376',
      env: { DOCKER_HOST: 'tcp://h', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs/' },
      expected: { kind: 'tcp', host: 'h', port: 2376, tls: { caPath: '/certs/ca.pem', certPath: '/certs/cert.pem', keyPath: '/certs/key.pem' } },
    },
    {
      name: 'TLS certs default to ~/.docker',
      env: { DOCKER_HOST: 'tcp://h:3000', DOCKER_TLS_VERIFY: '1', HOME: '/home/ann' },
      expected: {
        kind: 'tcp',
        host: 'h',
        port: 3000,
        tls: { caPath: '/home/ann/.docker/ca.pem', certPath: '/home/ann/.docker/cert.pem', keyPath: '/home/ann/.docker/key.pem' },
      },
    },
    { name: 'TLS settings ignored for a unix socket', env: { DOCKER_HOST: 'unix:///s.sock', DOCKER_TLS_VERIFY: '1' }, expected: { kind: 'unix', socketPath: '/s.sock' } },
  ];
  for (const row of rows) {
    test(row.name, () => assert.deepEqual(parseDockerHost(row.env), row.expected));
  }

  const bad: { name: string; value: string; env?: Record<string, string>; says: RegExp }[] = [
    { name: 'no scheme', value: '/var/run/docker.sock', says: /no scheme/ },
    { name: 'relative unix path', value: 'unix://docker.sock', says: /absolute path/ },
    { name: 'unknown scheme', value: 'http://h:1', says: /'http' is not supported/ },
    { name: 'ssh', value: 'ssh://me@h', says: /forward the remote socket/ },
    { name: 'npipe', value: 'npipe:////./pipe/docker_engine', says: /not supported/ },
    { name: 'port not a number', value: 'tcp://h:abc', says: /not a number/ },
    { name: 'port out of range', value: 'tcp://h:70000', says: /outside 1-65535/ },
    { name: 'port zero', value: 'tcp://h:0', says: /outside/ },
    { name: 'missing host', value: 'tcp://:2375', says: /host is missing/ },
    { name: 'path after address', value: 'tcp://h:2375/x', says: /no path/ },
    { name: 'unclosed IPv6', value: 'tcp://[::1:2375', says: /closing/ },
    { name: 'junk after IPv6', value: 'tcp://[::1]x', says: /:port/ },
    { name: 'TLS without cert path or HOME', value: 'tcp://h', env: { DOCKER_TLS_VERIFY: '1' }, says: /DOCKER_CERT_PATH/ },
  ];
  for (const row of bad) {
    test(`rejects ${row.name} with a DockerConfigError`, () => {
      assert.throws(
        () => parseDockerHost({ DOCKER_HOST: row.value, ...row.env }),
        (err: unknown) => err instanceof DockerConfigError && err.code === 'DOCKER_CONFIG' && row.says.test(err.message),
      );
    });
  }
});

describe('describeDockerHost', () => {
  const rows: { name: string; host: DockerHost; expected: string }[] = [
    { name: 'unix', host: { kind: 'unix', socketPath: '/var/run/docker.sock' }, expected: 'unix:///var/run/docker.sock' },
    { name: 'tcp', host: { kind: 'tcp', host: 'h', port: 2375 }, expected: 'tcp://h:2375' },
    { name: 'IPv6 in brackets', host: { kind: 'tcp', host: '::1', port: 2375 }, expected: 'tcp://[::1]:2375' },
  ];
  for (const row of rows) test(row.name, () => assert.equal(describeDockerHost(row.host), row.expected));
});
