// Errors the proxy throws to its caller (requests never see these: they get status codes).

/** Stable codes of proxy errors. */
export type ProxyErrorCode = 'PROXY_LISTEN_FAILED' | 'PROXY_NOT_LISTENING';

/** A proxy error with a stable `code` and a message that says what to do. */
export class ProxyError extends Error {
  override readonly name = 'ProxyError';
  readonly code: ProxyErrorCode;

  constructor(code: ProxyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Builds the error for a failed listen(), naming the address and the fix. */
export function listenError(host: string, port: number, cause: unknown): ProxyError {
  const code = (cause as { code?: unknown } | null)?.code;
  const where = `${host}:${port}`;
  const hint =
    code === 'EADDRINUSE'
      ? `something else already listens on ${where}; stop it or choose another listen port`
      : code === 'EACCES'
        ? `no permission to listen on ${where}; use a port above 1023 or run with the needed privilege`
        : code === 'EADDRNOTAVAIL'
          ? `${host} is not an address of this machine; listen on 127.0.0.1 or 0.0.0.0`
          : `check the listen address ${where}`;
  return new ProxyError('PROXY_LISTEN_FAILED', `The proxy could not listen on ${where} (${String(code ?? cause)}): ${hint}.`, {
    cause,
  });
}
