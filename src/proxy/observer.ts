// What the proxy reports to whoever counts (metrics, status), and the one way it calls
// those hooks: a throwing hook is logged, never allowed into a request.
import type { Logger } from '../log.js';

/** How one client request ended, as reported to the observer. */
export interface RequestOutcome {
  /** Status sent to the client; 499 when the client went away first. */
  readonly status: number;
  readonly durationMs: number;
  /** The member that answered (or was tried last); undefined when none was tried. */
  readonly upstreamId: string | undefined;
  readonly attempts: number;
  readonly clientAborted: boolean;
}

/** Metrics hooks; every one is optional and a throwing hook never breaks a request. */
export interface ProxyObserver {
  requestDone?(outcome: RequestOutcome): void;
  /** A connection to a member failed before anything was sent. */
  connectError?(upstreamId: string): void;
  /** A request is being sent again after a failure on `upstreamId`. */
  retry?(upstreamId: string, reason: string): void;
  /** A request started waiting for a ready member. */
  queued?(): void;
  /** A wait ended: `gotMember` false means it timed out, the client left or the proxy is closing. */
  queueWaitDone?(waitMs: number, gotMember: boolean): void;
  /** A request found the queue full and got 503 without waiting. */
  queueRejected?(): void;
  /** A member sent no response head within the upstream timeout. */
  upstreamTimeout?(upstreamId: string): void;
}

/** Calls one hook of `observer`; a throw is logged as `proxy.hook_failed`. */
export function observe<K extends keyof ProxyObserver>(
  observer: ProxyObserver,
  logger: Logger,
  hook: K,
  ...args: Parameters<NonNullable<ProxyObserver[K]>>
): void {
  const fn = observer[hook] as ((...a: unknown[]) => void) | undefined;
  if (fn === undefined) return;
  try {
    fn.apply(observer, args);
  } catch (error) {
    logger.warn('proxy.hook_failed', `observer.${hook} threw: ${String(error)}`);
  }
}
