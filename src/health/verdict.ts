// What one health probe means for a container. Pure: the caller passes the phase,
// the probe's outcome and the time; the owner acts on the verdict.
import type { HealthResult } from '../status.js';

/** Inputs of the health verdict. */
export interface VerdictInput {
  /** 'starting': not yet in rotation; 'ready': serving traffic. */
  readonly phase: 'starting' | 'ready';
  /** The probe answered exactly 200. */
  readonly ok: boolean;
  readonly now: number;
  /** When the container was started (its startup timeout counts from here). */
  readonly startedAt: number;
  /** How long a starting container may take to answer its first 200. */
  readonly startupTimeoutMs: number;
  /** What went wrong, for the reason: `HTTP 500`, `timeout`, `ECONNREFUSED`. */
  readonly detail?: string;
}

/** What the owner should do after a probe. */
export type Verdict =
  | { readonly kind: 'ready' } // starting → join the rotation now
  | { readonly kind: 'ok' } // ready and still healthy
  | { readonly kind: 'waiting' } // starting, not answering yet, still within its startup time
  | { readonly kind: 'unhealthy'; readonly reason: string }; // take it out and replace it

/** Turns a probe outcome into ready / ok / waiting / unhealthy. */
export function healthVerdict(input: VerdictInput): Verdict {
  const detail = input.detail ?? 'no 200';
  if (input.phase === 'starting') {
    // The first 200 counts even if it comes late: the app is up, so use it.
    if (input.ok) return { kind: 'ready' };
    if (input.now - input.startedAt < input.startupTimeoutMs) return { kind: 'waiting' };
    return { kind: 'unhealthy', reason: `did not answer 200 within ${seconds(input.startupTimeoutMs)}: ${detail}` };
  }
  if (input.ok) return { kind: 'ok' };
  // A ready container gets no grace: one failed probe and traffic must stop going there.
  return { kind: 'unhealthy', reason: `health check failed: ${detail}` };
}

/** A probe result as the detail for a verdict: `HTTP 500`, `timeout`, `ECONNREFUSED`. */
export function describeProbe(result: Pick<HealthResult, 'ok' | 'status' | 'error'>): string {
  if (result.error !== undefined) return result.status === undefined ? result.error : `HTTP ${result.status} then ${result.error}`;
  if (result.status !== undefined) return `HTTP ${result.status}`;
  return result.ok ? 'HTTP 200' : 'no answer';
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`;
}
