// Real loopback servers and a small client for the proxy tests.
import http from 'node:http';
import type { IncomingMessage, RequestListener, Server } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

/** A backend on 127.0.0.1:0 with the requests it received. */
export interface Backend {
  readonly name: string;
  readonly port: number;
  readonly server: Server;
  readonly received: IncomingMessage[];
  close(): Promise<void>;
}

/** Starts a backend; the default handler answers `{ name, method, url, headers }`. */
export async function startBackend(name: string, handler?: RequestListener): Promise<Backend> {
  const received: IncomingMessage[] = [];
  const server = http.createServer((req, res) => {
    received.push(req);
    if (handler) return handler(req, res);
    req.resume();
    req.on('end', () => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ name, method: req.method, url: req.url, headers: req.headers }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    name,
    port,
    server,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A member written with raw bytes, for answers node:http would never send; it counts its connections. */
export interface RawMember {
  readonly port: number;
  readonly connections: number;
  readonly closed: number;
  close(): Promise<void>;
}

/**
 * Starts a raw member: for each request head it receives, `answer(head, socket)` gives
 * the bytes to write (undefined: none; it may write more later on `socket`).
 */
export async function startRawMember(answer: (head: string, socket: net.Socket) => string | undefined): Promise<RawMember> {
  const counts = { connections: 0, closed: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    counts.connections++;
    sockets.add(socket);
    socket.on('close', () => counts.closed++);
    socket.on('error', () => {});
    let buffered = '';
    socket.on('data', (d: Buffer) => {
      buffered += d.toString('latin1');
      for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        const bytes = answer(head, socket);
        if (bytes !== undefined) socket.write(bytes);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    get connections() {
      return counts.connections;
    },
    get closed() {
      return counts.closed;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port that was bound and released, so connecting to it is refused. */
export async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A finished client response. */
export interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly rawHeaders: string[];
  readonly body: Buffer;
  json(): Record<string, unknown>;
}

/** Options of `send`. */
export interface SendOptions {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: http.OutgoingHttpHeaders;
  /** One buffer (sent with a length) or several (sent chunked). */
  readonly body?: Buffer | string | readonly Buffer[];
  readonly agent?: http.Agent;
  /** Receives the request, e.g. to destroy it. */
  readonly onRequest?: (req: http.ClientRequest) => void;
}

/** Sends one request to 127.0.0.1:port and collects the response. */
export function send(port: number, options: SendOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: options.headers ?? {},
        agent: options.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body,
            json: () => JSON.parse(body.toString('utf8')) as Record<string, unknown>,
          });
        });
      },
    );
    req.on('error', reject);
    options.onRequest?.(req);
    const body = options.body;
    if (body === undefined) req.end();
    else if (typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
    else {
      for (const chunk of body) req.write(chunk);
      req.end();
    }
  });
}

/** The `error.code` of a proxy error reply (`{"error":{"code":…,"message":…}}`), checking the shape. */
export function errorCode(reply: Reply): string {
  const error = reply.json().error as { code?: unknown; message?: unknown } | undefined;
  if (typeof error?.code !== 'string' || typeof error.message !== 'string') throw new Error(`not an error body: ${reply.body.toString()}`);
  return error.code;
}

/** Waits (polling the event loop, at most `ms`) until `condition` holds; for I/O, not for logic. */
export async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
