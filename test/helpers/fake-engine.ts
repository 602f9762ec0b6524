// A stand-in Docker engine on a temporary unix socket, only for faults a real engine
// cannot produce on demand: a 500 mid-operation, a dropped stream, a stalled answer.
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DockerHost } from '../../src/docker/host.js';

/** Answers one request; `body` is the request body as text. */
export type FakeHandler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A request the fake engine received. */
export interface FakeRequest {
  readonly method: string;
  /** Path and query as sent, e.g. `/v1.41/containers/json?all=true`. */
  readonly url: string;
  readonly body: string;
}

/** A running fake engine. */
export interface FakeEngine {
  readonly socketPath: string;
  readonly host: DockerHost;
  /** Every request so far, oldest first. */
  readonly requests: FakeRequest[];
  /** Resolves when the fake has received (at least) `count` requests. */
  receivedRequests(count: number): Promise<void>;
  close(): Promise<void>;
}

/** Sends `body` as JSON with `status`. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Starts a fake engine whose routes are keyed `METHOD /path` (path without query, with
 * the version prefix, e.g. `POST /v1.41/containers/abc/start`). `GET /version` and
 * `GET /_ping` answer like an API 1.41 engine unless overridden; a `*` route answers
 * every request no other route takes (for paths with IDs in them); anything else is 404.
 */
export async function startFakeEngine(routes: Readonly<Record<string, FakeHandler>>): Promise<FakeEngine> {
  const dir = await mkdtemp(join(tmpdir(), 'symphony-fake-engine-'));
  const socketPath = join(dir, 'docker.sock');
  const requests: FakeRequest[] = [];
  let waiters: { count: number; resolve: () => void }[] = [];

  const defaults: Record<string, FakeHandler> = {
    'GET /_ping': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('OK');
    },
    'GET /version': (_req, res) =>
      sendJson(res, 200, { Version: '20.10.24', ApiVersion: '1.41', MinAPIVersion: '1.12', Os: 'linux', Arch: 'amd64' }),
  };
  const all = { ...defaults, ...routes };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = req.url ?? '/';
      requests.push({ method: req.method ?? '', url, body });
      waiters = waiters.filter((w) => {
        if (requests.length < w.count) return true;
        w.resolve();
        return false;
      });
      const handler = all[`${req.method} ${url.split('?')[0]}`] ?? all['*'];
      if (handler) handler(req, res, body);
      else sendJson(res, 404, { message: `fake engine: no route for ${req.method} ${url}` });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, resolve);
  });

  return {
    socketPath,
    host: { kind: 'unix', socketPath },
    requests,
    receivedRequests(count) {
      if (requests.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
