// The client side of the admin API, for the `status` and `deploy` subcommands: one
// GET and one POST, the token as a bearer header, and errors that say what to do (no
// orchestrator at that address, a wrong token, a deploy already running). node:http
// rather than fetch: fetch refuses ports on its blocked list (6000, 6665…) outright.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { SymphonyError } from '../errors.js';
import type { DeployStatus } from '../status.js';
import type { WireStatus } from './status-format.js';

/** Where the admin server listens unless --admin says otherwise. */
export const DEFAULT_ADMIN_URL = 'http://127.0.0.1:9900';

/** No admin server answers at the address (refused, unknown host, timed out). */
export class AdminUnreachableError extends SymphonyError {
  override readonly name = 'AdminUnreachableError';
  declare readonly code: 'ADMIN_UNREACHABLE';
  constructor(url: string, cause: unknown) {
    super('ADMIN_UNREACHABLE', `no Docker Symphony admin server answers at ${url} — is it running? (--admin URL)${detail(cause)}`, { cause });
  }
}

/** The admin server answered with an error body (its code, or HTTP_<status> when it sent none). */
export class AdminRequestError extends SymphonyError {
  override readonly name = 'AdminRequestError';
  /** HTTP status of the answer. */
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(code, message);
    this.status = status;
  }
}

/** `9900`, `127.0.0.1:9900`, `[::1]:9900` or a full URL → the base URL (no trailing slash). */
export function adminUrl(text: string): string {
  const withScheme = /^\d+$/.test(text) ? `http://127.0.0.1:${text}` : /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new SymphonyError('CONFIG_INVALID', `invalid --admin ${JSON.stringify(text)}: expected a URL such as ${DEFAULT_ADMIN_URL}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SymphonyError('CONFIG_INVALID', `invalid --admin ${JSON.stringify(text)}: expected an http:// or https:// URL`);
  }
  return url.href.replace(/\/+$/, '');
}

/** Options of an AdminClient. */
export interface AdminClientOptions {
  /** Base URL, as adminUrl() returns it. */
  readonly url: string;
  /** Sent as `Authorization: Bearer <token>` when set. */
  readonly token?: string | null;
  /** Per request. @default 5000 */
  readonly timeoutMs?: number;
}

/** Reads the status of a running orchestrator and starts deploys on it. */
export class AdminClient {
  readonly #url: string;
  readonly #token: string | null;
  readonly #timeoutMs: number;

  constructor(options: AdminClientOptions) {
    this.#url = options.url;
    this.#token = options.token ?? null;
    this.#timeoutMs = options.timeoutMs ?? 5000;
  }

  /** GET /api/status. */
  async status(): Promise<WireStatus> {
    return (await this.#request('GET', '/api/status')) as WireStatus;
  }

  /** POST /api/deploy; resolves with the deploy it started (202). */
  async deploy(changes: { image?: string; env?: readonly string[] }): Promise<DeployStatus> {
    const body = (await this.#request('POST', '/api/deploy', changes)) as { deploy?: DeployStatus };
    if (typeof body.deploy !== 'object' || body.deploy === null) {
      throw new AdminRequestError(202, 'BAD_RESPONSE', `the admin server accepted the deploy but did not say which one (${JSON.stringify(body).slice(0, 200)})`);
    }
    return body.deploy;
  }

  async #request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#token !== null) headers['authorization'] = `Bearer ${this.#token}`;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const url = new URL(`${this.#url}${path}`);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    let answer: { status: number; text: string };
    try {
      answer = await new Promise((resolve, reject) => {
        const req = send(url, { method, headers, timeout: this.#timeoutMs }, (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        });
        req.on('timeout', () => req.destroy(Object.assign(new Error('no answer in time'), { code: 'TIMEOUT' })));
        req.on('error', reject);
        req.end(payload);
      });
    } catch (err) {
      throw new AdminUnreachableError(this.#url, err);
    }
    const { status, text } = answer;
    let json: unknown;
    try {
      json = JSON.parse(text) as unknown;
    } catch {
      json = undefined;
    }
    const ok = status >= 200 && status < 300;
    if (ok && json !== undefined) return json;
    if (ok) throw new AdminRequestError(status, 'BAD_RESPONSE', `${method} ${path} answered ${status} without JSON; is ${this.#url} a Docker Symphony admin server?`);
    throw errorFrom(status, method, path, json, this.#token !== null);
  }
}

function errorFrom(status: number, method: string, path: string, json: unknown, sentToken: boolean): AdminRequestError {
  const error = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const code = typeof error?.code === 'string' ? error.code : `HTTP_${status}`;
  const said = typeof error?.message === 'string' ? error.message : `${method} ${path} answered ${status}`;
  if (status === 401) {
    const what = sentToken ? 'the token was refused' : 'this admin server needs a token';
    return new AdminRequestError(status, code, `${what}: pass --admin-token TOKEN or set SYMPHONY_ADMIN_TOKEN`);
  }
  return new AdminRequestError(status, code, said);
}

// The socket error's code says why: ECONNREFUSED, ENOTFOUND, TIMEOUT.
function detail(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? ` [${code}]` : '';
}
