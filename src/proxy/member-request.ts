// The shell of one try against one member, shared by plain requests (attempt.ts) and
// upgrades (tunnel.ts): the request is opened with the client's method, target and
// headers, and settles exactly once — with the flow's answer, a socket error, the
// client leaving, or no answer within the upstream timeout. What counts as an answer
// is the flow's business (`wire`).
import http from 'node:http';
import type { ClientRequest } from 'node:http';
import type { Clock } from '../clock.js';
import type { Job, TryResult } from './forward.js';
import type { Upstream } from './upstream.js';

/** What the shell needs of a job: the request line, the member's headers, whether the client left. */
export interface MemberRequestJob extends Job {
  readonly headers: readonly string[];
  /** False for an HTTP/1.0 request without Host: the member is named instead. */
  readonly hasHost: boolean;
}

/** What a flow's `wire` gets to finish the request with. */
export interface MemberRequestControl<A> {
  /** Settles the try (later calls do nothing). */
  settle(result: TryResult<A>): void;
  /** True once the flow says the connection is up: a failure after it may have reached the member. */
  connected: boolean;
  /** True once settled. */
  readonly settled: boolean;
}

/** Options of one try. */
export interface MemberRequestOptions {
  /** Keep-alive agent, or false for a connection of its own (an upgrade becomes the tunnel). */
  readonly agent: http.Agent | false;
  readonly clock: Clock;
  readonly timeoutMs: number;
  /** What the deadline waits for, for the error: `response head`, `handshake answer`. */
  readonly awaiting: string;
}

/**
 * Opens the request to `upstream` and resolves once it settles. `wire` attaches the
 * flow's own listeners (its answer, its body) and ends the request when it should.
 */
export function memberRequest<A>(
  job: MemberRequestJob,
  upstream: Upstream,
  options: MemberRequestOptions,
  wire: (request: ClientRequest, control: MemberRequestControl<A>) => void,
): Promise<TryResult<A>> {
  const { gone } = job;
  const { clock, timeoutMs } = options;
  return new Promise<TryResult<A>>((resolve) => {
    // node:http only reads the list: a job's own headers go as they are, retries included.
    const headers = job.hasHost ? job.headers : ['Host', `${upstream.host}:${upstream.port}`, ...job.headers];
    const request = http.request({
      host: upstream.host,
      port: upstream.port,
      method: job.method,
      path: job.url,
      headers,
      agent: options.agent,
      setHost: false,
    });
    const control: MemberRequestControl<A> = {
      connected: false,
      settled: false,
      settle(result) {
        if (control.settled) return;
        (control as { settled: boolean }).settled = true;
        clock.clearTimeout(timer);
        gone.unlisten(onAbort);
        resolve(result);
      },
    };
    const onAbort = (): void => {
      request.destroy();
      control.settle({ kind: 'aborted' });
    };
    const timer = clock.setTimeout(() => {
      // Before the connection is up nothing was sent: that is a connect failure.
      const failure = control.connected ? 'timeout' : 'connect';
      request.destroy();
      control.settle({ kind: 'failure', failure, error: new Error(`no ${options.awaiting} within ${timeoutMs} ms`) });
    }, timeoutMs);
    // Stays attached after settling: a late socket error must not become an uncaught 'error'.
    request.on('error', (error) => {
      control.settle({ kind: 'failure', failure: control.connected ? 'reset-before-response' : 'connect', error });
    });
    wire(request, control);
    gone.listen(onAbort);
  });
}
