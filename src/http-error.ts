// The one JSON error body the proxy and the admin server write themselves:
// `{"error":{"code":"UPPER_SNAKE","message":"what happened and what to do"}}`.
import { STATUS_CODES, type ServerResponse } from 'node:http';

/** Codes of the error bodies written by the proxy and the admin server. */
export type HttpErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'HEADERS_TOO_LARGE'
  | 'INTERNAL_ERROR'
  | 'BAD_GATEWAY'
  | 'NO_READY_UPSTREAM'
  | 'QUEUE_FULL'
  | 'SHUTTING_DOWN'
  | 'GATEWAY_TIMEOUT'
  | 'DEPLOY_IN_PROGRESS';

/** Content-Type of every error body. */
export const ERROR_CONTENT_TYPE = 'application/json; charset=utf-8';

/** The body text: `{"error":{"code":…,"message":…}}`. */
export function errorBody(code: HttpErrorCode, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

/**
 * Answers with an error body, unless the response has already started or the client
 * left (then there is nobody to tell). `headers` are added (e.g. Retry-After, Connection).
 */
export function sendError(
  res: ServerResponse,
  status: number,
  code: HttpErrorCode,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const body = errorBody(code, message);
  res.writeHead(status, { ...headers, 'Content-Type': ERROR_CONTENT_TYPE, 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}

/**
 * The whole HTTP/1.1 response as text, for a raw socket that node:http does not manage
 * (a failed upgrade, a malformed request in `clientError`); it ends with `Connection: close`.
 */
export function errorResponseText(status: number, code: HttpErrorCode, message: string, headers: Readonly<Record<string, string>> = {}): string {
  const body = errorBody(code, message);
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  lines.push(`Content-Type: ${ERROR_CONTENT_TYPE}`, `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close');
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}
