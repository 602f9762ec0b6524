// Typed errors for everything that can go wrong talking to the Docker engine. Each has a
// stable `code` to branch on and a message that says what happened and what to do.
// Pure: the mapping functions take plain values, so they are table-tested without I/O.
import { SymphonyError } from '../errors.js';

/** Codes of the Docker client's errors. */
export type DockerErrorCode = 'DOCKER_API_ERROR' | 'DOCKER_UNAVAILABLE' | 'DOCKER_TIMEOUT' | 'DOCKER_CONFIG' | 'DOCKER_PROTOCOL';

/** Base of every error the Docker client throws, so callers can catch them together. */
export abstract class DockerError extends SymphonyError {
  declare readonly code: DockerErrorCode;
}

/** The engine answered, with a status that means failure for this endpoint. */
export class DockerApiError extends DockerError {
  override readonly name = 'DockerApiError';
  declare readonly code: 'DOCKER_API_ERROR';
  /** HTTP status the engine answered (500 for an error line inside a 200 stream). */
  readonly status: number;
  readonly method: string;
  /** Path without the `/v1.xx` prefix, e.g. `/containers/abc/start`. */
  readonly path: string;
  /** The engine's own explanation (its `{"message": …}`). */
  readonly engineMessage: string;

  constructor(fields: { status: number; method: string; path: string; engineMessage: string }) {
    super('DOCKER_API_ERROR', `Docker engine answered ${fields.status} to ${fields.method} ${fields.path}: ${fields.engineMessage}`);
    this.status = fields.status;
    this.method = fields.method;
    this.path = fields.path;
    this.engineMessage = fields.engineMessage;
  }
}

/** No Docker engine answers where we looked, or it went away mid-conversation. */
export class DockerUnavailableError extends DockerError {
  override readonly name = 'DockerUnavailableError';
  declare readonly code: 'DOCKER_UNAVAILABLE';
  /** The system error code behind it: `ENOENT`, `ECONNREFUSED`, `EACCES`, `ECONNRESET`, … */
  readonly reason: string;
  /** Where we looked, e.g. `unix:///var/run/docker.sock`. */
  readonly host: string;

  constructor(fields: { reason: string; host: string; message: string; cause?: unknown }) {
    super('DOCKER_UNAVAILABLE', fields.message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.reason = fields.reason;
    this.host = fields.host;
  }
}

/** The engine did not answer within the allowed time. */
export class DockerTimeoutError extends DockerError {
  override readonly name = 'DockerTimeoutError';
  declare readonly code: 'DOCKER_TIMEOUT';
  readonly method: string;
  readonly path: string;
  readonly timeoutMs: number;

  constructor(fields: { method: string; path: string; timeoutMs: number }) {
    super(
      'DOCKER_TIMEOUT',
      `The Docker engine did not answer ${fields.method} ${fields.path} within ${fields.timeoutMs} ms. ` +
        'It may be overloaded or stuck: check it with `docker info`, or give the client a larger timeoutMs.',
    );
    this.method = fields.method;
    this.path = fields.path;
    this.timeoutMs = fields.timeoutMs;
  }
}

/** DOCKER_HOST (or a related setting) cannot be used. */
export class DockerConfigError extends DockerError {
  override readonly name = 'DockerConfigError';
  declare readonly code: 'DOCKER_CONFIG';
  constructor(message: string) {
    super('DOCKER_CONFIG', message);
  }
}

/** The engine sent something this client cannot read (not JSON where JSON was due). */
export class DockerProtocolError extends DockerError {
  override readonly name = 'DockerProtocolError';
  declare readonly code: 'DOCKER_PROTOCOL';
  constructor(message: string) {
    super('DOCKER_PROTOCOL', message);
  }
}

/** True when `err` is the engine saying the thing asked about does not exist. */
export function isNotFound(err: unknown): boolean {
  return err instanceof DockerApiError && err.status === 404;
}

/**
 * The error for a failed answer: the engine's `{"message"}` if it sent one, else its
 * text, else what the endpoint's status table says the status means.
 */
export function errorFromResponse(fields: {
  status: number;
  method: string;
  path: string;
  body: string;
  meaning?: string;
}): DockerApiError {
  return new DockerApiError({
    status: fields.status,
    method: fields.method,
    path: fields.path,
    engineMessage: engineMessageOf(fields.body) ?? fields.meaning ?? `HTTP ${fields.status}`,
  });
}

/** The engine's explanation inside an error body, or undefined when there is none. */
export function engineMessageOf(body: string): string | undefined {
  const text = body.trim();
  if (text === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (isRecord(parsed) && typeof parsed['message'] === 'string') return parsed['message'];
  } catch {
    // Not JSON (a proxy in front of the engine, an old engine): the text is the message.
  }
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

/** Where the request went, for messages: `unix:///var/run/docker.sock` or `tcp://host:2376`. */
export interface RequestContext {
  readonly host: string;
  /** The socket path, when the host is a unix socket. */
  readonly socketPath?: string;
  readonly method: string;
  readonly path: string;
}

const REFUSED = new Set(['ECONNREFUSED']);
const MISSING = new Set(['ENOENT', 'ENOTSOCK']);
const DENIED = new Set(['EACCES', 'EPERM']);
const DROPPED = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);
const UNREACHABLE = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']);

/**
 * Turns a low-level failure (a Node system error) into a DockerError that says what to
 * do. DockerErrors and aborts pass through unchanged: they already say what happened.
 */
export function toDockerError(err: unknown, ctx: RequestContext): unknown {
  if (err instanceof DockerError) return err;
  if (!isRecord(err) || typeof err['code'] !== 'string') return err;
  const code = err['code'];
  if (code === 'ABORT_ERR' || err['name'] === 'AbortError') return err;
  return unavailable(code, ctx, err);
}

function unavailable(code: string, ctx: RequestContext, cause: unknown): DockerUnavailableError {
  const where = ctx.socketPath ?? ctx.host;
  let message: string;
  if (MISSING.has(code)) {
    message =
      `No Docker engine socket at ${where} (${code}). Start Docker (Docker Desktop, or \`sudo systemctl start docker\`), ` +
      'or set DOCKER_HOST to where your engine listens (e.g. unix:///run/user/1000/docker.sock).';
  } else if (REFUSED.has(code)) {
    message =
      `Nothing accepts connections at ${ctx.host} (${code}): the Docker engine is not running there. ` +
      'Start Docker (Docker Desktop, or `sudo systemctl start docker`), or set DOCKER_HOST to where your engine listens.';
  } else if (DENIED.has(code)) {
    message =
      `Permission denied opening ${where} (${code}). Join the 'docker' group ` +
      '(sudo usermod -aG docker "$USER", then log in again) or run as root.';
  } else if (DROPPED.has(code)) {
    message =
      `The Docker engine at ${ctx.host} closed the connection during ${ctx.method} ${ctx.path} (${code}); ` +
      'it may have restarted. Check it with `docker info` and try again.';
  } else if (UNREACHABLE.has(code)) {
    message = `Cannot reach the Docker engine at ${ctx.host} (${code}). Check DOCKER_HOST and that the engine listens there.`;
  } else {
    const detail = isRecord(cause) && typeof cause['message'] === 'string' ? `: ${cause['message']}` : '';
    message =
      `Could not talk to the Docker engine at ${ctx.host} during ${ctx.method} ${ctx.path} (${code}${detail}). ` +
      'Check DOCKER_HOST and that the engine is running (`docker info`).';
  }
  return new DockerUnavailableError({ reason: code, host: ctx.host, message, cause });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
