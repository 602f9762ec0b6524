// Forwarding an HTTP Upgrade (WebSocket): the handshake goes to one member on a
// connection of its own; on 101 the sockets are joined and bytes flow both ways
// untouched until either side closes. Any other answer is relayed and the client
// connection closed (it was never in a state node:http could keep serving).
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Clock } from '../clock.js';
import type { Delivery, Flow, TryResult } from './forward.js';
import { headerValues, stripHopByHop } from './headers.js';
import { memberRequest } from './member-request.js';
import type { MemberRequestJob } from './member-request.js';
import { replyRawJson, writeRawHead } from './replies.js';
import type { Reply } from './replies.js';
import type { Upstream } from './upstream.js';

/** A client upgrade request being forwarded. */
export interface UpgradeJob extends MemberRequestJob {
  readonly req: IncomingMessage;
  /** The client connection, handed over by node:http. */
  readonly socket: Duplex;
  /** Bytes the client sent after its request head. */
  readonly head: Buffer;
}

/** The member's answer to the handshake. */
export type UpgradeAnswer =
  | { readonly kind: 'switched'; readonly response: IncomingMessage; readonly socket: Duplex; readonly head: Buffer }
  | { readonly kind: 'declined'; readonly response: IncomingMessage; readonly request: ClientRequest };

/** The flow of upgrades, for the forwarding loop. */
export class UpgradeFlow implements Flow<UpgradeJob, UpgradeAnswer> {
  readonly name = 'upgrade';
  readonly #clock: Clock;
  readonly #timeoutMs: number;

  constructor(clock: Clock, timeoutMs: number) {
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
  }

  attempt(job: UpgradeJob, upstream: Upstream): Promise<TryResult<UpgradeAnswer>> {
    return handshake(job, upstream, this.#clock, this.#timeoutMs);
  }

  deliver(job: UpgradeJob, upstream: Upstream, answer: UpgradeAnswer): Promise<Delivery> {
    const client = job.socket;
    let open = true;
    const endAttempt = (completed: boolean): void => {
      if (!open) return;
      open = false;
      upstream.end(completed);
    };
    const { response } = answer;
    if (answer.kind === 'declined') {
      writeRawHead(client, response.statusCode ?? 502, response.statusMessage ?? '', [...stripHopByHop(response.rawHeaders), 'Connection', 'close']);
      // Nothing the client sends now is read as HTTP again: drop it, and close once the answer is out.
      client.resume();
      response.pipe(client, { end: false });
      response.once('end', () => client.end(() => client.destroy()));
      response.once('close', () => {
        endAttempt(response.complete);
        if (!response.complete) client.destroy();
      });
      client.once('close', () => {
        answer.request.destroy();
        endAttempt(false);
      });
      return Promise.resolve('completed');
    }
    const protocol = headerValues(response.rawHeaders, 'upgrade')[0];
    writeRawHead(client, response.statusCode ?? 101, response.statusMessage ?? 'Switching Protocols', stripHopByHop(response.rawHeaders, protocol));
    const upstreamSocket = answer.socket;
    if (answer.head.length > 0) client.write(answer.head);
    if (job.head.length > 0) upstreamSocket.write(job.head);
    const close = (): void => {
      endAttempt(true);
      upstreamSocket.destroy();
      client.destroy();
    };
    upstreamSocket.on('error', close).on('close', close);
    client.on('error', close).on('close', close);
    upstreamSocket.pipe(client).pipe(upstreamSocket);
    // Counted as in flight on the member until the tunnel closes, so a drain waits for it.
    return Promise.resolve('completed');
  }

  discard(answer: UpgradeAnswer): void {
    if (answer.kind === 'declined') answer.request.destroy();
    else answer.socket.destroy();
  }

  reply(job: UpgradeJob, reply: Reply): void {
    replyRawJson(job.socket, reply);
  }
}

/** Sends the upgrade request on a fresh connection (no agent: it becomes the tunnel, never reused). */
function handshake(job: UpgradeJob, upstream: Upstream, clock: Clock, timeoutMs: number): Promise<TryResult<UpgradeAnswer>> {
  return memberRequest<UpgradeAnswer>(job, upstream, { agent: false, clock, timeoutMs, awaiting: 'handshake answer' }, (request, control) => {
    request.on('socket', (socket) => socket.once('connect', () => (control.connected = true)));
    request.on('upgrade', (response, socket, head) => {
      if (control.settled) {
        socket.destroy();
        return;
      }
      socket.on('error', () => {});
      control.settle({ kind: 'answer', status: response.statusCode ?? 101, answer: { kind: 'switched', response, socket, head } });
    });
    request.on('response', (response) => control.settle({ kind: 'answer', status: response.statusCode ?? 502, answer: { kind: 'declined', response, request } }));
    request.end();
  });
}
