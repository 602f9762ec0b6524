// The few responses the proxy writes itself: small JSON bodies a client (or a person
// with curl) can read, both on a ServerResponse and on a raw socket (upgrades).
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** Stable `error` values of the proxy's own JSON responses. */
export type ReplyCode =
  | 'no_ready_upstream'
  | 'queue_full'
  | 'shutting_down'
  | 'bad_gateway'
  | 'gateway_timeout';

/** Sends `{ "error": code, "message": … }` unless the response has already started or the client left. */
export function replyJson(
  res: ServerResponse,
  status: number,
  code: ReplyCode,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify({ error: code, message });
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
  });
  res.end(body);
}

/** Writes a response head (raw header list) to a socket that is not managed by node:http. */
export function writeRawHead(socket: Duplex, status: number, statusText: string, rawHeaders: readonly string[]): void {
  let head = `HTTP/1.1 ${status} ${statusText}\r\n`;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) head += `${rawHeaders[i]}: ${rawHeaders[i + 1]}\r\n`;
  socket.write(`${head}\r\n`);
}

/** Sends a JSON error on a raw socket and closes it (a failed upgrade). */
export function replyRawJson(socket: Duplex, status: number, statusText: string, code: ReplyCode, message: string): void {
  if (socket.destroyed || !socket.writable) return;
  const body = JSON.stringify({ error: code, message });
  writeRawHead(socket, status, statusText, [
    'Content-Type',
    'application/json; charset=utf-8',
    'Content-Length',
    String(Buffer.byteLength(body)),
    'Connection',
    'close',
  ]);
  socket.end(body);
}
