// The one way this client talks to the engine: an HTTP request over the unix socket (or
// TCP/TLS), answered either whole (buffered) or as a stream (events, pull progress).
// Status codes are not judged here; the client knows what each endpoint's statuses mean.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { systemClock } from '../clock.js';
import type { Clock, TimerHandle } from '../clock.js';
import { DockerConfigError, DockerTimeoutError, toDockerError } from './errors.js';
import type { RequestContext } from './errors.js';
import { describeDockerHost } from './host.js';
import type { DockerHost } from './host.js';

/** Query values; undefined entries are left out. */
export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

/** One request to the engine. */
export interface TransportRequest {
  readonly method: string;
  /** Without the version prefix, e.g. `/containers/abc/json`; it names the request in errors. */
  readonly path: string;
  /** Sent as `/v{apiVersion}{path}`; unversioned when absent (for /_ping and /version). */
  readonly apiVersion?: string;
  readonly query?: Query;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Overrides the transport's timeout. For streams it bounds the wait for the headers only. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** A whole answer. */
export interface BufferedResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** An answer whose body is still arriving. */
export interface StreamedResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Readable;
  /** Stops reading and closes the connection. */
  close(): void;
}

/** Options of a Transport. */
export interface TransportOptions {
  readonly host: DockerHost;
  /** @default 30000 */
  readonly timeoutMs?: number;
  /** Timers for timeouts. @default systemClock */
  readonly clock?: Clock;
}

/** Sends requests to one engine. */
export class Transport {
  readonly #host: DockerHost;
  readonly #timeoutMs: number;
  readonly #clock: Clock;
  #tlsFiles: { ca: Buffer; cert: Buffer; key: Buffer } | undefined;

  constructor(options: TransportOptions) {
    this.#host = options.host;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#clock = options.clock ?? systemClock;
  }

  /** The engine's address as DOCKER_HOST would spell it. */
  get description(): string {
    return describeDockerHost(this.#host);
  }

  /** The default timeout, in milliseconds. */
  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  /** Sends `req` and reads the whole answer; the timeout covers the body too. */
  request(req: TransportRequest): Promise<BufferedResponse> {
    return this.#send(req, (res, done, fail) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      // A connection cut mid-body ends with 'close' but no 'end' on some Node versions.
      res.on('close', () => {
        if (!res.complete) fail(Object.assign(new Error('the response ended early'), { code: 'ECONNRESET' }));
      });
    });
  }

  /** Sends `req` and hands over the answer as soon as its headers arrive. */
  stream(req: TransportRequest): Promise<StreamedResponse> {
    return this.#send(req, (res, done, _fail, request) => {
      done({ status: res.statusCode ?? 0, headers: res.headers, body: res, close: () => request.destroy() });
    });
  }

  #send<T>(
    req: TransportRequest,
    onResponse: (res: IncomingMessage, done: (value: T) => void, fail: (err: unknown) => void, request: http.ClientRequest) => void,
  ): Promise<T> {
    const ctx = this.contextOf(req);
    const timeoutMs = req.timeoutMs ?? this.#timeoutMs;
    return new Promise<T>((resolve, reject) => {
      if (req.signal?.aborted) {
        reject(abortReason(req.signal));
        return;
      }
      let settled = false;
      let timer: TimerHandle | undefined;
      const fail = (err: unknown): void => {
        if (settled) return;
        settled = true;
        if (timer !== undefined) this.#clock.clearTimeout(timer);
        reject(toDockerError(err, ctx));
      };
      const done = (value: T): void => {
        if (settled) return;
        settled = true;
        if (timer !== undefined) this.#clock.clearTimeout(timer);
        resolve(value);
      };

      let request: http.ClientRequest;
      try {
        request = this.#open(req);
      } catch (err) {
        fail(err);
        return;
      }
      timer = this.#clock.setTimeout(() => {
        request.destroy(new DockerTimeoutError({ method: req.method, path: req.path, timeoutMs }));
      }, timeoutMs);
      // Stays attached after the answer: a late socket error must not become an unhandled 'error'.
      request.on('error', fail);
      request.on('response', (res) => onResponse(res, done, fail, request));

      if (req.body === undefined) {
        request.end();
      } else {
        const json = JSON.stringify(req.body);
        request.setHeader('content-type', 'application/json');
        request.setHeader('content-length', Buffer.byteLength(json));
        request.end(json);
      }
    });
  }

  #open(req: TransportRequest): http.ClientRequest {
    const path = `${req.apiVersion === undefined ? '' : `/v${req.apiVersion}`}${req.path}${queryString(req.query)}`;
    const common = {
      method: req.method,
      path,
      headers: { accept: 'application/json' },
      // One connection per request: nothing idles in a pool to keep the process alive or go stale.
      agent: false as const,
      ...(req.signal ? { signal: req.signal } : {}),
    };
    const host = this.#host;
    if (host.kind === 'unix') return http.request({ ...common, socketPath: host.socketPath, host: 'docker' });
    if (!host.tls) return http.request({ ...common, host: host.host, port: host.port });
    return https.request({ ...common, host: host.host, port: host.port, ...this.#readTls(host.tls) });
  }

  #readTls(tls: NonNullable<Extract<DockerHost, { kind: 'tcp' }>['tls']>): { ca: Buffer; cert: Buffer; key: Buffer } {
    if (this.#tlsFiles) return this.#tlsFiles;
    const read = (path: string): Buffer => {
      try {
        return readFileSync(path);
      } catch (err) {
        const code = (err as { code?: string }).code ?? 'unreadable';
        throw new DockerConfigError(
          `Cannot read the TLS file ${path} (${code}). Set DOCKER_CERT_PATH to the folder holding ca.pem, cert.pem and key.pem, or unset DOCKER_TLS_VERIFY.`,
        );
      }
    };
    this.#tlsFiles = { ca: read(tls.caPath), cert: read(tls.certPath), key: read(tls.keyPath) };
    return this.#tlsFiles;
  }

  /** Where `req` goes, for turning a stream's late failure into a DockerError. */
  contextOf(req: Pick<TransportRequest, 'method' | 'path'>): RequestContext {
    const host = this.#host;
    return {
      host: describeDockerHost(host),
      ...(host.kind === 'unix' ? { socketPath: host.socketPath } : {}),
      method: req.method,
      path: req.path,
    };
  }
}

/** `?a=1&b=x` from a query object, or '' when nothing is set. */
export function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
}
