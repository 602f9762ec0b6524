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
  /** How the probe failed (see probeFailure). @default 'connection' */
  readonly failure?: ProbeFailure;
}

/**
 * How a probe failed: `timeout`, it did not answer in time (the app may only be busy:
 * its in-flight requests can still finish); `status`, it answered something other
 * than 200; `connection`, the connection was refused or dropped (nobody serves there).
 */
export type ProbeFailure = 'timeout' | 'status' | 'connection';

/** What the owner should do after a probe. */
export type Verdict =
  | { readonly kind: 'ready' } // starting → join the rotation now
  | { readonly kind: 'ok' } // ready and still healthy
  | { readonly kind: 'waiting' } // starting, not answering yet, still within its startup time
  | { readonly kind: 'unhealthy'; readonly reason: string; readonly failure: ProbeFailure }; // take it out and replace it

/** Turns a probe outcome into ready / ok / waiting / unhealthy. */
export function healthVerdict(input: VerdictInput): Verdict {
  const detail = input.detail ?? 'no 200';
  const failure = input.failure ?? 'connection';
  if (input.phase === 'starting') {
    // The first 200 counts even if it comes late: the app is up, so use it.
    if (input.ok) return { kind: 'ready' };
    if (input.now - input.startedAt < input.startupTimeoutMs) return { kind: 'waiting' };
    // Refused to the end (a reset, through Docker's proxy): most likely a wrong container port.
    const hint = detail === 'ECONNREFUSED' || detail === 'ECONNRESET' ? ' (nothing accepted connections on the container port: does the app listen on --container-port?)' : '';
    return { kind: 'unhealthy', reason: `did not answer 200 within ${seconds(input.startupTimeoutMs)}: ${detail}${hint}`, failure };
  }
  if (input.ok) return { kind: 'ok' };
  // A ready container gets no grace: one failed probe and traffic must stop going there.
  return { kind: 'unhealthy', reason: `health check failed: ${detail}`, failure };
}

/** A probe result as the detail for a verdict: `HTTP 500`, `timeout`, `ECONNREFUSED`. */
export function describeProbe(result: Pick<HealthResult, 'ok' | 'status' | 'error'>): string {
  if (result.error !== undefined) return result.status === undefined ? result.error : `HTTP ${result.status} then ${result.error}`;
  if (result.status !== undefined) return `HTTP ${result.status}`;
  return result.ok ? 'HTTP 200' : 'no answer';
}

/** Which kind of failure a failed probe was: a non-200 answer wins over a later timeout. */
export function probeFailure(result: Pick<HealthResult, 'status' | 'error'>): ProbeFailure {
  if (result.status !== undefined && result.status !== 200) return 'status';
  if (result.error === 'timeout') return 'timeout';
  return result.error === undefined ? 'status' : 'connection';
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`;
}
