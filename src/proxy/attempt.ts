// Forwarding a plain request: one try against one member, and the streaming of its
// response. The body is piped only once the connection is up, so a connect failure
// leaves it unread and the request can go to the next member as it is. A connection
// whose response cannot be forwarded whole and unambiguously is destroyed, not reused.
import http from 'node:http';
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Clock } from '../clock.js';
import type { Framing } from './framing.js';
import { MAX_FORWARDED_HEADERS } from './framing.js';
import type { Delivery, Flow, TryResult } from './forward.js';
import { stripHopByHop } from './headers.js';
import { replyJson } from './replies.js';
import type { Reply } from './replies.js';
import { memberRequest } from './member-request.js';
import type { MemberRequestJob } from './member-request.js';
import { claimSocket } from './upstream-agent.js';
import type { Upstream } from './upstream.js';

/** A client request being forwarded. */
export interface RequestJob extends MemberRequestJob {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** How the body is forwarded (headers come from forwardRequestHeaders, Host first when the client sent one). */
  readonly framing: Framing;
}

/** A member's response head, not yet sent on. */
export interface Answer {
  readonly response: IncomingMessage;
  readonly request: ClientRequest;
}

/** The flow of plain requests, for the forwarding loop. */
export class RequestFlow implements Flow<RequestJob, Answer> {
  readonly name = 'request';
  readonly #agent: http.Agent;
  readonly #clock: Clock;
  readonly #timeoutMs: number;

  constructor(agent: http.Agent, clock: Clock, timeoutMs: number) {
    this.#agent = agent;
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
  }

  attempt(job: RequestJob, upstream: Upstream): Promise<TryResult<Answer>> {
    return sendAttempt(job, upstream, this.#agent, this.#clock, this.#timeoutMs);
  }

  deliver(job: RequestJob, upstream: Upstream, answer: Answer): Promise<Delivery> {
    return pipeResponse(job, answer, upstream);
  }

  discard(answer: Answer): void {
    answer.request.destroy();
  }

  reply(job: RequestJob, reply: Reply): void {
    replyJson(job.res, reply);
  }
}

/** Why a response head cannot be forwarded whole and unambiguously, or undefined. */
function responseDoubt(response: IncomingMessage): string | undefined {
  if (response.rawHeaders.length / 2 > MAX_FORWARDED_HEADERS) return `more than ${MAX_FORWARDED_HEADERS} header fields`;
  const coding = response.headers['transfer-encoding'];
  // node reads any other coding as "until close"; stripping it would change the body's meaning.
  if (coding !== undefined && coding.replace(/^[ \t]+|[ \t]+$/g, '').toLowerCase() !== 'chunked') return `Transfer-Encoding "${coding}"`;
  return undefined;
}

/** Sends the request to one member and resolves when its response head arrives or the attempt fails. */
function sendAttempt(job: RequestJob, upstream: Upstream, agent: http.Agent, clock: Clock, timeoutMs: number): Promise<TryResult<Answer>> {
  const hasBody = job.framing.kind === 'chunked' || (job.framing.kind === 'length' && job.framing.length > 0);
  return memberRequest<Answer>(job, upstream, { agent, clock, timeoutMs, awaiting: 'response head' }, (request, control) => {
    // Counted ourselves (responseDoubt): node would cut the list silently.
    request.maxHeadersCount = 0;
    request.on('response', (response) => {
      const doubt = responseDoubt(response);
      if (doubt === undefined) return control.settle({ kind: 'answer', status: response.statusCode ?? 502, answer: { response, request } });
      request.destroy();
      control.settle({ kind: 'failure', failure: 'invalid-response', error: new Error(`the response cannot be forwarded whole: ${doubt}`) });
    });
    request.on('socket', (socket: Socket) => {
      claimSocket(socket);
      const start = (): void => {
        if (control.settled) return;
        control.connected = true;
        if (hasBody) {
          job.bodyStarted = true;
          sendBody(job.req, request);
        }
      };
      // A reused keep-alive socket is already connected.
      if (socket.connecting) socket.once('connect', start);
      else start();
    });
    if (!hasBody) request.end();
  });
}

/** Streams the client's body to the member, then its trailers (minus any that frame or are hop-by-hop). */
function sendBody(req: IncomingMessage, request: ClientRequest): void {
  req.pipe(request, { end: false });
  req.once('end', () => {
    if (req.rawTrailers.length > 0) {
      const raw = stripHopByHop(req.rawTrailers);
      const pairs: [string, string][] = [];
      for (let i = 0; i + 1 < raw.length; i += 2) {
        const name = raw[i] ?? '';
        const lower = name.toLowerCase();
        if (lower !== 'content-length' && lower !== 'host') pairs.push([name, raw[i + 1] ?? '']);
      }
      if (pairs.length > 0) request.addTrailers(pairs);
    }
    request.end();
  });
}

/**
 * Writes the member's status and headers (without hop-by-hop ones) and streams its
 * body; ends the attempt on the member exactly once.
 */
function pipeResponse(job: RequestJob, answer: Answer, upstream: Upstream): Promise<Delivery> {
  const { res, gone } = job;
  const { response, request } = answer;
  return new Promise<Delivery>((resolve) => {
    let settled = false;
    const settle = (outcome: Delivery): void => {
      if (settled) return;
      settled = true;
      gone.unlisten(onAbort);
      // An answer that came before the whole body went out leaves that connection mid-request.
      if (!request.writableFinished) request.destroy();
      upstream.end(outcome === 'completed');
      resolve(outcome);
    };
    // The client left (its response closed unfinished; server.ts tells `gone`): stop the member's work too.
    const onAbort = (): void => {
      request.destroy();
      settle('client-aborted');
    };
    gone.listen(onAbort);
    if (settled) return;
    // The rest of the client's body will not be forwarded: its connection cannot carry another request.
    if (!request.writableFinished) res.shouldKeepAlive = false;
    res.writeHead(response.statusCode ?? 502, response.statusMessage, stripHopByHop(response.rawHeaders));
    // One 'close' listener instead of stream.finished()'s set: the member's response
    // closes either after its last byte was parsed (complete) or broken off.
    response.once('close', () => {
      if (response.complete) return;
      // The head is out, so there is no clean answer left: end the client's connection
      // so it sees a truncated body rather than a complete-looking one.
      res.destroy();
      settle(gone.aborted ? 'client-aborted' : 'upstream-broken');
    });
    res.once('finish', () => settle('completed'));
    response.pipe(res);
  });
}
