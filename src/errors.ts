// The one shape of every error Docker Symphony throws: a class with a `name` to read
// and a stable UPPER_SNAKE `code` to branch on. Each area adds its own subclasses
// (ConfigError, DockerError…); all of them extend SymphonyError, so embedders can
// catch everything from this library with one `instanceof`.

/**
 * Base of every error Docker Symphony throws; `code` is stable, the message says what
 * to do. Thrown as itself by `Symphony.start()` with `IMAGE_UNAVAILABLE` or `ALREADY_STARTED`.
 */
export class SymphonyError extends Error {
  override readonly name: string = 'SymphonyError';
  /** Stable identifier, e.g. `CONFIG_INVALID`, `LISTEN_FAILED`, `DOCKER_UNAVAILABLE`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** A server (the proxy or the admin server) could not open its port. */
export class ListenError extends SymphonyError {
  override readonly name = 'ListenError';
  declare readonly code: 'LISTEN_FAILED';
  /** The flag that sets the address, e.g. `--listen`. */
  readonly flag: string;
  readonly host: string;
  readonly port: number;
  /** The system error code behind it (`EADDRINUSE`, `EACCES`, …), or '' when there was none. */
  readonly reason: string;

  constructor(fields: { server: string; flag: string; host: string; port: number; cause: unknown }) {
    const reason = systemCode(fields.cause);
    const hint =
      reason === 'EADDRINUSE'
        ? 'something else already listens there; stop it or choose another port'
        : reason === 'EACCES'
          ? 'no permission for that port; use a port above 1023 or run with the needed privilege'
          : reason === 'EADDRNOTAVAIL'
            ? `${fields.host} is not an address of this machine; use 127.0.0.1 or 0.0.0.0`
            : 'check the address';
    const why = reason || (fields.cause instanceof Error ? fields.cause.message : String(fields.cause));
    super('LISTEN_FAILED', `The ${fields.server} could not listen on ${formatAddress(fields.host, fields.port)} (${fields.flag}, ${why}): ${hint}.`, {
      cause: fields.cause,
    });
    this.flag = fields.flag;
    this.host = fields.host;
    this.port = fields.port;
    this.reason = reason;
  }
}

/** `host:port`, with IPv6 hosts in brackets. */
export function formatAddress(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function systemCode(err: unknown): string {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : '';
}
