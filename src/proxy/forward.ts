// The one forwarding loop, for plain requests and upgrades alike: select the next
// member → (wait in the queue if there is none) → attempt → on failure ask the retry
// rule → log. What an attempt is (a request with its body, or a protocol switch) is
// passed in as a Flow; everything about choosing, waiting and retrying lives here.
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { ClientGone } from './client-gone.js';
import { observe } from './observer.js';
import type { ProxyObserver, RequestOutcome } from './observer.js';
import type { UpstreamPool } from './pool.js';
import type { MemberQueue } from './queue.js';
import type { Reply } from './replies.js';
import { shouldRetry, usesAttempt } from './retry.js';
import type { AttemptFailure } from './retry.js';
import type { Upstream } from './upstream.js';

/** How one attempt went, before anything reached the client. */
export type TryResult<A> =
  /** The member answered with `status`; `answer` is handed back to deliver or discard. */
  | { readonly kind: 'answer'; readonly status: number; readonly answer: A }
  | { readonly kind: 'failure'; readonly failure: Exclude<AttemptFailure, 'response-started' | 'unhealthy-response'>; readonly error: Error }
  | { readonly kind: 'aborted' };

/** How delivering an answer to the client ended. */
export type Delivery = 'completed' | 'client-aborted' | 'upstream-broken';

/** One client request as the loop sees it; flows extend it with what their attempts need. */
export interface Job {
  readonly method: string;
  readonly url: string;
  /** Set when the client goes away. */
  readonly gone: ClientGone;
  /** Set by an attempt once part of the body went out: the request can no longer be replayed. */
  bodyStarted: boolean;
}

/** What differs between forwarding a request and an upgrade. */
export interface Flow<J extends Job, A> {
  /** For logs: `request` or `upgrade`. */
  readonly name: string;
  /** One try against one member; the member's begin() was called, the flow never ends it before deliver. */
  attempt(job: J, upstream: Upstream): Promise<TryResult<A>>;
  /** Sends the answer to the client; ends the member's attempt exactly once. */
  deliver(job: J, upstream: Upstream, answer: A): Promise<Delivery>;
  /** Drops an answer that will not be sent (its upstream connection is destroyed). */
  discard(answer: A): void;
  /** Sends the proxy's own error reply to the client. */
  reply(job: J, reply: Reply): void;
}

/** The parts the loop works with, shared by every request. */
export interface LoopContext {
  readonly pool: UpstreamPool;
  readonly queue: MemberQueue;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly observer: ProxyObserver;
  readonly maxAttempts: number;
  readonly upstreamTimeoutMs: number;
  /** Resolves true when the member is confirmed unhealthy and already out of the pool. */
  readonly confirmUnhealthy: ((upstream: Upstream) => Promise<boolean>) | undefined;
}

/** The outcome without its duration (the caller times the request). */
export type Outcome = Omit<RequestOutcome, 'durationMs'>;

/** Statuses that may mean the member itself is broken, not the request. */
const SUSPECT_STATUSES: ReadonlySet<number> = new Set([500, 502, 503, 504]);

/** Forwards one job: picks members, waits, retries, and answers the client in every case. */
export async function forward<J extends Job, A>(ctx: LoopContext, flow: Flow<J, A>, job: J): Promise<Outcome> {
  const { pool, queue, logger, observer } = ctx;
  // Made on the first failure: most requests are answered by the first member.
  let tried: Set<string> | undefined;
  let attempts = 0;
  let spent = 0;
  let waitedMs = 0;
  let last: { upstream: Upstream; failure: AttemptFailure } | undefined;

  for (;;) {
    if (job.gone.aborted) return aborted(attempts, last?.upstream);
    const upstream = pool.next(tried);
    if (upstream === undefined) {
      // Members left, but each was tried: the request has had its chances.
      if (pool.size > 0) return giveUp(ctx, flow, job, last, attempts);
      const since = ctx.clock.now();
      const waited = await queue.wait(job.gone.signal, queue.timeoutMs - waitedMs);
      waitedMs += ctx.clock.now() - since;
      if (waited === 'got') continue;
      if (waited === 'aborted') return aborted(attempts, last?.upstream);
      flow.reply(job, queue.unavailable(waited));
      return { status: 503, attempts, clientAborted: false, upstreamId: last?.upstream.id };
    }

    attempts++;
    upstream.begin();
    const result = await flow.attempt(job, upstream);

    if (result.kind === 'aborted') {
      upstream.end(false);
      return aborted(attempts, upstream);
    }

    if (result.kind === 'failure') {
      upstream.end(false);
      (tried ??= new Set()).add(upstream.id);
      const failure = result.failure;
      last = { upstream, failure };
      if (failure === 'connect') observe(observer, logger, 'connectError', upstream.id);
      if (failure === 'timeout') observe(observer, logger, 'upstreamTimeout', upstream.id);
      // A member that is confirmed gone (e.g. every container crashed) does not use up an attempt.
      const gone = failure !== 'timeout' && (await memberGone(ctx, job, upstream, failure));
      if (usesAttempt(failure, gone)) spent++;
      const decision = shouldRetry({ method: job.method, failure, attempt: spent, maxAttempts: ctx.maxAttempts, replayable: !job.bodyStarted });
      logger.warn(
        'proxy.upstream_failed',
        `${flow.name} ${job.method} ${job.url} to ${upstream.host}:${upstream.port} failed (${failure}: ${result.error.message}); ${decision.retry ? 'retrying' : 'not retrying'}: ${decision.reason}.`,
        { container: upstream.id, failure, attempt: attempts, retry: decision.retry },
      );
      if (!decision.retry) return giveUp(ctx, flow, job, last, attempts);
      observe(observer, logger, 'retry', upstream.id, decision.reason);
      continue;
    }

    if (SUSPECT_STATUSES.has(result.status) && (await memberGone(ctx, job, upstream, 'unhealthy-response'))) {
      flow.discard(result.answer);
      upstream.end(false);
      (tried ??= new Set()).add(upstream.id);
      last = { upstream, failure: 'unhealthy-response' };
      logger.warn(
        'proxy.upstream_unhealthy',
        `${upstream.host}:${upstream.port} answered ${result.status} and is confirmed unhealthy; retrying ${job.method} ${job.url} on another member.`,
        { container: upstream.id, status: result.status },
      );
      observe(observer, logger, 'retry', upstream.id, `confirmed unhealthy after ${result.status}`);
      continue;
    }
    if (job.gone.aborted) {
      flow.discard(result.answer);
      upstream.end(false);
      return aborted(attempts, upstream);
    }

    const delivery = await flow.deliver(job, upstream, result.answer);
    if (delivery === 'client-aborted') return aborted(attempts, upstream);
    if (delivery === 'upstream-broken') {
      logger.warn(
        'proxy.response_broken',
        `${upstream.host}:${upstream.port} broke off its response to ${job.method} ${job.url} after the head was sent; the client got a truncated response.`,
        { container: upstream.id, status: result.status },
      );
    }
    return { status: result.status, upstreamId: upstream.id, attempts, clientAborted: false };
  }
}

/**
 * Whether the member that just failed is out of the pool: already removed, or — when
 * the request could be retried at all — confirmed unhealthy by confirmUnhealthy (which
 * removes it). Such a failure does not use up an attempt (usesAttempt). Timeouts are
 * not asked about: the health checker judges those (its own stalls included).
 */
async function memberGone(ctx: LoopContext, job: Job, upstream: Upstream, failure: AttemptFailure): Promise<boolean> {
  // Only when the method and body allow a retry: otherwise the answer changes nothing
  // (and a 5xx to a POST is passed through, never dropped).
  const eligible = shouldRetry({ method: job.method, failure, attempt: 0, maxAttempts: ctx.maxAttempts, replayable: !job.bodyStarted });
  if (!eligible.retry) return false;
  if (ctx.pool.get(upstream.id) !== upstream) return true;
  const confirm = ctx.confirmUnhealthy;
  if (confirm === undefined) return false;
  let timer: unknown;
  const timeout = new Promise<boolean>((resolve) => {
    timer = ctx.clock.setTimeout(() => resolve(false), ctx.upstreamTimeoutMs);
  });
  try {
    return await Promise.race([confirm(upstream), timeout]);
  } catch (error) {
    ctx.logger.warn('proxy.hook_failed', `confirmUnhealthy threw: ${String(error)}`, { container: upstream.id });
    return false;
  } finally {
    ctx.clock.clearTimeout(timer);
  }
}

/** The 502/504 after the last failure. */
function giveUp<J extends Job, A>(
  ctx: LoopContext,
  flow: Flow<J, A>,
  job: J,
  last: { upstream: Upstream; failure: AttemptFailure } | undefined,
  attempts: number,
): Outcome {
  const upstreamId = last?.upstream.id;
  if (last?.failure === 'timeout') {
    flow.reply(job, { status: 504, code: 'GATEWAY_TIMEOUT', message: `The container did not answer within ${ctx.upstreamTimeoutMs} ms.` });
    return { status: 504, attempts, clientAborted: false, upstreamId };
  }
  const tries = `${attempts} attempt${attempts === 1 ? '' : 's'}`;
  flow.reply(job, { status: 502, code: 'BAD_GATEWAY', message: `No container could answer this ${flow.name} (${tries}); try again.` });
  return { status: 502, attempts, clientAborted: false, upstreamId };
}

function aborted(attempts: number, upstream: Upstream | undefined): Outcome {
  return { status: 499, attempts, clientAborted: true, upstreamId: upstream?.id };
}
