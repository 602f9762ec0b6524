// Forwarding an HTTP Upgrade (WebSocket): the handshake goes to one member on a
// connection of its own (node's http.request: upgrades are rare and never pooled, so
// they stay off the pooled client of upstream-client/); on 101 the sockets are joined
// and bytes flow both ways untouched until either side closes. Any other answer is
// relayed and the client connection closed (it was never in a state node:http could
// keep serving).
import http from 'node:http';
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Clock } from '../clock.js';
import type { Delivery, Flow, Job, TryResult } from './forward.js';
import { headerValues, stripHopByHop } from './headers.js';
import { replyRawJson, writeRawHead } from './replies.js';
import type { Reply } from './replies.js';
import type { Upstream } from './upstream.js';

/** A client upgrade request being forwarded. */
export interface UpgradeJob extends Job {
  /** The member's headers (forwardRequestHeaders, with the protocol switch). */
  readonly headers: readonly string[];
  /** False for an HTTP/1.0 request without Host: the member is named instead. */
  readonly hasHost: boolean;
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

/**
 * Sends the upgrade request on a fresh connection (it becomes the tunnel, never reused)
 * and resolves once it settles: the member's answer, a socket error, the client leaving,
 * or no answer within `timeoutMs`.
 */
function handshake(job: UpgradeJob, upstream: Upstream, clock: Clock, timeoutMs: number): Promise<TryResult<UpgradeAnswer>> {
  const { gone } = job;
  return new Promise<TryResult<UpgradeAnswer>>((resolve) => {
    // node:http only reads the list: a job's own headers go as they are, retries included.
    const headers = job.hasHost ? job.headers : ['Host', `${upstream.host}:${upstream.port}`, ...job.headers];
    const request = http.request({ host: upstream.host, port: upstream.port, method: job.method, path: job.url, headers, agent: false, setHost: false });
    let connected = false;
    let settled = false;
    const settle = (result: TryResult<UpgradeAnswer>): void => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      gone.unlisten(onAbort);
      resolve(result);
    };
    const onAbort = (): void => {
      request.destroy();
      settle({ kind: 'aborted' });
    };
    const timer = clock.setTimeout(() => {
      request.destroy();
      // Before the connection is up nothing was sent: that is a connect failure.
      settle({ kind: 'failure', failure: connected ? 'timeout' : 'connect', error: new Error(`no handshake answer within ${timeoutMs} ms`) });
    }, timeoutMs);
    // Stays attached after settling: a late socket error must not become an uncaught 'error'.
    request.on('error', (error) => settle({ kind: 'failure', failure: connected ? 'reset-before-response' : 'connect', error }));
    request.on('socket', (socket) => socket.once('connect', () => (connected = true)));
    request.on('upgrade', (response, socket, head) => {
      if (settled) {
        socket.destroy();
        return;
      }
      socket.on('error', () => {});
      settle({ kind: 'answer', status: response.statusCode ?? 101, answer: { kind: 'switched', response, socket, head } });
    });
    request.on('response', (response) => settle({ kind: 'answer', status: response.statusCode ?? 502, answer: { kind: 'declined', response, request } }));
    request.end();
    gone.listen(onAbort);
  });
}
