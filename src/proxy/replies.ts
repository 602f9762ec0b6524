// The few responses the proxy writes itself: small JSON bodies in the project's one
// error shape, `{"error":{"code":…,"message":…}}`, on a ServerResponse and on a raw
// socket (upgrades, CONNECT).
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorResponseText, sendError, type HttpErrorCode } from '../http-error.js';

/** Stable codes of the proxy's own error responses. */
export type ReplyCode = Extract<
  HttpErrorCode,
  'BAD_REQUEST' | 'HEADERS_TOO_LARGE' | 'METHOD_NOT_ALLOWED' | 'BAD_GATEWAY' | 'GATEWAY_TIMEOUT' | 'NO_READY_UPSTREAM' | 'QUEUE_FULL' | 'SHUTTING_DOWN'
>;

/** One error response the proxy writes. */
export interface Reply {
  readonly status: number;
  readonly code: ReplyCode;
  readonly message: string;
  /** Extra response headers (Retry-After, Allow). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Close the client connection after the reply (framing in doubt, refused method). */
  readonly close?: boolean;
}

/** Sends `reply` unless the response has already started or the client left. */
export function replyJson(res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  if (reply.close === true) res.shouldKeepAlive = false;
  sendError(res, reply.status, reply.code, reply.message, reply.headers);
}

/** Writes a response head (raw header list) to a socket that is not managed by node:http. */
export function writeRawHead(socket: Duplex, status: number, statusText: string, rawHeaders: readonly string[]): void {
  let head = `HTTP/1.1 ${status} ${statusText}\r\n`;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) head += `${rawHeaders[i]}: ${rawHeaders[i + 1]}\r\n`;
  socket.write(`${head}\r\n`);
}

/** Sends `reply` on a raw socket and then destroys it (a failed upgrade, CONNECT). */
export function replyRawJson(socket: Duplex, reply: Reply): void {
  if (socket.destroyed || !socket.writable) return;
  // The connection is done: drop what the client still sends, destroy once the reply is out.
  socket.resume();
  socket.end(errorResponseText(reply.status, reply.code, reply.message, reply.headers), () => socket.destroy());
}
