// Deliberately broken fronts, to prove the harness catches what it is meant to: a raw
// TCP pass-through (forwards what node:http would refuse), the same over one shared
// upstream connection (hands whatever the member sends to whoever is talking now), and
// a proxy that treats every header Connection names as hop-by-hop over one pooled
// upstream connection (the smuggling defect of issue 7, item 1). Test fixtures only.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Front, StartFront } from './harness.js';

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** The sockets of a raw front: tracked so close() can end them, their errors ignored. */
class RawSockets {
  readonly #open = new Set<net.Socket>();

  track(s: net.Socket): net.Socket {
    this.#open.add(s);
    s.on('error', () => {});
    s.on('close', () => this.#open.delete(s));
    return s;
  }

  /** The front on `server`, listening; close() destroys every tracked socket first. */
  async front(server: net.Server): Promise<Front> {
    const port = await listen(server);
    return {
      port,
      close: () =>
        new Promise<void>((resolve) => {
          for (const s of this.#open) s.destroy();
          server.close(() => resolve());
        }),
    };
  }
}

/** Forwards bytes both ways untouched, one upstream connection per client. */
export const passThroughFront: StartFront = async (upstreamPort): Promise<Front> => {
  const sockets = new RawSockets();
  const server = net.createServer((client) => {
    const upstream = sockets.track(net.connect(upstreamPort, '127.0.0.1'));
    sockets.track(client).pipe(upstream).pipe(client);
  });
  return sockets.front(server);
};

/**
 * Forwards bytes untouched over one shared upstream connection (reopened when the member
 * closes it); whatever the member sends goes to the client that wrote last.
 */
export const sharedPassThroughFront: StartFront = async (upstreamPort): Promise<Front> => {
  const sockets = new RawSockets();
  let upstream: net.Socket | undefined;
  let current: net.Socket | undefined;
  const toUpstream = (): net.Socket => {
    if (upstream !== undefined && !upstream.destroyed && upstream.writable) return upstream;
    const fresh = sockets.track(net.connect(upstreamPort, '127.0.0.1'));
    fresh.on('data', (chunk: Buffer) => {
      if (current !== undefined && current.writable) current.write(chunk);
    });
    upstream = fresh;
    return fresh;
  };
  const server = net.createServer((client) => {
    sockets.track(client).on('data', (chunk: Buffer) => {
      current = client;
      toUpstream().write(chunk);
    });
  });
  return sockets.front(server);
};

/** Strips every header the Connection header names (framing included) and pipes the body. */
export const connectionStrippingFront: StartFront = async (upstreamPort): Promise<Front> => {
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const listed = new Set((req.headers.connection ?? '').split(',').map((t) => t.trim().toLowerCase()));
    const headers: string[] = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i] ?? '';
      if (name.toLowerCase() === 'connection' || listed.has(name.toLowerCase())) continue;
      headers.push(name, req.rawHeaders[i + 1] ?? '');
    }
    if (req.headers.host === undefined || listed.has('host')) headers.push('Host', `127.0.0.1:${upstreamPort}`);
    const out = http.request({ host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers, agent, setHost: false });
    out.on('error', () => res.destroy());
    out.on('response', (upstream) => {
      res.writeHead(upstream.statusCode ?? 502, upstream.rawHeaders.filter((_, i, all) => (all[i - (i % 2)] ?? '').toLowerCase() !== 'connection'));
      upstream.pipe(res);
    });
    req.pipe(out);
  });
  const port = await listen(server);
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
