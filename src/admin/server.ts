// The admin HTTP server: status JSON, five minutes of history, Prometheus metrics and
// the live dashboard. It only reads, except `POST /api/deploy`, which starts a deploy
// (the one change it may ask for; the owner of the containers does the work).
//
// History: a timer on the given clock records the status into a History ring every
// second from listen() to close(), so a page opened late still shows what happened.
// The page polls /api/status and /api/history; there is no push stream (the old
// server-sent-events route was dropped: nothing read it, and polling needs no timer per
// client and fails with a clear 401 when the token is wrong).
//
// Auth: with a token set, every route needs `Authorization: Bearer <token>`. A browser
// cannot send that header when a person types a URL, so `GET /?token=<token>` is accepted
// once: it answers with the dashboard plus an HttpOnly, SameSite=Strict cookie holding
// an HMAC of the token (never the token itself); the page's fetches then carry the cookie
// and the page removes `?token=` from the address bar.
//
// A little over ~350 lines: the routes, the token check and the history timer share one
// request handler, so what each route needs (auth, method, Host) is checked in one order.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { systemClock } from '../clock.js';
import { ListenError } from '../errors.js';
import type { Clock, TimerHandle } from '../clock.js';
import { sendError } from '../http-error.js';
import { silentLogger } from '../log.js';
import type { Logger } from '../log.js';
import type { DeployStatus, SymphonyStatus } from '../status.js';
import { assertAdminSecurity, checkBearer, checkToken, isLoopbackHostHeader } from './auth.js';
import type { ConstantTimeEqual } from './auth.js';
import { loadDashboard } from './dashboard.js';
import type { DashboardAssets } from './dashboard.js';
import { History } from './history.js';

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
  /** Drives the history's one-second samples. @default systemClock */
  readonly clock?: Clock;
  /** Dashboard page title. @default 'Docker Symphony' */
  readonly title?: string;
  /**
   * Starts a deploy and returns it as it starts (`POST /api/deploy`); throws a
   * SymphonyError (`DEPLOY_IN_PROGRESS`, `CONFIG_INVALID`, …). Absent: the route answers 404.
   */
  readonly deploy?: (changes: { image?: string; env?: readonly string[] }) => DeployStatus;
  /** Milliseconds between history samples. @default 1000 */
  readonly historyIntervalMs?: number;
  /** How far back `/api/history` reaches. @default 300000 (5 minutes) */
  readonly historySpanMs?: number;
}

/** Where the server ended up listening. */
export interface AdminAddress {
  readonly host: string;
  readonly port: number;
}

const JSON_TYPE = 'application/json; charset=utf-8';
/** The Prometheus text exposition format's content type. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** The page loads only its own script and style files: no inline code, nothing from elsewhere. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const safeEqual: ConstantTimeEqual = (a, b) => a.length === b.length && timingSafeEqual(a, b);

interface Route {
  readonly handle: (res: ServerResponse, url: URL) => void;
}

/** Serves the dashboard (`/`, `/dashboard.js`, `/dashboard.css`), `/api/status`, `/api/history`, `/metrics`, `/healthz` and `POST /api/deploy`. */
export class AdminServer {
  readonly #status: () => SymphonyStatus;
  readonly #deploy: AdminServerOptions['deploy'];
  readonly #metrics: (status: SymphonyStatus) => string;
  readonly #token: string | undefined;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #title: string;
  readonly #history: History;
  readonly #historyIntervalMs: number;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #routes: ReadonlyMap<string, Route>;
  #assets: DashboardAssets = new Map();
  #historyTimer: TimerHandle | undefined;
  #cookieName = 'symphony_admin';

  constructor(options: AdminServerOptions) {
    this.#status = options.status;
    this.#deploy = options.deploy;
    this.#metrics = options.metrics;
    this.#token = options.token === '' ? undefined : options.token;
    this.#logger = options.logger ?? silentLogger;
    this.#clock = options.clock ?? systemClock;
    this.#title = options.title ?? 'Docker Symphony';
    this.#historyIntervalMs = options.historyIntervalMs ?? 1000;
    this.#history = new History({ intervalMs: this.#historyIntervalMs, ...(options.historySpanMs !== undefined ? { spanMs: options.historySpanMs } : {}) });
    this.#routes = new Map<string, Route>([
      ['/', { handle: (res, url) => this.#dashboard(res, url) }],
      ['/dashboard.js', { handle: (res, url) => this.#asset(res, url.pathname) }],
      ['/dashboard.css', { handle: (res, url) => this.#asset(res, url.pathname) }],
      ['/api/status', { handle: (res) => this.#statusJson(res) }],
      ['/api/history', { handle: (res) => send(res, 200, JSON_TYPE, `${JSON.stringify(this.#history.snapshot(this.#clock.now()))}\n`) }],
      ['/metrics', { handle: (res) => this.#metricsText(res) }],
      ['/healthz', { handle: (res) => send(res, 200, 'text/plain; charset=utf-8', 'ok\n') }],
    ]);
    this.#server = createServer((req, res) => this.#handle(req, res));
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  /**
   * Reads the dashboard's files, starts listening (host defaults to 127.0.0.1) and
   * starts the history. Rejects with `AdminConfigError` (ADMIN_TOKEN_REQUIRED) for a
   * non-loopback host without a token, `DASHBOARD_MISSING`, or a `ListenError`.
   */
  async listen(port: number, host = '127.0.0.1'): Promise<AdminAddress> {
    assertAdminSecurity(host, this.#token);
    this.#assets = await loadDashboard(this.#title);
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(new ListenError({ server: 'admin server', flag: '--admin-listen', host, port, cause: err }));
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
    this.#sampleHistory();
    return { host: addr.address, port: addr.port };
  }

  /** Stops the history, ends open connections, then stops listening. */
  async close(): Promise<void> {
    if (this.#historyTimer !== undefined) this.#clock.clearTimeout(this.#historyTimer);
    this.#historyTimer = undefined;
    if (!this.#server.listening) return;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    // Idle keep-alive sockets would otherwise hold close() open until they time out.
    for (const socket of this.#sockets) socket.end();
    this.#server.closeIdleConnections();
    await closed;
  }

  // One sample now and one every interval; a status that throws leaves a gap (the
  // status route reports the failure itself).
  #sampleHistory(): void {
    try {
      this.#history.record(this.#status(), this.#clock.now());
    } catch {
      // nothing to record this second
    }
    this.#historyTimer = this.#clock.setTimeout(() => this.#sampleHistory(), this.#historyIntervalMs);
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('X-Frame-Options', 'DENY');
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
      // Parsed strictly: `localhost:9900@evil.com` is not a loopback Host. (HTTP/1.0
      // clients may send none; browsers, which DNS rebinding needs, always do.)
      const host = req.headers.host;
      if (host !== undefined && !isLoopbackHostHeader(host)) {
        sendError(res, 403, 'FORBIDDEN', `Host ${JSON.stringify(host)} is not a loopback name. Use http://127.0.0.1:<port>/, or set an admin token to serve other names.`);
        return;
      }
    } else if (!this.#authorized(req, url)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="docker-symphony-admin"');
      sendError(res, 401, 'UNAUTHORIZED', 'This admin server needs a token: send "Authorization: Bearer <token>", or open /?token=<token> in a browser once.');
      return;
    }
    if (url.pathname === '/api/deploy' && this.#deploy) {
      this.#deployRoute(req, res);
      return;
    }
    const route = this.#routes.get(url.pathname);
    if (!route) {
      sendError(res, 404, 'NOT_FOUND', `No route ${url.pathname}. Try /, /api/status, /api/history, /metrics or /healthz.`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      sendError(res, 405, 'METHOD_NOT_ALLOWED', `${req.method ?? '?'} is not allowed on ${url.pathname}; the admin server is read-only (GET).`);
      return;
    }
    try {
      route.handle(res, url);
    } catch (err) {
      this.#logger.error('admin.error', `admin route ${url.pathname} failed: ${errorMessage(err)}`, { path: url.pathname });
      if (!res.headersSent) sendError(res, 500, 'INTERNAL_ERROR', `Reading the status failed: ${errorMessage(err)}. See the orchestrator's log.`);
      else res.destroy();
    }
  }

  /** `POST /api/deploy` with `{"image"?: string, "env"?: string[]}` → 202 with the deploy as it starts. */
  #deployRoute(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      sendError(res, 405, 'METHOD_NOT_ALLOWED', `${req.method ?? '?'} is not allowed on /api/deploy; POST {"image": "…", "env": ["KEY=VALUE"]} to start a deploy.`);
      return;
    }
    const deploy = this.#deploy;
    if (deploy === undefined) return;
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_DEPLOY_BODY) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (tooLarge) {
        sendError(res, 400, 'BAD_REQUEST', `The body is over ${MAX_DEPLOY_BODY} bytes; send {"image"?: string, "env"?: string[]}.`);
        return;
      }
      const parsed = parseDeployBody(Buffer.concat(chunks).toString('utf8'));
      if (typeof parsed === 'string') {
        sendError(res, 400, 'BAD_REQUEST', parsed);
        return;
      }
      let started: DeployStatus;
      try {
        started = deploy(parsed);
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (code === 'DEPLOY_IN_PROGRESS') sendError(res, 409, 'DEPLOY_IN_PROGRESS', errorMessage(err));
        else if (code === 'CONFIG_INVALID') sendError(res, 400, 'BAD_REQUEST', errorMessage(err));
        else if (code === 'NOT_RUNNING' || code === 'SHUTTING_DOWN') sendError(res, 503, 'SHUTTING_DOWN', errorMessage(err));
        else {
          this.#logger.error('admin.error', `starting a deploy failed: ${errorMessage(err)}`);
          sendError(res, 500, 'INTERNAL_ERROR', `Starting the deploy failed: ${errorMessage(err)}. See the orchestrator's log.`);
        }
        return;
      }
      send(res, 202, JSON_TYPE, `${JSON.stringify({ deploy: started })}\n`);
    });
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

  #dashboard(res: ServerResponse, url: URL): void {
    if (this.#token !== undefined && url.searchParams.has('token')) {
      res.setHeader('Set-Cookie', `${this.#cookieName}=${this.#cookieValue(this.#token)}; Path=/; HttpOnly; SameSite=Strict`);
    }
    this.#asset(res, '/');
  }

  #asset(res: ServerResponse, route: string): void {
    const asset = this.#assets.get(route);
    if (asset === undefined) throw new Error(`the dashboard file for ${route} was not loaded`);
    send(res, 200, asset.contentType, asset.body);
  }

  #statusJson(res: ServerResponse): void {
    send(res, 200, JSON_TYPE, `${JSON.stringify(this.#status())}\n`);
  }

  #metricsText(res: ServerResponse): void {
    send(res, 200, METRICS_CONTENT_TYPE, this.#metrics(this.#status()));
  }
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const MAX_DEPLOY_BODY = 64 * 1024;

/** The changes a deploy body asks for, or what is wrong with it (a sentence). */
export function parseDeployBody(text: string): { image?: string; env?: string[] } | string {
  const usage = 'send {"image"?: string, "env"?: ["KEY=VALUE", …]} with at least one of them';
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `The body is not JSON; ${usage}.`;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return `The body is not a JSON object; ${usage}.`;
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((k) => k !== 'image' && k !== 'env');
  if (unknown.length > 0) return `Unknown field(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}; ${usage}.`;
  const { image, env } = fields;
  if (image !== undefined && (typeof image !== 'string' || image === '')) return `"image" must be a non-empty string; ${usage}.`;
  if (env !== undefined && (!Array.isArray(env) || env.some((e) => typeof e !== 'string'))) return `"env" must be an array of "KEY=VALUE" strings; ${usage}.`;
  if (image === undefined && env === undefined) return `Nothing to deploy; ${usage}.`;
  return { ...(image !== undefined ? { image } : {}), ...(env !== undefined ? { env: env as string[] } : {}) };
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function formatHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
