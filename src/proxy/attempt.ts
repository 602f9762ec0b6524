// Forwarding a plain request: one try against one member on the pooled upstream client
// (upstream-client/), and the delivery of its answer. The request head is written as
// text once per request (the member's Host added per try when the client sent none);
// the body goes only once the connection is up, so a connect failure leaves it unread
// and the request can go to the next member as it is.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Framing } from './framing.js';
import type { Delivery, Flow, Job, TryResult } from './forward.js';
import { replyJson } from './replies.js';
import type { Reply } from './replies.js';
import type { UpstreamClient } from './upstream-client/client.js';
import type { UpstreamConnection } from './upstream-client/connection.js';
import type { Upstream } from './upstream.js';

/** A client request being forwarded. */
export interface RequestJob extends Job {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The member's headers (forwardRequestHeaders), Host first when the client sent one. */
  readonly headers: readonly string[];
  /** False for an HTTP/1.0 request without Host: the member is named instead. */
  readonly hasHost: boolean;
  /** How the body is forwarded. */
  readonly framing: Framing;
  /** The request line and headers as sent, made on the first try. */
  head: string | undefined;
}

/** The flow of plain requests, for the forwarding loop. */
export class RequestFlow implements Flow<RequestJob, UpstreamConnection> {
  readonly name = 'request';
  readonly #client: UpstreamClient;

  constructor(client: UpstreamClient) {
    this.#client = client;
  }

  attempt(job: RequestJob, upstream: Upstream): Promise<TryResult<UpstreamConnection>> {
    // Without a Host from the client, each member is named in its own head.
    const head = job.hasHost ? (job.head ??= requestHead(job, '')) : requestHead(job, `Host: ${upstream.host}:${upstream.port}\r\n`);
    return new Promise((resolve) => this.#client.send(upstream, job, head, resolve));
  }

  deliver(job: RequestJob, upstream: Upstream, answer: UpstreamConnection): Promise<Delivery> {
    const { gone } = job;
    if (gone.aborted) {
      answer.discard();
      upstream.end(false);
      return Promise.resolve('client-aborted');
    }
    return new Promise((resolve) => {
      let broken = false;
      // Settled when the client's response closes: flushed ('completed'), cut off by the
      // member ('upstream-broken') or by the client leaving.
      gone.whenClosed((finished) => {
        upstream.end(finished && !broken);
        resolve(broken ? 'upstream-broken' : finished ? 'completed' : 'client-aborted');
      });
      answer.deliver((b) => {
        broken = b;
        // Cut off: the client's response must close (it never looks complete).
        if (b) job.res.destroy();
      });
    });
  }

  discard(answer: UpstreamConnection): void {
    answer.discard();
  }

  reply(job: RequestJob, reply: Reply): void {
    replyJson(job.res, reply);
  }
}

/** The request head as written to the member: request line, `host` (a Host line or ''), the headers. */
function requestHead(job: RequestJob, host: string): string {
  const headers = job.headers;
  let head = `${job.method} ${job.url} HTTP/1.1\r\n${host}`;
  for (let i = 0; i + 1 < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
  return `${head}Connection: keep-alive\r\n\r\n`;
}
