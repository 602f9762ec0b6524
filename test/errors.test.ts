import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { AdminServer } from '../src/admin/server.js';
import { ListenError, SymphonyError } from '../src/errors.js';
import { fakeStatus } from './admin/fake-status.js';
import { UpstreamPool } from '../src/proxy/pool.js';
import { ProxyServer } from '../src/proxy/server.js';

describe('ListenError says what failed, where (once) and what to do', () => {
  const sys = (code: string): Error => Object.assign(new Error(`listen ${code}`), { code });
  const rows: { name: string; cause: unknown; host: string; message: string; reason: string }[] = [
    {
      name: 'port in use',
      cause: sys('EADDRINUSE'),
      host: '127.0.0.1',
      message: 'The proxy could not listen on 127.0.0.1:8080 (--listen, EADDRINUSE): something else already listens there; stop it or choose another port.',
      reason: 'EADDRINUSE',
    },
    {
      name: 'a privileged port',
      cause: sys('EACCES'),
      host: '0.0.0.0',
      message: 'The proxy could not listen on 0.0.0.0:8080 (--listen, EACCES): no permission for that port; use a port above 1023 or run with the needed privilege.',
      reason: 'EACCES',
    },
    {
      name: 'an address of another machine',
      cause: sys('EADDRNOTAVAIL'),
      host: '10.9.9.9',
      message: 'The proxy could not listen on 10.9.9.9:8080 (--listen, EADDRNOTAVAIL): 10.9.9.9 is not an address of this machine; use 127.0.0.1 or 0.0.0.0.',
      reason: 'EADDRNOTAVAIL',
    },
    {
      name: 'an IPv6 host in brackets',
      cause: sys('EADDRINUSE'),
      host: '::1',
      message: 'The proxy could not listen on [::1]:8080 (--listen, EADDRINUSE): something else already listens there; stop it or choose another port.',
      reason: 'EADDRINUSE',
    },
    {
      name: 'an error without a system code',
      cause: new Error('boom'),
      host: '127.0.0.1',
      message: 'The proxy could not listen on 127.0.0.1:8080 (--listen, boom): check the address.',
      reason: '',
    },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const err = new ListenError({ server: 'proxy', flag: '--listen', host: row.host, port: 8080, cause: row.cause });
      assert.equal(err.message, row.message);
      assert.equal(err.code, 'LISTEN_FAILED');
      assert.equal(err.name, 'ListenError');
      assert.equal(err.reason, row.reason);
      assert.equal(err.cause, row.cause);
    });
  }
});

describe('both servers fail to listen on a taken port with the same error', () => {
  let taken: Server;
  let port = 0;
  before(async () => {
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    port = (taken.address() as { port: number }).port;
  });
  after(async () => {
    await new Promise<void>((resolve) => taken.close(() => resolve()));
  });

  test('the proxy: --listen', async () => {
    const proxy = new ProxyServer({ pool: new UpstreamPool() });
    try {
      await assert.rejects(proxy.listen(port, '127.0.0.1'), (err: unknown) => {
        assert.ok(err instanceof ListenError, String(err));
        assert.equal(err.message, `The proxy could not listen on 127.0.0.1:${port} (--listen, EADDRINUSE): something else already listens there; stop it or choose another port.`);
        return true;
      });
    } finally {
      await proxy.close({ graceMs: 0 });
    }
  });

  test('the admin server: --admin-listen', async () => {
    const admin = new AdminServer({ status: () => fakeStatus(), metrics: () => '' });
    try {
      await assert.rejects(admin.listen(port, '127.0.0.1'), (err: unknown) => {
        assert.ok(err instanceof SymphonyError && err.code === 'LISTEN_FAILED', String(err));
        assert.equal(err.message, `The admin server could not listen on 127.0.0.1:${port} (--admin-listen, EADDRINUSE): something else already listens there; stop it or choose another port.`);
        return true;
      });
    } finally {
      await admin.close();
    }
  });
});
