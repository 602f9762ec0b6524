import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { publishedPort } from '../../src/docker/types.js';
import type { PortBinding } from '../../src/docker/types.js';

describe('publishedPort', () => {
  const b = (containerPort: number, hostIp: string, hostPort: number, protocol = 'tcp'): PortBinding => ({ containerPort, protocol, hostIp, hostPort });
  const rows: { name: string; ports: PortBinding[]; expected: number | undefined }[] = [
    { name: 'not published', ports: [], expected: undefined },
    { name: 'the 127.0.0.1 binding wins', ports: [b(80, '::1', 1001), b(80, '127.0.0.1', 1002)], expected: 1002 },
    { name: 'else the first', ports: [b(80, '0.0.0.0', 1003), b(80, '::', 1004)], expected: 1003 },
    { name: 'other container ports ignored', ports: [b(81, '127.0.0.1', 1005)], expected: undefined },
    { name: 'udp ignored', ports: [b(80, '127.0.0.1', 1006, 'udp'), b(80, '0.0.0.0', 1007)], expected: 1007 },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const summary = { id: 'x', names: [], image: 'i', state: 'running', status: '', labels: {}, created: 0, ports: row.ports };
      assert.equal(publishedPort(summary, 80), row.expected);
    });
  }
});
