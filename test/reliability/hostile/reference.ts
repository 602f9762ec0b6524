// The reference parser: a plain node:http server with default limits except that it
// keeps every header (maxHeadersCount 0), so what a client sent is what we compare
// against. It records each request it parses and answers it once its body has ended.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Quiet, openRaw, until } from './io.js';
import { readClientView } from './responses.js';

/** A request the reference parsed. */
export interface RefRequest {
  readonly method: string;
  readonly url: string;
  readonly httpVersion: string;
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  /** The body ended (its framing was satisfied). */
  readonly complete: boolean;
  /** Trailer fields of a chunked body ([name, value, …], as node gives them). */
  readonly rawTrailers: readonly string[];
  /** A CONNECT (parsed, then the reference closes the connection). */
  readonly connect: boolean;
}

/** What the reference did with one raw request stream. */
export interface ReferenceResult {
  readonly requests: readonly RefRequest[];
  /** Bytes the reference sent back (its answers, or node's 400/431 on a parse error). */
  readonly response: Buffer;
  readonly closed: boolean;
}

interface Entry {
  readonly requests: { ref: Omit<RefRequest, 'body' | 'complete' | 'rawTrailers'>; chunks: Buffer[]; complete: boolean; trailers: string[] }[];
  touch: () => void;
  /** The server's side of the connection, to know when it has read every byte. */
  socket?: import('node:net').Socket;
}

/** A started reference server, shared by concurrent cases (keyed by client port). */
export interface ReferenceServer {
  /** Sends `bytes` (cut at `splits`, see openRaw) and reports what the reference did. */
  run(bytes: Buffer, capMs: number, splits?: readonly number[]): Promise<ReferenceResult>;
  close(): Promise<void>;
}

/** Starts the reference node:http server on 127.0.0.1:0. */
export async function startReference(): Promise<ReferenceServer> {
  const entries = new Map<number, Entry>();
  const entry = (port: number | undefined): Entry => {
    const key = port ?? -1;
    let found = entries.get(key);
    if (!found) {
      found = { requests: [], touch: () => {} };
      entries.set(key, found);
    }
    return found;
  };
  const server = http.createServer((req, res) => {
    const e = entry(req.socket.remotePort);
    const record = {
      ref: { method: req.method ?? '', url: req.url ?? '', httpVersion: req.httpVersion, rawHeaders: [...req.rawHeaders], connect: false },
      chunks: [] as Buffer[],
      complete: false,
      trailers: [] as string[],
    };
    e.requests.push(record);
    e.touch();
    req.on('data', (chunk: Buffer) => {
      record.chunks.push(chunk);
      e.touch();
    });
    req.on('error', () => {});
    req.on('end', () => {
      record.complete = true;
      record.trailers = [...req.rawTrailers];
      e.touch();
      res.end('ref');
    });
  });
  server.maxHeadersCount = 0;
  server.on('connection', (socket: import('node:net').Socket) => {
    entry(socket.remotePort).socket = socket;
  });
  server.on('connect', (req: http.IncomingMessage, socket: import('node:stream').Duplex) => {
    const e = entry(req.socket.remotePort);
    e.requests.push({
      ref: { method: req.method ?? '', url: req.url ?? '', httpVersion: req.httpVersion, rawHeaders: [...req.rawHeaders], connect: true },
      chunks: [],
      complete: true,
      trailers: [],
    });
    e.touch();
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    async run(bytes, capMs, splits = []) {
      const quiet = new Quiet();
      const client = openRaw(port, bytes, quiet.touch, splits);
      let key: number | undefined;
      try {
        await client.written;
        key = client.localPort();
        if (key !== undefined) entry(key).touch = quiet.touch;
        // Settled when closed, or when the server has read every byte and answered every
        // complete request (a head still waiting for its body gets no answer).
        const e = key === undefined ? undefined : entry(key);
        const settled = (): boolean => {
          if (client.closed()) return true;
          if (e?.socket === undefined || e.socket.bytesRead < bytes.length) return false;
          const answered = countAnswers(client.received());
          return answered >= e.requests.filter((r) => r.complete && !r.ref.connect).length;
        };
        await until(settled, capMs);
        // Let the server's side finish emitting what this tick started.
        await new Promise((resolve) => setImmediate(resolve));
        await new Promise((resolve) => setImmediate(resolve));
        return {
          requests: (e?.requests ?? []).map((r) => ({ ...r.ref, body: Buffer.concat(r.chunks), complete: r.complete, rawTrailers: r.trailers })),
          response: client.received(),
          closed: client.closed(),
        };
      } finally {
        client.destroy();
        if (key !== undefined) entries.delete(key);
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Final (non-1xx) responses in what a client received. */
export function countAnswers(received: Buffer): number {
  return readClientView(received).statuses.filter((s) => s >= 200).length;
}
