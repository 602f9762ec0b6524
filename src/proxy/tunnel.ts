// HTTP Upgrade (WebSocket) pass-through: the handshake goes to one member, then bytes
// flow both ways untouched until either side closes.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { requestUpstream } from './attempt.js';
import { headerValues, stripHopByHop } from './headers.js';
import { writeRawHead } from './replies.js';
import type { Upstream } from './upstream.js';

/** How an upgrade attempt ended. */
export type TunnelResult =
  | { readonly kind: 'tunnel'; readonly upstreamSocket: Duplex }
  | { readonly kind: 'refused'; readonly status: number }
  | { readonly kind: 'connect-failed'; readonly error: Error }
  | { readonly kind: 'failed'; readonly error: Error };

/** What an upgrade attempt needs. */
export interface TunnelInput {
  readonly req: IncomingMessage;
  readonly clientSocket: Duplex;
  /** Bytes the client sent after its request head. */
  readonly head: Buffer;
  readonly upstream: Upstream;
  readonly headers: readonly string[];
}

/**
 * Sends the upgrade request to one member. On 101 the response head is relayed and the
 * sockets are joined; any other response is relayed and the client connection closed.
 * Resolves once the handshake is settled (not when the tunnel closes); a `tunnel`
 * result ends the member's attempt when either socket closes.
 */
export function openTunnel(input: TunnelInput): Promise<TunnelResult> {
  const { req, clientSocket, head, upstream } = input;
  return new Promise<TunnelResult>((resolve) => {
    let connected = false;
    let settled = false;
    let attemptOpen = true;
    // Counted from the handshake on, so a drain also waits for open tunnels.
    upstream.begin();
    const endAttempt = (completed: boolean): void => {
      if (!attemptOpen) return;
      attemptOpen = false;
      upstream.end(completed);
    };
    const settle = (result: TunnelResult): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    // A fresh connection (no agent): it becomes the tunnel and is never reused.
    const request = requestUpstream(req, upstream, input.headers, false);
    // The client gave up during the handshake: do not leave the member waiting.
    clientSocket.once('close', () => {
      if (!settled) request.destroy();
    });
    request.on('socket', (socket) => socket.once('connect', () => (connected = true)));
    request.on('error', (error) => {
      if (settled) return;
      endAttempt(false);
      settle(connected ? { kind: 'failed', error } : { kind: 'connect-failed', error });
    });
    request.on('upgrade', (response, upstreamSocket, upstreamHead) => {
      const protocol = headerValues(response.rawHeaders, 'upgrade')[0];
      writeRawHead(
        clientSocket,
        response.statusCode ?? 101,
        response.statusMessage ?? 'Switching Protocols',
        stripHopByHop(response.rawHeaders, protocol),
      );
      if (upstreamHead.length > 0) clientSocket.write(upstreamHead);
      if (head.length > 0) upstreamSocket.write(head);
      const close = (): void => {
        endAttempt(true);
        upstreamSocket.destroy();
        clientSocket.destroy();
      };
      upstreamSocket.on('error', close).on('close', close);
      clientSocket.on('error', close).on('close', close);
      upstreamSocket.pipe(clientSocket).pipe(upstreamSocket);
      settle({ kind: 'tunnel', upstreamSocket });
    });
    request.on('response', (response) => {
      // The member declined the switch: relay its answer, then close (the connection
      // was never in a state node:http could keep serving).
      writeRawHead(clientSocket, response.statusCode ?? 502, response.statusMessage ?? '', [
        ...stripHopByHop(response.rawHeaders),
        'Connection',
        'close',
      ]);
      response.pipe(clientSocket);
      response.once('close', () => endAttempt(true));
      clientSocket.once('close', () => {
        response.destroy();
        endAttempt(false);
      });
      settle({ kind: 'refused', status: response.statusCode ?? 502 });
    });
    request.end();
  });
}
