// Whether a failed attempt may be tried again on the next member: one function, so the
// safety rule lives in one place (Caddy's tryAgain).

/**
 * How an attempt failed:
 * - `connect`: no connection was made (ECONNREFUSED, EHOSTUNREACH, connect timeout); nothing was sent.
 * - `reset-before-response`: the connection broke after the request went out, before a response head.
 * - `timeout`: no response head within the upstream timeout.
 * - `invalid-response`: the response head cannot be forwarded whole and unambiguously
 *   (too many fields, a transfer coding other than chunked); its connection was destroyed.
 * - `response-started`: the response head (and maybe body) already reached the client.
 * - `unhealthy-response`: a 5xx that a health probe confirmed; the member left the pool and nothing reached the client.
 */
export type AttemptFailure =
  | 'connect'
  | 'reset-before-response'
  | 'timeout'
  | 'invalid-response'
  | 'response-started'
  | 'unhealthy-response';

/** Inputs of the retry decision. */
export interface RetryInput {
  readonly method: string;
  readonly failure: AttemptFailure;
  /** Attempts that used up the budget so far (see usesAttempt), the failed one included if it did. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /**
   * False when part of a request body was already sent and cannot be sent again (the
   * proxy streams bodies, it does not keep a copy). @default true
   */
  readonly replayable?: boolean;
}

/**
 * Whether a failed attempt uses up one of the request's maxAttempts. Not when the member
 * is confirmed gone (out of the pool, e.g. a 5xx its health probe confirmed): that says
 * the member is broken, not the request, so an idempotent request keeps its chances
 * and waits for a ready member (bounded by the queue timeout) instead of failing.
 */
export function usesAttempt(failure: AttemptFailure, memberLeftPool: boolean): boolean {
  return failure === 'response-started' || !memberLeftPool;
}

/** The decision and why, for logs and metrics. */
export interface RetryDecision {
  readonly retry: boolean;
  readonly reason: string;
}

/** Methods that RFC 9110 defines as idempotent: sending them twice has the effect of once. */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/** True for methods that may be repeated safely. */
export function isIdempotent(method: string): boolean {
  return IDEMPOTENT_METHODS.has(method.toUpperCase());
}

/** Decides whether to try the request again on another member. */
export function shouldRetry(input: RetryInput): RetryDecision {
  const { method, failure, attempt, maxAttempts } = input;
  // Checked first: once the client has bytes, a second response cannot be sent.
  if (failure === 'response-started') return { retry: false, reason: 'response already started' };
  if (attempt >= maxAttempts) return { retry: false, reason: `attempts exhausted (${attempt}/${maxAttempts})` };
  // Nothing reached the member, so even a POST cannot have had an effect.
  if (failure === 'connect') return { retry: true, reason: 'connect failed, nothing was sent' };
  if (!isIdempotent(method)) return { retry: false, reason: `${method.toUpperCase()} is not idempotent` };
  if (input.replayable === false) return { retry: false, reason: 'request body already sent' };
  return { retry: true, reason: `${failure} on idempotent ${method.toUpperCase()}` };
}
