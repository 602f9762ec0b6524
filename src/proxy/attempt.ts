// One try of one request against one member, and the streaming of its response.
// The request body is piped only once the connection is up, so a connect failure
// leaves the body unread and the request can go to the next member as it is.
import http from 'node:http';
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import { finished } from 'node:stream';
import type { Clock } from '../clock.js';
import { stripHopByHop } from './headers.js';
import type { AttemptFailure } from './retry.js';
import type { Upstream } from './upstream.js';

/** How an attempt ended before any byte went to the client. */
export type AttemptResult =
  | { readonly kind: 'response'; readonly response: IncomingMessage; readonly request: ClientRequest; readonly bodyStarted: boolean }
  | {
      readonly kind: 'failure';
      readonly failure: Exclude<AttemptFailure, 'response-started' | 'unhealthy-response'>;
      readonly error: Error;
      readonly bodyStarted: boolean;
    }
  | { readonly kind: 'aborted'; readonly bodyStarted: boolean };

/** What an attempt needs. */
export interface AttemptInput {
  readonly req: IncomingMessage;
  readonly upstream: Upstream;
  readonly headers: readonly string[];
  /** Whether the client request carries a body to stream. */
  readonly hasBody: boolean;
  readonly agent: http.Agent;
  readonly clock: Clock;
  readonly timeoutMs: number;
  /** Aborts when the client goes away. */
  readonly signal: AbortSignal;
}

/** Sends the request to one member and resolves when its response head arrives or the attempt fails. */
export function sendAttempt(input: AttemptInput): Promise<AttemptResult> {
  const { req, upstream, hasBody, clock, signal } = input;
  return new Promise<AttemptResult>((resolve) => {
    let connected = false;
    let bodyStarted = false;
    let settled = false;
    const request = requestUpstream(req, upstream, input.headers, input.agent);
    const settle = (result: AttemptResult): void => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const onAbort = (): void => {
      request.destroy();
      settle({ kind: 'aborted', bodyStarted });
    };
    const timer = clock.setTimeout(() => {
      // Before the connection is up nothing was sent: that is a connect failure.
      const failure = connected ? 'timeout' : 'connect';
      request.destroy();
      settle({ kind: 'failure', failure, error: new Error(`no response head within ${input.timeoutMs} ms`), bodyStarted });
    }, input.timeoutMs);
    // Stays attached after settling: a late socket error must not become an uncaught 'error'.
    request.on('error', (error) => {
      settle({ kind: 'failure', failure: connected ? 'reset-before-response' : 'connect', error, bodyStarted });
    });
    request.on('response', (response) => settle({ kind: 'response', response, request, bodyStarted }));
    request.on('socket', (socket) => {
      const start = (): void => {
        if (settled) return;
        connected = true;
        if (hasBody) {
          bodyStarted = true;
          req.pipe(request);
        }
      };
      // A reused keep-alive socket is already connected.
      if (socket.connecting) socket.once('connect', start);
      else start();
    });
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    if (!hasBody) request.end();
  });
}

/** How streaming a response ended. */
export type PipeOutcome = 'completed' | 'client-aborted' | 'upstream-broken';

/**
 * Writes the member's status and headers (without hop-by-hop ones) and streams its
 * body; ends the attempt on the member exactly once.
 */
export function pipeResponse(
  res: ServerResponse,
  attempt: { readonly response: IncomingMessage; readonly request: ClientRequest },
  upstream: Upstream,
  signal: AbortSignal,
): Promise<PipeOutcome> {
  const { response, request } = attempt;
  return new Promise<PipeOutcome>((resolve) => {
    let settled = false;
    const settle = (outcome: PipeOutcome): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      upstream.end(outcome === 'completed');
      resolve(outcome);
    };
    const onAbort = (): void => {
      // The client left: stop the member's work too.
      request.destroy();
      settle('client-aborted');
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    res.writeHead(response.statusCode ?? 502, response.statusMessage, stripHopByHop(response.rawHeaders));
    finished(response, (err) => {
      if (!err) return;
      // The head is out, so there is no clean answer left: end the client's connection
      // so it sees a truncated body rather than a complete-looking one.
      res.destroy();
      settle(signal.aborted ? 'client-aborted' : 'upstream-broken');
    });
    res.once('finish', () => settle('completed'));
    res.once('close', () => {
      if (!res.writableFinished) onAbort();
    });
    response.pipe(res);
  });
}

/**
 * Opens the request to a member with the client's method and path and the given raw
 * headers (Host among them, so node sets none). `agent: false` gives a connection of
 * its own, as an upgrade needs.
 */
export function requestUpstream(req: IncomingMessage, upstream: Upstream, headers: readonly string[], agent: http.Agent | false): ClientRequest {
  return http.request({
    host: upstream.host,
    port: upstream.port,
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    headers: [...headers],
    agent,
    setHost: false,
  });
}
