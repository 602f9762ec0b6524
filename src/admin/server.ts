// The admin HTTP server: status JSON, Prometheus metrics, the live dashboard and a
// server-sent-events stream. It only reads: nothing here changes the orchestrator.
//
// Auth: with a token set, every route needs `Authorization: Bearer <token>`. A browser
// cannot send that header when a person types a URL, so `GET /?token=<token>` is accepted
// once: it answers with the dashboard plus an HttpOnly, SameSite=Strict cookie holding
// an HMAC of the token (never the token itself); the page's fetches then carry the cookie
// and the page removes `?token=` from the address bar.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { systemClock } from '../clock.js';
import type { Clock, TimerHandle } from '../clock.js';
import { silentLogger } from '../log.js';
import type { Logger } from '../log.js';
import type { SymphonyStatus } from '../status.js';
import { assertAdminSecurity, checkBearer, checkToken, isLoopbackHost } from './auth.js';
import type { ConstantTimeEqual } from './auth.js';
import { dashboardHtml } from './dashboard.js';

/** Options for {@link AdminServer}. */
export interface AdminServerOptions {
  /** Reads the current status; called once per request. */
  readonly status: () => SymphonyStatus;
  /** Renders the Prometheus exposition for a status (normally `SymphonyMetrics.render`). */
  readonly metrics: (status: SymphonyStatus) => string;
  /** When set, every route requires it. Required to listen beyond loopback. */
  readonly token?: string;
  /** @default silentLogger */
  readonly logger?: Logger;
  /** Drives the events stream's one-second pushes. @default systemClock */
  readonly clock?: Clock;
  /** Dashboard page title. @default 'Docker Symphony' */
  readonly title?: string;
  /** Milliseconds between pushes on `/api/events`. @default 1000 */
  readonly eventsIntervalMs?: number;
}

/** Where the server ended up listening. */
export interface AdminAddress {
  readonly host: string;
  readonly port: number;
}

const JSON_TYPE = 'application/json; charset=utf-8';
/** The Prometheus text exposition format's content type. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const safeEqual: ConstantTimeEqual = (a, b) => a.length === b.length && timingSafeEqual(a, b);

interface Route {
  readonly handle: (req: IncomingMessage, res: ServerResponse, url: URL) => void;
}

/** Serves `/`, `/api/status`, `/api/events`, `/metrics` and `/healthz`. */
export class AdminServer {
  readonly #status: () => SymphonyStatus;
  readonly #metrics: (status: SymphonyStatus) => string;
  readonly #token: string | undefined;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #title: string;
  readonly #eventsIntervalMs: number;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #streams = new Map<ServerResponse, TimerHandle | undefined>();
  readonly #routes: ReadonlyMap<string, Route>;
  #cookieName = 'symphony_admin';
  #closing = false;

  constructor(options: AdminServerOptions) {
    this.#status = options.status;
    this.#metrics = options.metrics;
    this.#token = options.token === '' ? undefined : options.token;
    this.#logger = options.logger ?? silentLogger;
    this.#clock = options.clock ?? systemClock;
    this.#title = options.title ?? 'Docker Symphony';
    this.#eventsIntervalMs = options.eventsIntervalMs ?? 1000;
    this.#routes = new Map<string, Route>([
      ['/', { handle: (req, res, url) => this.#dashboard(req, res, url) }],
      ['/api/status', { handle: (_req, res) => this.#statusJson(res) }],
      ['/api/events', { handle: (req, res) => this.#events(req, res) }],
      ['/metrics', { handle: (_req, res) => this.#metricsText(res) }],
      ['/healthz', { handle: (_req, res) => send(res, 200, 'text/plain; charset=utf-8', 'ok\n') }],
    ]);
    this.#server = createServer((req, res) => this.#handle(req, res));
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  /**
   * Starts listening (host defaults to 127.0.0.1). Rejects with `AdminConfigError`
   * (ADMIN_TOKEN_REQUIRED) for a non-loopback host without a token.
   */
  async listen(port: number, host = '127.0.0.1'): Promise<AdminAddress> {
    assertAdminSecurity(host, this.#token);
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.#server.once('error', onError);
      this.#server.listen(port, host, () => {
        this.#server.off('error', onError);
        resolve();
      });
    });
    const addr = this.#server.address();
    if (addr === null || typeof addr === 'string') throw new Error('admin server did not report a TCP address');
    // Cookies are shared across ports on one host; a per-port name keeps two symphonies apart.
    this.#cookieName = `symphony_admin_${addr.port}`;
    this.#logger.info('admin.listening', `admin server on http://${formatHost(addr.address)}:${addr.port}/`, {
      host: addr.address,
      port: addr.port,
      auth: this.#token !== undefined,
    });
    return { host: addr.address, port: addr.port };
  }

  /** Ends event streams and open connections, then stops listening. */
  async close(): Promise<void> {
    this.#closing = true;
    for (const [res, timer] of this.#streams) {
      if (timer !== undefined) this.#clock.clearTimeout(timer);
      res.end();
    }
    this.#streams.clear();
    if (!this.#server.listening) return;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    // Idle keep-alive sockets would otherwise hold close() open until they time out.
    for (const socket of this.#sockets) socket.end();
    this.#server.closeIdleConnections();
    await closed;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://admin.invalid');
    } catch {
      sendError(res, 400, 'BAD_REQUEST', 'The request target is not a valid URL path.');
      return;
    }
    if (this.#token === undefined) {
      // Without a token we only listen on loopback; checking Host also stops DNS-rebinding
      // pages from reading the status through a victim's browser.
      const host = hostName(req.headers.host);
      if (host !== undefined && !isLoopbackHost(host)) {
        sendError(res, 403, 'FORBIDDEN_HOST', `Host "${host}" is not a loopback name. Use http://127.0.0.1:<port>/, or set an admin token to serve other names.`);
        return;
      }
    } else if (!this.#authorized(req, url)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="docker-symphony-admin"');
      sendError(res, 401, 'UNAUTHORIZED', 'This admin server needs a token: send "Authorization: Bearer <token>", or open /?token=<token> in a browser once.');
      return;
    }
    const route = this.#routes.get(url.pathname);
    if (!route) {
      sendError(res, 404, 'NOT_FOUND', `No route ${url.pathname}. Try /, /api/status, /api/events, /metrics or /healthz.`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      sendError(res, 405, 'METHOD_NOT_ALLOWED', `${req.method ?? '?'} is not allowed on ${url.pathname}; the admin server is read-only (GET).`);
      return;
    }
    try {
      route.handle(req, res, url);
    } catch (err) {
      this.#logger.error('admin.error', `admin route ${url.pathname} failed: ${errorMessage(err)}`, { path: url.pathname });
      if (!res.headersSent) sendError(res, 500, 'INTERNAL', `Reading the status failed: ${errorMessage(err)}. See the orchestrator's log.`);
      else res.destroy();
    }
  }

  #authorized(req: IncomingMessage, url: URL): boolean {
    const token = this.#token;
    if (token === undefined) return true;
    if (checkBearer(req.headers.authorization, token, safeEqual)) return true;
    const cookie = readCookie(req.headers.cookie, this.#cookieName);
    if (cookie !== undefined && checkToken(cookie, this.#cookieValue(token), safeEqual)) return true;
    const query = url.searchParams.get('token');
    return url.pathname === '/' && req.method === 'GET' && query !== null && checkToken(query, token, safeEqual);
  }

  #cookieValue(token: string): string {
    return createHmac('sha256', token).update('docker-symphony admin dashboard').digest('hex');
  }

  #dashboard(_req: IncomingMessage, res: ServerResponse, url: URL): void {
    const nonce = randomBytes(16).toString('base64');
    res.setHeader(
      'Content-Security-Policy',
      [
        "default-src 'self'",
        `script-src 'nonce-${nonce}'`,
        `style-src 'nonce-${nonce}'`,
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
      ].join('; '),
    );
    res.setHeader('X-Frame-Options', 'DENY');
    if (this.#token !== undefined && url.searchParams.has('token')) {
      res.setHeader('Set-Cookie', `${this.#cookieName}=${this.#cookieValue(this.#token)}; Path=/; HttpOnly; SameSite=Strict`);
    }
    send(res, 200, 'text/html; charset=utf-8', dashboardHtml({ title: this.#title, nonce }));
  }

  #statusJson(res: ServerResponse): void {
    send(res, 200, JSON_TYPE, `${JSON.stringify(this.#status())}\n`);
  }

  #metricsText(res: ServerResponse): void {
    send(res, 200, METRICS_CONTENT_TYPE, this.#metrics(this.#status()));
  }

  #events(req: IncomingMessage, res: ServerResponse): void {
    if (this.#closing) {
      sendError(res, 503, 'CLOSING', 'The admin server is shutting down.');
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    res.write('retry: 2000\n\n');
    const push = (): void => {
      if (!this.#streams.has(res)) return;
      try {
        res.write(`event: status\ndata: ${JSON.stringify(this.#status())}\n\n`);
      } catch (err) {
        this.#logger.warn('admin.events_error', `events stream could not read the status: ${errorMessage(err)}`);
      }
      this.#streams.set(res, this.#clock.setTimeout(push, this.#eventsIntervalMs));
    };
    this.#streams.set(res, undefined);
    const stop = (): void => {
      const timer = this.#streams.get(res);
      if (timer !== undefined) this.#clock.clearTimeout(timer);
      this.#streams.delete(res);
    };
    res.on('close', stop);
    push();
  }

  /** Number of open `/api/events` streams (for tests and diagnostics). */
  get openStreams(): number {
    return this.#streams.size;
  }
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  send(res, status, JSON_TYPE, `${JSON.stringify({ error: { code, message } })}\n`);
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

// `127.0.0.1:9090` → `127.0.0.1`, `[::1]:9090` → `::1`.
function hostName(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  if (header.startsWith('[')) {
    const end = header.indexOf(']');
    return end > 0 ? header.slice(1, end) : header;
  }
  const colon = header.lastIndexOf(':');
  return colon >= 0 ? header.slice(0, colon) : header;
}

function formatHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
