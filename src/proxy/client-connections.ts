// What the proxy remembers about each client connection, so that pipelined requests
// stay in order and in doubt nothing is forwarded: a connection whose framing was
// refused forwards nothing more; bytes node:http cannot parse end the connection only
// after the answers to complete requests before them; a body broken mid-way stops the
// forwarding of its request.
import { STATUS_CODES } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ClientGone } from './client-gone.js';

/** node:http's answers to client errors other than a plain 400 (a parse error). */
const CLIENT_ERROR_STATUS: Readonly<Record<string, number>> = {
  HPE_HEADER_OVERFLOW: 431,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

/** Per-connection state, held weakly (it goes with the socket). */
export class ClientConnections {
  readonly #refused = new WeakSet<object>();
  /** The newest response in progress on each connection (pipelined ones finish in order). */
  readonly #active = new WeakMap<object, ServerResponse>();
  readonly #aborts = new WeakMap<ServerResponse, ClientGone>();
  readonly #badBody = new WeakSet<ServerResponse>();

  /** Records a request being handled on `socket` (a queued response has none of its own yet); `abort` stops its forwarding. */
  started(socket: object, res: ServerResponse, abort?: ClientGone): void {
    this.#active.set(socket, res);
    if (abort !== undefined) this.#aborts.set(res, abort);
  }

  /** True when a request before this one on the connection was refused. */
  wasRefused(socket: object): boolean {
    return this.#refused.has(socket);
  }

  /** Marks the connection: where the refused request ended is in doubt, so is all after it. */
  refuse(socket: object): void {
    this.#refused.add(socket);
  }

  /** True when this request's body turned out malformed after its forwarding began. */
  hadBadBody(res: ServerResponse): boolean {
    return this.#badBody.has(res);
  }

  /** Runs `then` once the responses in progress on this connection are done. */
  afterActive(socket: Duplex, then: () => void): void {
    const res = this.#active.get(socket);
    if (res === undefined || res.writableFinished || res.destroyed) then();
    else res.once('close', then);
  }

  /**
   * node:http's 'clientError' (bytes it cannot parse, a header timeout, a socket error).
   * As node does: 431/413/408/400 and close; but complete requests before the bad bytes
   * are answered first, and a request whose body they break is cut off (answered 400).
   */
  clientError(error: Error & { code?: string }, socket: Duplex): void {
    const status = CLIENT_ERROR_STATUS[error.code ?? ''] ?? (error.code?.startsWith('HPE_') === true ? 400 : undefined);
    if (status === undefined || !socket.writable) {
      socket.destroy();
      return;
    }
    const res = this.#active.get(socket);
    if (res !== undefined && !res.writableFinished && !res.destroyed) {
      res.shouldKeepAlive = false;
      res.once('close', () => socket.end(() => socket.destroy()));
      if (!res.writableEnded && !res.req.complete) {
        // The bad bytes are inside that request's body: stop forwarding it.
        this.#badBody.add(res);
        this.#aborts.get(res)?.abort();
      }
      return;
    }
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n\r\n`, () => socket.destroy());
  }
}
