// The reverse proxy: the client-facing node:http server. It refuses what it cannot
// forward unambiguously (framing.ts), hands every other request and upgrade to the one
// forwarding loop (forward.ts) with the matching flow (attempt.ts, tunnel.ts), and
// counts what is in flight so close() can drain. Selection (pool), waiting (queue) and
// the retry rule (retry.ts) live apart.
//
// A little over ~350 lines: every way a client connection ends (answered, refused,
// half-closed, parse error, CONNECT, upgrade, shutdown) is handled here, in one place,
// because their order on one connection is what keeps the framing unambiguous.
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { systemClock } from '../clock.js';
import type { Clock } from '../clock.js';
import { silentLogger } from '../log.js';
import type { Logger } from '../log.js';
import { RequestFlow } from './attempt.js';
import type { RequestJob } from './attempt.js';
import { listenError } from './errors.js';
import { forward } from './forward.js';
import type { LoopContext, Outcome } from './forward.js';
import { framingHeaders, MAX_FORWARDED_HEADERS, requestFraming } from './framing.js';
import type { Framing } from './framing.js';
import { forwardRequestHeaders, upgradeProtocol } from './headers.js';
import { InFlight } from './in-flight.js';
import type { ProxyObserver } from './observer.js';
import type { UpstreamPool } from './pool.js';
import { MemberQueue } from './queue.js';
import { ClientConnections } from './client-connections.js';
import { ClientGone } from './client-gone.js';
import { replyJson, replyRawJson } from './replies.js';
import type { Reply } from './replies.js';
import { UpgradeFlow } from './tunnel.js';
import type { UpgradeJob } from './tunnel.js';
import { UpstreamClient } from './upstream-client/client.js';
import type { Upstream } from './upstream.js';

export type { ProxyObserver, RequestOutcome } from './observer.js';

/** Options of a ProxyServer. */
export interface ProxyServerOptions {
  /** The ready set the proxy picks from. */
  readonly pool: UpstreamPool;
  /** Durations and timeouts. @default systemClock */
  readonly clock?: Clock;
  /** @default silentLogger */
  readonly logger?: Logger;
  /** Called once per incoming request (path without the query), before it is forwarded. */
  readonly onRequest?: (req: { method: string; path: string; now: number }) => void;
  readonly observer?: ProxyObserver;
  /**
   * Asked when a member answers 500/502/503/504 to a retryable request: resolves true
   * when the member is confirmed unhealthy and already out of the pool, and the
   * request then goes to another member; false passes the 5xx through.
   */
  readonly confirmUnhealthy?: (upstream: Upstream) => Promise<boolean>;
  /** A response head slower than this gives 504. @default 60000 */
  readonly upstreamTimeoutMs?: number;
  /** How long a request waits for a ready member, in all. @default 30000 */
  readonly queueTimeoutMs?: number;
  /** Requests waiting beyond this many get 503 at once. @default 1000 */
  readonly queueSize?: number;
  /** Tries per request that count (a member confirmed gone does not). @default 3 */
  readonly maxAttempts?: number;
  /**
   * Idle keep-alive connections to members close after this long; shorter than the
   * apps' own keep-alive timeout (Node's is 5 s) so we never reuse one they are closing.
   * @default 4000
   */
  readonly upstreamKeepAliveMs?: number;
}

/** A request ready to forward: the member's headers and the body framing. */
interface Prepared {
  readonly headers: string[];
  readonly hasHost: boolean;
  readonly framing: Framing;
}

/** For requests pipelined after a refused one (never sent: the connection closes first). */
const REFUSED_BEFORE: Reply = {
  status: 400,
  code: 'BAD_REQUEST',
  message: 'An earlier request on this connection was refused; it was not forwarded.',
  close: true,
};

/** Methods the proxy forwards, for the Allow header of its 405. */
const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS, TRACE';

/** Pending connections the kernel may queue for us before it resets new ones (capped by net.core.somaxconn). */
const LISTEN_BACKLOG = 4096;

/** A node:http reverse proxy doing strict round robin over the pool's members. */
export class ProxyServer {
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #onRequest: ProxyServerOptions['onRequest'];
  readonly #observer: ProxyObserver;
  readonly #upstreamClient: UpstreamClient;
  readonly #server: http.Server;
  readonly #queue: MemberQueue;
  readonly #loop: LoopContext;
  readonly #requestFlow: RequestFlow;
  readonly #upgradeFlow: UpgradeFlow;
  readonly #inFlight = new InFlight();
  readonly #connections = new ClientConnections();
  /** Sockets node:http handed over (upgrades, CONNECT): close() ends them, node:http no longer tracks them. */
  readonly #rawSockets = new Set<Duplex>();
  #requests = 0;
  #clientAborted = 0;

  constructor(options: ProxyServerOptions) {
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#onRequest = options.onRequest;
    this.#observer = options.observer ?? {};
    const upstreamTimeoutMs = options.upstreamTimeoutMs ?? 60_000;
    this.#queue = new MemberQueue({
      pool: options.pool,
      clock: this.#clock,
      logger: this.#logger,
      observer: this.#observer,
      timeoutMs: options.queueTimeoutMs ?? 30_000,
      size: options.queueSize ?? 1000,
    });
    this.#loop = {
      pool: options.pool,
      queue: this.#queue,
      clock: this.#clock,
      logger: this.#logger,
      observer: this.#observer,
      maxAttempts: Math.max(1, options.maxAttempts ?? 3),
      upstreamTimeoutMs,
      confirmUnhealthy: options.confirmUnhealthy,
    };
    this.#upstreamClient = new UpstreamClient({ clock: this.#clock, headTimeoutMs: upstreamTimeoutMs, keepAliveMs: options.upstreamKeepAliveMs ?? 4000 });
    this.#requestFlow = new RequestFlow(this.#upstreamClient);
    this.#upgradeFlow = new UpgradeFlow(this.#clock, upstreamTimeoutMs);
    this.#server = http.createServer((req, res) => void this.#handle(req, res));
    // Counted by requestFraming instead: node would drop fields past its limit silently.
    this.#server.maxHeadersCount = 0;
    // A client that half-closes after a complete request still gets its answer.
    Object.assign(this.#server, { httpAllowHalfOpen: true });
    this.#server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.#handleUpgrade(req, socket, head));
    this.#server.on('connect', (req: IncomingMessage, socket: Duplex) => this.#refuseConnect(req, socket));
    this.#server.on('clientError', (error: Error & { code?: string }, socket: Duplex) => this.#connections.clientError(error, socket));
  }

  /** Requests being handled now, including those waiting for a member. */
  get inFlight(): number {
    return this.#inFlight.count;
  }

  /** Requests waiting for a ready member now. */
  get queued(): number {
    return this.#queue.queued;
  }

  /** Requests received since start (upgrades included). */
  get requests(): number {
    return this.#requests;
  }

  /** Requests whose client went away before its answer (logged as 499), since start. */
  get clientAborted(): number {
    return this.#clientAborted;
  }

  /** Starts accepting connections; resolves with the bound address (port 0 picks a free one). */
  listen(port: number, host = '127.0.0.1'): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(listenError(host, port, error));
      this.#server.once('error', onError);
      // A burst of thousands of connections overflows node's default backlog (511): the
      // kernel then resets the excess. The kernel caps this at net.core.somaxconn.
      this.#server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
        this.#server.off('error', onError);
        const address = this.#server.address() as AddressInfo;
        resolve({ host: address.address, port: address.port });
      });
    });
  }

  /**
   * Stops accepting, fails queued requests with 503, lets in-flight requests finish for
   * up to `graceMs`, then closes every connection (tunnels included).
   */
  async close(options: { graceMs?: number } = {}): Promise<void> {
    this.#queue.close();
    const closed = this.#server.listening
      ? new Promise<void>((resolve) => this.#server.close(() => resolve()))
      : Promise.resolve();
    this.#server.closeIdleConnections();
    let timer: unknown;
    const graceOver = new Promise<void>((resolve) => {
      timer = this.#clock.setTimeout(resolve, options.graceMs ?? 10_000);
    });
    await Promise.race([this.#inFlight.whenIdle(), graceOver]);
    this.#clock.clearTimeout(timer);
    this.#server.closeAllConnections();
    for (const socket of this.#rawSockets) socket.destroy();
    this.#upstreamClient.destroy();
    await closed;
  }

  #requestStarted(method: string, url: string): number {
    const now = this.#clock.now();
    this.#requests++;
    this.#inFlight.begin();
    try {
      const query = url.indexOf('?');
      this.#onRequest?.({ method, path: query < 0 ? url : url.slice(0, query), now });
    } catch (error) {
      this.#logger.warn('proxy.hook_failed', `onRequest threw: ${String(error)}`);
    }
    return now;
  }

  #requestEnded(method: string, url: string, started: number, outcome: Outcome): void {
    const durationMs = this.#clock.now() - started;
    if (outcome.clientAborted) this.#clientAborted++;
    // Per-request records are the hot path: build them only when someone listens.
    if (this.#logger.enabled?.('debug') ?? true) {
      const upstream = outcome.upstreamId === undefined ? {} : { container: outcome.upstreamId };
      this.#logger.debug('proxy.request', `${method} ${url} ${outcome.status} in ${durationMs} ms`, {
        ...upstream,
        method,
        path: url,
        status: outcome.status,
        durationMs,
        attempts: outcome.attempts,
      });
    }
    const done = this.#observer.requestDone;
    if (done !== undefined) {
      // The hot path: called directly, one object of one shape (observe() is for the rarer hooks).
      try {
        done.call(this.#observer, { status: outcome.status, durationMs, upstreamId: outcome.upstreamId, attempts: outcome.attempts, clientAborted: outcome.clientAborted });
      } catch (error) {
        this.#logger.warn('proxy.hook_failed', `observer.requestDone threw: ${String(error)}`);
      }
    }
    this.#inFlight.end();
  }

  /** Headers for the member, or the refusal when the request cannot be forwarded unambiguously. */
  #prepare(req: IncomingMessage, method: string, upgrade?: string): Prepared | Reply {
    const verdict = requestFraming(req.rawHeaders, req.httpVersion);
    if (!verdict.ok) {
      return verdict.status === 431
        ? { status: 431, code: 'HEADERS_TOO_LARGE', message: `The request has ${verdict.reason}; send fewer headers.`, close: true }
        : { status: 400, code: 'BAD_REQUEST', message: `The request's framing is ambiguous (${verdict.reason}); it was not forwarded.`, close: true };
    }
    const framing = verdict.framing;
    if (upgrade !== undefined && !(framing.kind === 'none' || (framing.kind === 'length' && framing.length === 0))) {
      return { status: 400, code: 'BAD_REQUEST', message: 'An upgrade request cannot carry a body; it was not forwarded.', close: true };
    }
    const socket = req.socket as { remoteAddress?: string; encrypted?: boolean };
    const headers = forwardRequestHeaders(req.rawHeaders, {
      framing: framingHeaders(framing, method),
      clientAddress: socket.remoteAddress,
      proto: socket.encrypted === true ? 'https' : 'http',
      host: req.headers.host,
      upgrade,
    });
    // What we add (Host, X-Forwarded-*) must not push the member past what it keeps.
    if (headers.length / 2 > MAX_FORWARDED_HEADERS) {
      return { status: 431, code: 'HEADERS_TOO_LARGE', message: 'The request has too many header fields to forward whole; send fewer headers.', close: true };
    }
    return { headers, hasHost: req.headers.host !== undefined, framing };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const started = this.#requestStarted(method, url);
    // While closing, ask keep-alive clients to reconnect (to whoever listens next).
    if (this.#queue.closing) res.shouldKeepAlive = false;
    let outcome: Outcome;
    try {
      const prepared = this.#connections.wasRefused(req.socket) ? REFUSED_BEFORE : this.#prepare(req, method);
      if ('status' in prepared) {
        // Where that request ended is in doubt, so is everything after it on this connection.
        this.#connections.refuse(req.socket);
        this.#connections.started(req.socket, res);
        replyJson(res, prepared);
        outcome = { status: prepared.status, attempts: 0, clientAborted: false, upstreamId: undefined };
      } else {
        const gone = new ClientGone();
        this.#connections.started(req.socket, res, gone);
        // 'close' comes once per response: on(), not once()'s wrapper.
        res.on('close', () => gone.closed(res.writableFinished));
        const job: RequestJob = { method, url, gone, bodyStarted: false, req, res, headers: prepared.headers, hasHost: prepared.hasHost, framing: prepared.framing, head: undefined };
        outcome = await forward(this.#loop, this.#requestFlow, job);
        if (this.#connections.hadBadBody(res)) outcome = this.#refuseBadBody(res, outcome);
      }
    } catch (error) {
      // A bug, not an upstream failure: still answer rather than leave the client hanging.
      this.#logger.error('proxy.internal_error', `Proxying ${method} ${url} threw: ${String(error)}`);
      replyJson(res, { status: 502, code: 'BAD_GATEWAY', message: 'The proxy failed while forwarding this request; try again.' });
      outcome = { status: 502, attempts: 0, clientAborted: false, upstreamId: undefined };
    }
    this.#requestEnded(method, url, started, outcome);
  }

  async #handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const started = this.#requestStarted(method, url);
    this.#adopt(socket);
    const gone = new ClientGone();
    socket.once('close', () => gone.abort());
    // Requests pipelined before it are answered first: their bytes must not follow ours.
    await new Promise<void>((resolve) => this.#connections.afterActive(socket, resolve));
    let outcome: Outcome;
    try {
      const protocol = upgradeProtocol(req.rawHeaders);
      const prepared: Prepared | Reply =
        protocol === undefined
          ? { status: 400, code: 'BAD_REQUEST', message: 'An upgrade request needs "Connection: Upgrade" and an "Upgrade" header.' }
          : this.#prepare(req, method, protocol);
      if ('status' in prepared) {
        replyRawJson(socket, prepared);
        outcome = { status: prepared.status, attempts: 0, clientAborted: false, upstreamId: undefined };
      } else {
        const job: UpgradeJob = { method, url, gone, bodyStarted: false, req, socket, head, ...prepared };
        outcome = await forward(this.#loop, this.#upgradeFlow, job);
      }
    } catch (error) {
      this.#logger.error('proxy.internal_error', `Upgrading ${method} ${url} threw: ${String(error)}`);
      replyRawJson(socket, { status: 502, code: 'BAD_GATEWAY', message: 'The proxy failed while forwarding this upgrade; try again.' });
      outcome = { status: 502, attempts: 0, clientAborted: false, upstreamId: undefined };
    }
    this.#requestEnded(method, url, started, outcome);
  }

  /** A request whose body was malformed after forwarding began: 400 if nothing was sent yet, else cut off. */
  #refuseBadBody(res: ServerResponse, outcome: Outcome): Outcome {
    if (res.headersSent) {
      res.destroy();
      return outcome;
    }
    replyJson(res, { status: 400, code: 'BAD_REQUEST', message: 'The request body is malformed; it was not forwarded whole.', close: true });
    return { status: 400, attempts: outcome.attempts, clientAborted: false, upstreamId: outcome.upstreamId };
  }

  /** Takes over a socket node:http handed over, so close() can end it. */
  #adopt(socket: Duplex): void {
    // Errors on a raw socket end in 'close'; without a listener they would crash the process.
    socket.on('error', () => {});
    this.#rawSockets.add(socket);
    socket.once('close', () => this.#rawSockets.delete(socket));
  }

  /** CONNECT (a tunnel to anywhere) is not something a reverse proxy forwards: 405, then close. */
  #refuseConnect(req: IncomingMessage, socket: Duplex): void {
    const method = req.method ?? 'CONNECT';
    const url = req.url ?? '';
    const started = this.#requestStarted(method, url);
    this.#adopt(socket);
    const reply: Reply = {
      status: 405,
      code: 'METHOD_NOT_ALLOWED',
      message: 'CONNECT is not forwarded by this proxy; send the request itself.',
      headers: { Allow: ALLOWED_METHODS },
    };
    // After the answers to requests pipelined before it, never in the middle of one.
    this.#connections.afterActive(socket, () => replyRawJson(socket, reply));
    this.#requestEnded(method, url, started, { status: 405, attempts: 0, clientAborted: false, upstreamId: undefined });
  }
}
