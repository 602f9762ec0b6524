import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DockerApiError,
  DockerConfigError,
  DockerError,
  DockerProtocolError,
  DockerTimeoutError,
  DockerUnavailableError,
  engineMessageOf,
  errorFromResponse,
  isNotFound,
  toDockerError,
} from '../../src/docker/errors.js';
import type { RequestContext } from '../../src/docker/errors.js';

describe('errorFromResponse', () => {
  const rows: { name: string; status: number; body: string; meaning?: string; message: string; engineMessage: string }[] = [
    {
      name: 'engine JSON message',
      status: 404,
      body: '{"message":"No such container: x"}',
      message: 'Docker engine answered 404 to GET /containers/x/json: No such container: x',
      engineMessage: 'No such container: x',
    },
    {
      name: 'plain text body',
      status: 502,
      body: 'Bad Gateway\n',
      message: 'Docker engine answered 502 to GET /containers/x/json: Bad Gateway',
      engineMessage: 'Bad Gateway',
    },
    {
      name: 'empty body: the status table meaning',
      status: 409,
      body: '',
      meaning: 'name already in use',
      message: 'Docker engine answered 409 to GET /containers/x/json: name already in use',
      engineMessage: 'name already in use',
    },
    {
      name: 'empty body, no meaning: the status',
      status: 418,
      body: '  ',
      message: 'Docker engine answered 418 to GET /containers/x/json: HTTP 418',
      engineMessage: 'HTTP 418',
    },
    {
      name: 'JSON without message: the JSON text',
      status: 500,
      body: '{"error":"x"}',
      message: 'Docker engine answered 500 to GET /containers/x/json: {"error":"x"}',
      engineMessage: '{"error":"x"}',
    },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const err = errorFromResponse({
        status: row.status,
        method: 'GET',
        path: '/containers/x/json',
        body: row.body,
        ...(row.meaning ? { meaning: row.meaning } : {}),
      });
      assert.equal(err.code, 'DOCKER_API_ERROR');
      assert.equal(err.name, 'DockerApiError');
      assert.equal(err.status, row.status);
      assert.equal(err.method, 'GET');
      assert.equal(err.path, '/containers/x/json');
      assert.equal(err.message, row.message);
      assert.equal(err.engineMessage, row.engineMessage);
    });
  }

  test('a huge text body is cut', () => {
    assert.equal(engineMessageOf('x'.repeat(2000))?.length, 501);
  });
});

describe('every Docker error has its name and stable code', () => {
  const rows: { name: string; err: DockerError; code: string }[] = [
    { name: 'DockerApiError', err: new DockerApiError({ status: 500, method: 'GET', path: '/', engineMessage: 'x' }), code: 'DOCKER_API_ERROR' },
    { name: 'DockerUnavailableError', err: new DockerUnavailableError({ reason: 'ENOENT', host: 'unix:///x', message: 'x' }), code: 'DOCKER_UNAVAILABLE' },
    { name: 'DockerTimeoutError', err: new DockerTimeoutError({ method: 'GET', path: '/', timeoutMs: 1 }), code: 'DOCKER_TIMEOUT' },
    { name: 'DockerConfigError', err: new DockerConfigError('x'), code: 'DOCKER_CONFIG' },
    { name: 'DockerProtocolError', err: new DockerProtocolError('x'), code: 'DOCKER_PROTOCOL' },
  ];
  for (const row of rows) {
    test(row.name, () => {
      assert.equal(row.err.name, row.name);
      assert.equal(row.err.code, row.code);
      assert.match(String(row.err), new RegExp(`^${row.name}: `), 'the name shows in String(err) and stack traces');
    });
  }
});

describe('isNotFound', () => {
  const rows: { name: string; err: unknown; expected: boolean }[] = [
    { name: '404 DockerApiError', err: new DockerApiError({ status: 404, method: 'GET', path: '/', engineMessage: '' }), expected: true },
    { name: '409 DockerApiError', err: new DockerApiError({ status: 409, method: 'GET', path: '/', engineMessage: '' }), expected: false },
    { name: 'plain error with status 404', err: Object.assign(new Error('x'), { status: 404 }), expected: false },
    { name: 'undefined', err: undefined, expected: false },
  ];
  for (const row of rows) test(row.name, () => assert.equal(isNotFound(row.err), row.expected));
});

describe('toDockerError', () => {
  const unix: RequestContext = { host: 'unix:///var/run/docker.sock', socketPath: '/var/run/docker.sock', method: 'GET', path: '/_ping' };
  const tcp: RequestContext = { host: 'tcp://h:2375', method: 'GET', path: '/events' };
  const sys = (code: string): Error => Object.assign(new Error(`connect ${code}`), { code });

  const rows: { name: string; err: unknown; ctx: RequestContext; reason: string; says: RegExp[] }[] = [
    { name: 'ENOENT: no socket', err: sys('ENOENT'), ctx: unix, reason: 'ENOENT', says: [/No Docker engine socket at \/var\/run\/docker.sock/, /Start Docker \(Docker Desktop, or `sudo systemctl start docker`\)/, /set DOCKER_HOST/] },
    { name: 'ECONNREFUSED: engine not running', err: sys('ECONNREFUSED'), ctx: unix, reason: 'ECONNREFUSED', says: [/not running/, /Start Docker/, /set DOCKER_HOST/] },
    { name: 'EACCES: permission', err: sys('EACCES'), ctx: unix, reason: 'EACCES', says: [/Permission denied opening \/var\/run\/docker.sock/, /'docker' group/, /root/] },
    { name: 'ECONNRESET: dropped mid-request', err: sys('ECONNRESET'), ctx: tcp, reason: 'ECONNRESET', says: [/closed the connection during GET \/events/, /docker info/] },
    { name: 'ENOTFOUND: tcp host unknown', err: sys('ENOTFOUND'), ctx: tcp, reason: 'ENOTFOUND', says: [/Cannot reach the Docker engine at tcp:\/\/h:2375/] },
    { name: 'other system error', err: sys('EPROTO'), ctx: tcp, reason: 'EPROTO', says: [/EPROTO: connect EPROTO/, /DOCKER_HOST/] },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const out = toDockerError(row.err, row.ctx);
      assert.ok(out instanceof DockerUnavailableError, String(out));
      assert.equal(out.code, 'DOCKER_UNAVAILABLE');
      assert.equal(out.reason, row.reason);
      assert.equal(out.host, row.ctx.host);
      assert.equal(out.cause, row.err);
      for (const re of row.says) assert.match(out.message, re);
      assert.doesNotMatch(out.message, /\bmake\b/, 'users have no Makefile');
    });
  }

  const passThrough: { name: string; err: unknown }[] = [
    { name: 'a DockerError', err: new DockerTimeoutError({ method: 'GET', path: '/x', timeoutMs: 5 }) },
    { name: 'an abort', err: Object.assign(new Error('aborted'), { name: 'AbortError', code: 'ABORT_ERR' }) },
    { name: 'an error without code', err: new TypeError('bug') },
    { name: 'a non-error', err: 'text' },
  ];
  for (const row of passThrough) test(`passes through ${row.name}`, () => assert.equal(toDockerError(row.err, unix), row.err));

  test('the timeout message names the request and what to do', () => {
    const err = new DockerTimeoutError({ method: 'POST', path: '/containers/x/stop', timeoutMs: 1500 });
    assert.equal(err.code, 'DOCKER_TIMEOUT');
    assert.match(err.message, /did not answer POST \/containers\/x\/stop within 1500 ms/);
    assert.match(err.message, /timeoutMs/);
  });
});
