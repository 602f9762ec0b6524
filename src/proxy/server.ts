// The reverse proxy: takes a request, picks the next ready member, forwards it, and
// decides what to do when that fails. Selection (pool), the retry rule (retry.ts) and
// the mechanics of one attempt (attempt.ts) live apart; this file is the flow.
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { systemClock } from '../clock.js';
import type { Clock } from '../clock.js';
import { silentLogger } from '../log.js';
import type { Logger } from '../log.js';
import { pipeResponse, sendAttempt } from './attempt.js';
import type { AttemptResult } from './attempt.js';
import { listenError } from './errors.js';
import { stripHopByHop, upgradeProtocol, withForwarded } from './headers.js';
import type { UpstreamPool } from './pool.js';
import { replyJson, replyRawJson } from './replies.js';
import { shouldRetry } from './retry.js';
import type { AttemptFailure } from './retry.js';
import { openTunnel } from './tunnel.js';
import type { Upstream } from './upstream.js';

/** How one client request ended, as reported to the observer. */
export interface RequestOutcome {
  /** Status sent to the client; 499 when the client went away first. */
  readonly status: number;
  readonly durationMs: number;
  /** The member that answered (or was tried last). */
  readonly upstreamId?: string;
  readonly attempts: number;
  readonly clientAborted: boolean;
}

/** Metrics hooks; every one is optional and a throwing hook never breaks a request. */
export interface ProxyObserver {
  requestDone?(outcome: RequestOutcome): void;
  /** A connection to a member failed before anything was sent. */
  connectError?(upstreamId: string): void;
  /** A request is being sent again after a failure on `upstreamId`. */
  retry?(upstreamId: string, reason: string): void;
  /** A request started waiting for a ready member. */
  queued?(): void;
  /** A wait ended: `gotMember` false means it timed out, the client left or the proxy is closing. */
  queueWaitDone?(waitMs: number, gotMember: boolean): void;
  /** A request found the queue full and got 503 without waiting. */
  queueRejected?(): void;
  /** A member sent no response head within the upstream timeout. */
  upstreamTimeout?(upstreamId: string): void;
}

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
   * request then goes to the next member; false passes the 5xx through.
   */
  readonly confirmUnhealthy?: (upstream: Upstream) => Promise<boolean>;
  /** A response head slower than this gives 504. @default 60000 */
  readonly upstreamTimeoutMs?: number;
  /** How long a request waits for a ready member. @default 30000 */
  readonly queueTimeoutMs?: number;
  /** Requests waiting beyond this many get 503 at once. @default 1000 */
  readonly queueSize?: number;
  /** Tries per request, also bounded by the number of members. @default 3 */
  readonly maxAttempts?: number;
  /**
   * Idle keep-alive connections to members close after this long; shorter than the
   * apps' own keep-alive timeout (Node's is 5 s) so we never reuse one they are closing.
   * @default 4000
   */
  readonly upstreamKeepAliveMs?: number;
}

/** What #forward reports back to #handle. */
type Outcome = Omit<RequestOutcome, 'durationMs'>;

/** How waiting for a member ended. */
type WaitResult = 'got' | 'aborted' | 'full' | 'timeout' | 'closing';

/** Statuses that may mean the member itself is broken, not the request. */
const SUSPECT_STATUSES: ReadonlySet<number> = new Set([500, 502, 503, 504]);

/** A node:http reverse proxy doing strict round robin over the pool's members. */
export class ProxyServer {
  readonly #pool: UpstreamPool;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #onRequest: ProxyServerOptions['onRequest'];
  readonly #observer: ProxyObserver;
  readonly #confirmUnhealthy: ProxyServerOptions['confirmUnhealthy'];
  readonly #upstreamTimeoutMs: number;
  readonly #queueTimeoutMs: number;
  readonly #queueSize: number;
  readonly #maxAttempts: number;
  readonly #agent: http.Agent;
  readonly #server: http.Server;
  readonly #closing = new AbortController();
  readonly #tunnels = new Set<Duplex>();
  #inFlight = 0;
  #queued = 0;
  #requests = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(options: ProxyServerOptions) {
    this.#pool = options.pool;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#onRequest = options.onRequest;
    this.#observer = options.observer ?? {};
    this.#confirmUnhealthy = options.confirmUnhealthy;
    this.#upstreamTimeoutMs = options.upstreamTimeoutMs ?? 60_000;
    this.#queueTimeoutMs = options.queueTimeoutMs ?? 30_000;
    this.#queueSize = options.queueSize ?? 1000;
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    // `timeout` on a keep-alive agent only closes free sockets; busy ones are left alone.
    this.#agent = new http.Agent({ keepAlive: true, timeout: options.upstreamKeepAliveMs ?? 4000 });
    this.#server = http.createServer((req, res) => void this.#handle(req, res));
    this.#server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.#handleUpgrade(req, socket, head));
  }

  /** Requests being handled now, including those waiting for a member. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Requests waiting for a ready member now. */
  get queued(): number {
    return this.#queued;
  }

  /** Requests received since start (upgrades included). */
  get requests(): number {
    return this.#requests;
  }

  /** Starts accepting connections; resolves with the bound address (port 0 picks a free one). */
  listen(port: number, host = '127.0.0.1'): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(listenError(host, port, error));
      this.#server.once('error', onError);
      this.#server.listen(port, host, () => {
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
    this.#closing.abort();
    const closed = this.#server.listening
      ? new Promise<void>((resolve) => this.#server.close(() => resolve()))
      : Promise.resolve();
    this.#server.closeIdleConnections();
    let timer: unknown;
    const graceOver = new Promise<void>((resolve) => {
      timer = this.#clock.setTimeout(resolve, options.graceMs ?? 10_000);
    });
    await Promise.race([this.#whenIdle(), graceOver]);
    this.#clock.clearTimeout(timer);
    this.#server.closeAllConnections();
    for (const socket of this.#tunnels) socket.destroy();
    this.#agent.destroy();
    await closed;
  }

  #whenIdle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #requestStarted(method: string, url: string): number {
    const now = this.#clock.now();
    this.#requests++;
    this.#inFlight++;
    try {
      this.#onRequest?.({ method, path: url.split('?', 1)[0] ?? url, now });
    } catch (error) {
      this.#logger.warn('proxy.hook_failed', `onRequest threw: ${String(error)}`);
    }
    return now;
  }

  #requestEnded(method: string, url: string, started: number, outcome: Outcome): void {
    this.#inFlight--;
    const durationMs = this.#clock.now() - started;
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
    this.#observe('requestDone', { ...outcome, durationMs });
    if (this.#inFlight === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const started = this.#requestStarted(method, url);
    // While closing, ask keep-alive clients to reconnect (to whoever listens next).
    if (this.#closing.signal.aborted) res.shouldKeepAlive = false;
    const gone = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) gone.abort();
    });
    let outcome: Outcome;
    try {
      outcome = await this.#forward(req, res, method, gone.signal);
    } catch (error) {
      // A bug, not an upstream failure: still answer rather than leave the client hanging.
      this.#logger.error('proxy.internal_error', `Proxying ${method} ${url} threw: ${String(error)}`);
      replyJson(res, 502, 'bad_gateway', 'The proxy failed while forwarding this request; try again.');
      outcome = { status: 502, attempts: 0, clientAborted: false };
    }
    this.#requestEnded(method, url, started, outcome);
  }

  /** Headers for the member: hop-by-hop removed, X-Forwarded-* set, body framing kept. */
  #requestHeaders(req: IncomingMessage, hasBody: boolean, upgrade?: string): string[] {
    const socket = req.socket as { remoteAddress?: string; encrypted?: boolean };
    const headers = withForwarded(stripHopByHop(req.rawHeaders, upgrade), {
      clientAddress: socket.remoteAddress,
      proto: socket.encrypted === true ? 'https' : 'http',
      host: req.headers.host,
    });
    // Transfer-Encoding is hop-by-hop, but a body without a length still needs framing.
    if (hasBody && req.headers['content-length'] === undefined) headers.push('Transfer-Encoding', 'chunked');
    return headers;
  }

  async #forward(req: IncomingMessage, res: ServerResponse, method: string, signal: AbortSignal): Promise<Outcome> {
    const hasBody = requestHasBody(req);
    const headers = this.#requestHeaders(req, hasBody);
    const tried = new Set<string>();
    let attempts = 0;
    let bodyStarted = false;
    let last: { upstream: Upstream; failure: AttemptFailure } | undefined;
    const aborted = (upstream?: Upstream): Outcome => ({
      status: 499,
      attempts,
      clientAborted: true,
      ...(upstream === undefined ? {} : { upstreamId: upstream.id }),
    });

    for (;;) {
      if (signal.aborted) return aborted(last?.upstream);
      const upstream = this.#pool.next(tried);
      if (upstream === undefined) {
        // Members left, but each was tried: the request has had its chances.
        if (this.#pool.size > 0) return this.#giveUp(res, last, attempts);
        const waited = await this.#waitForMember(signal);
        if (waited === 'got') continue;
        if (waited === 'aborted') return aborted(last?.upstream);
        return this.#replyUnavailable(res, waited, attempts);
      }

      attempts++;
      tried.add(upstream.id);
      upstream.begin();
      const result = await sendAttempt({
        req,
        upstream,
        headers: withHost(headers, upstream),
        hasBody,
        agent: this.#agent,
        clock: this.#clock,
        timeoutMs: this.#upstreamTimeoutMs,
        signal,
      });
      bodyStarted ||= result.bodyStarted;

      if (result.kind === 'aborted') {
        upstream.end(false);
        return aborted(upstream);
      }

      if (result.kind === 'failure') {
        upstream.end(false);
        last = { upstream, failure: result.failure };
        if (result.failure === 'connect') this.#observe('connectError', upstream.id);
        if (result.failure === 'timeout') this.#observe('upstreamTimeout', upstream.id);
        const decision = shouldRetry({ method, failure: result.failure, attempt: attempts, maxAttempts: this.#maxAttempts, replayable: !bodyStarted });
        this.#logger.warn(
          'proxy.upstream_failed',
          `${method} ${req.url ?? '/'} to ${upstream.host}:${upstream.port} failed (${result.failure}: ${result.error.message}); ${decision.retry ? 'retrying' : 'not retrying'}: ${decision.reason}.`,
          { container: upstream.id, failure: result.failure, attempt: attempts, retry: decision.retry },
        );
        if (!decision.retry) return this.#giveUp(res, last, attempts);
        this.#observe('retry', upstream.id, decision.reason);
        continue;
      }

      if (await this.#discardUnhealthyResponse(result, upstream, method, attempts, bodyStarted)) {
        last = { upstream, failure: 'unhealthy-response' };
        continue;
      }
      if (signal.aborted) {
        result.request.destroy();
        upstream.end(false);
        return aborted(upstream);
      }

      const status = result.response.statusCode ?? 502;
      const piped = await pipeResponse(res, result, upstream, signal);
      if (piped === 'client-aborted') return aborted(upstream);
      if (piped === 'upstream-broken') {
        this.#logger.warn(
          'proxy.response_broken',
          `${upstream.host}:${upstream.port} broke off its response to ${method} ${req.url ?? '/'} after the head was sent; the client got a truncated response.`,
          { container: upstream.id, status },
        );
      }
      return { status, upstreamId: upstream.id, attempts, clientAborted: false };
    }
  }

  /**
   * For a 5xx that may come from a crashed member: holds the response, asks
   * confirmUnhealthy, and returns true (response dropped, member ended) when the
   * request should go to the next member instead.
   */
  async #discardUnhealthyResponse(
    result: Extract<AttemptResult, { kind: 'response' }>,
    upstream: Upstream,
    method: string,
    attempts: number,
    bodyStarted: boolean,
  ): Promise<boolean> {
    const confirm = this.#confirmUnhealthy;
    if (confirm === undefined || !SUSPECT_STATUSES.has(result.response.statusCode ?? 0)) return false;
    const decision = shouldRetry({
      method,
      failure: 'unhealthy-response',
      attempt: attempts,
      maxAttempts: this.#maxAttempts,
      replayable: !bodyStarted,
    });
    if (!decision.retry) return false;
    if (!(await this.#confirm(confirm, upstream))) return false;
    result.request.destroy();
    upstream.end(false);
    this.#logger.warn(
      'proxy.upstream_unhealthy',
      `${upstream.host}:${upstream.port} answered ${result.response.statusCode} and is confirmed unhealthy; retrying ${method} on the next member.`,
      { container: upstream.id, status: result.response.statusCode },
    );
    this.#observe('retry', upstream.id, `confirmed unhealthy after ${result.response.statusCode}`);
    return true;
  }

  /** confirmUnhealthy bounded by the upstream timeout; a throw or no answer counts as "not confirmed". */
  async #confirm(confirm: (u: Upstream) => Promise<boolean>, upstream: Upstream): Promise<boolean> {
    let timer: unknown;
    const timeout = new Promise<boolean>((resolve) => {
      timer = this.#clock.setTimeout(() => resolve(false), this.#upstreamTimeoutMs);
    });
    try {
      return await Promise.race([confirm(upstream), timeout]);
    } catch (error) {
      this.#logger.warn('proxy.hook_failed', `confirmUnhealthy threw: ${String(error)}`, { container: upstream.id });
      return false;
    } finally {
      this.#clock.clearTimeout(timer);
    }
  }

  /** Waits (bounded) for the pool to get a member. */
  async #waitForMember(signal: AbortSignal): Promise<WaitResult> {
    if (this.#closing.signal.aborted) return 'closing';
    if (this.#queued >= this.#queueSize) {
      this.#observe('queueRejected');
      return 'full';
    }
    this.#queued++;
    this.#observe('queued');
    const since = this.#clock.now();
    const got = await this.#pool.waitForMember(this.#queueTimeoutMs, AbortSignal.any([signal, this.#closing.signal]));
    this.#queued--;
    this.#observe('queueWaitDone', this.#clock.now() - since, got);
    if (got) return 'got';
    if (signal.aborted) return 'aborted';
    return this.#closing.signal.aborted ? 'closing' : 'timeout';
  }

  #replyUnavailable(res: ServerResponse, why: Exclude<WaitResult, 'got' | 'aborted'>, attempts: number): Outcome {
    const retryAfter = { 'Retry-After': '1' };
    if (why === 'closing') {
      replyJson(res, 503, 'shutting_down', 'The proxy is shutting down; retry shortly.', retryAfter);
    } else if (why === 'full') {
      replyJson(res, 503, 'queue_full', `Too many requests are already waiting for a ready container (${this.#queueSize}); retry shortly.`, retryAfter);
    } else {
      replyJson(res, 503, 'no_ready_upstream', `No container became ready within ${this.#queueTimeoutMs} ms; retry shortly.`, retryAfter);
    }
    return { status: 503, attempts, clientAborted: false };
  }

  #giveUp(res: ServerResponse, last: { upstream: Upstream; failure: AttemptFailure } | undefined, attempts: number): Outcome {
    const upstreamId = last === undefined ? {} : { upstreamId: last.upstream.id };
    if (last?.failure === 'timeout') {
      replyJson(res, 504, 'gateway_timeout', `The container did not answer within ${this.#upstreamTimeoutMs} ms.`);
      return { status: 504, attempts, clientAborted: false, ...upstreamId };
    }
    replyJson(res, 502, 'bad_gateway', `No container could answer this request (${attempts} attempt${attempts === 1 ? '' : 's'}); try again.`);
    return { status: 502, attempts, clientAborted: false, ...upstreamId };
  }

  async #handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const started = this.#requestStarted(method, url);
    // Errors on a raw socket end in 'close'; without a listener they would crash the process.
    socket.on('error', () => {});
    const gone = new AbortController();
    socket.once('close', () => gone.abort());
    let outcome: Outcome;
    try {
      outcome = await this.#forwardUpgrade(req, socket, head, gone.signal);
    } catch (error) {
      this.#logger.error('proxy.internal_error', `Upgrading ${method} ${url} threw: ${String(error)}`);
      replyRawJson(socket, 502, 'Bad Gateway', 'bad_gateway', 'The proxy failed while forwarding this upgrade; try again.');
      outcome = { status: 502, attempts: 0, clientAborted: false };
    }
    this.#requestEnded(method, url, started, outcome);
  }

  async #forwardUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, signal: AbortSignal): Promise<Outcome> {
    const protocol = upgradeProtocol(req.rawHeaders);
    if (protocol === undefined) {
      replyRawJson(socket, 400, 'Bad Request', 'bad_gateway', 'An upgrade request needs "Connection: Upgrade" and an "Upgrade" header.');
      return { status: 400, attempts: 0, clientAborted: false };
    }
    const headers = this.#requestHeaders(req, false, protocol);
    const tried = new Set<string>();
    let attempts = 0;
    for (;;) {
      if (signal.aborted) return { status: 499, attempts, clientAborted: true };
      const upstream = this.#pool.next(tried);
      if (upstream === undefined) {
        if (this.#pool.size > 0) {
          replyRawJson(socket, 502, 'Bad Gateway', 'bad_gateway', `No container could accept this upgrade (${attempts} attempts); try again.`);
          return { status: 502, attempts, clientAborted: false };
        }
        const waited = await this.#waitForMember(signal);
        if (waited === 'got') continue;
        if (waited === 'aborted') return { status: 499, attempts, clientAborted: true };
        replyRawJson(socket, 503, 'Service Unavailable', 'no_ready_upstream', 'No container is ready; retry shortly.');
        return { status: 503, attempts, clientAborted: false };
      }
      attempts++;
      tried.add(upstream.id);
      const result = await openTunnel({ req, clientSocket: socket, head, upstream, headers: withHost(headers, upstream) });
      if (result.kind === 'tunnel') {
        // Tracked so close() can end tunnels that would otherwise live forever.
        this.#tunnels.add(socket);
        socket.once('close', () => this.#tunnels.delete(socket));
        return { status: 101, upstreamId: upstream.id, attempts, clientAborted: false };
      }
      if (result.kind === 'refused') return { status: result.status, upstreamId: upstream.id, attempts, clientAborted: false };
      const failure = result.kind === 'connect-failed' ? 'connect' : 'reset-before-response';
      if (failure === 'connect') this.#observe('connectError', upstream.id);
      const decision = shouldRetry({ method: req.method ?? 'GET', failure, attempt: attempts, maxAttempts: this.#maxAttempts });
      this.#logger.warn(
        'proxy.upstream_failed',
        `Upgrade ${req.url ?? '/'} to ${upstream.host}:${upstream.port} failed (${failure}: ${result.error.message}); ${decision.retry ? 'retrying' : 'not retrying'}: ${decision.reason}.`,
        { container: upstream.id, failure, attempt: attempts, retry: decision.retry },
      );
      if (!decision.retry) {
        replyRawJson(socket, 502, 'Bad Gateway', 'bad_gateway', 'No container could accept this upgrade; try again.');
        return { status: 502, upstreamId: upstream.id, attempts, clientAborted: signal.aborted };
      }
      this.#observe('retry', upstream.id, decision.reason);
    }
  }

  /** Calls an observer hook; a throwing hook is logged, never propagated into a request. */
  #observe<K extends keyof ProxyObserver>(hook: K, ...args: Parameters<NonNullable<ProxyObserver[K]>>): void {
    const fn = this.#observer[hook] as ((...a: unknown[]) => void) | undefined;
    if (fn === undefined) return;
    try {
      fn.apply(this.#observer, args);
    } catch (error) {
      this.#logger.warn('proxy.hook_failed', `observer.${hook} threw: ${String(error)}`);
    }
  }
}

/** True when the request carries a body to stream (a length above 0, or chunked). */
function requestHasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return length !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}

/** Adds a Host header for HTTP/1.0 clients that sent none (HTTP/1.1 requires one). */
function withHost(headers: readonly string[], upstream: Upstream): string[] {
  for (let i = 0; i < headers.length; i += 2) if (headers[i]?.toLowerCase() === 'host') return [...headers];
  return [...headers, 'Host', `${upstream.host}:${upstream.port}`];
}
