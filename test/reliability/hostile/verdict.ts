// The rules one hostile case is judged by, as a pure function of what was observed:
// the reference's parse, what the upstream received (strictly parsed), and what the
// hostile client and the victims got back.
import type { RefRequest, ReferenceResult } from './reference.js';
import type { UpstreamConnection } from './recording-upstream.js';
import { readClientView } from './responses.js';
import type { Framing, StrictRequest } from './strict-parser.js';

/** What happened to one victim request (a normal GET on its own connection). */
export interface VictimResult {
  readonly url: string;
  readonly received: Buffer;
}

/** Everything observed for one case. */
export interface Observation {
  readonly reference: ReferenceResult;
  /** What the hostile client got back from the proxy, and whether the proxy closed it. */
  readonly client: { readonly received: Buffer; readonly closed: boolean };
  readonly upstream: readonly UpstreamConnection[];
  readonly victims: readonly VictimResult[];
  /** True when the front's close() had not finished within the cap (read after the run). */
  readonly closeHung: () => boolean;
}

/** Kinds of broken promise, one per rule. */
export type ViolationClass =
  | 'forwarded-not-parsed'
  | 'framing-mismatch'
  | 'header-mismatch'
  | 'ambiguous-forwarded'
  | 'stray-bytes'
  | 'misdelivered'
  | 'victim-failed'
  | 'answer-lost'
  | 'silent-close'
  | 'close-hung';

/** One broken rule with what shows it. */
export interface Violation {
  readonly class: ViolationClass;
  readonly detail: string;
}

/** The judgement of one case. */
export interface Verdict {
  readonly violations: readonly Violation[];
  /** The reference refused at least part of the bytes (4xx, or closed). */
  readonly referenceRejected: boolean;
  /** Hostile requests the upstream received. */
  readonly forwarded: number;
  /** Nothing was forwarded and the proxy answered 4xx/5xx itself or closed. */
  readonly refusedByProxy: boolean;
}

/** Paths the victims use; hostile cases never do. */
export const VICTIM_PREFIX = '/victim/';

/**
 * Hop-by-hop headers a proxy may drop (RFC 9110 §7.6.1), the ones it rewrites, and
 * Expect, which node:http already answered (100 Continue) on the client's side.
 */
const NOT_END_TO_END = new Set([
  'expect',
  'connection',
  'proxy-connection',
  'keep-alive',
  'te',
  'trailer',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
  'transfer-encoding',
  'content-length',
  'host',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
]);
/** Never removable, whatever Connection lists. */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'host']);

/** Judges one observation. */
export function judge(obs: Observation): Verdict {
  const violations: Violation[] = [];
  const add = (cls: ViolationClass, detail: string): void => void violations.push({ class: cls, detail });

  const hostile: StrictRequest[] = [];
  for (const [i, conn] of obs.upstream.entries()) {
    if (conn.parse.error !== undefined) {
      const at = conn.parse.errorAt ?? 0;
      add('ambiguous-forwarded', `upstream connection ${i}: ${conn.parse.error}; bytes from ${at}: ${show(conn.bytes.subarray(at, at + 160))}`);
    }
    if (conn.parse.pendingHead > 0) {
      add('stray-bytes', `upstream connection ${i} ends with ${conn.parse.pendingHead} bytes that are no whole request: ${show(conn.bytes.subarray(conn.bytes.length - conn.parse.pendingHead).subarray(0, 160))}`);
    }
    for (const r of conn.parse.requests) if (!r.target.startsWith(VICTIM_PREFIX)) hostile.push(r);
  }

  const unmatched = [...obs.reference.requests];
  for (const up of hostile) {
    const candidates = unmatched.filter((r) => r.method === up.method && r.url === up.target);
    const exact = candidates.find((r) => compare(r, up).length === 0);
    const ref = exact ?? candidates[0];
    if (ref === undefined) {
      add('forwarded-not-parsed', `upstream received ${up.method} ${up.target} (${describeFraming(up.framing)}, ${up.body.length} body bytes), which the reference never parsed (it parsed: ${obs.reference.requests.map((r) => `${r.method} ${r.url}`).join(', ') || 'nothing'})`);
      continue;
    }
    unmatched.splice(unmatched.indexOf(ref), 1);
    for (const v of compare(ref, up)) violations.push(v);
  }

  const client = readClientView(obs.client.received);
  const hostileTargets = hostile.map((r) => r.target);
  for (const echo of client.echoes) {
    const i = hostileTargets.indexOf(echo);
    if (i < 0) add('misdelivered', `the hostile client got the response to ${echo}, which it did not send`);
    else hostileTargets.splice(i, 1);
  }

  // Answers the upstream gave to hostile requests must reach the hostile client, save as
  // many as the reference itself dropped (node:http answers a bad pipelined request with
  // 400 at once and never answers the good ones parsed before it).
  const reference = readClientView(obs.reference.response);
  const refDropped = obs.reference.requests.filter((r) => r.complete && !r.connect).length - reference.statuses.filter((s) => s >= 200 && s < 300).length;
  const delivered = [...client.echoes];
  const lost = obs.upstream
    .flatMap((c) => c.answered)
    .filter((t) => !t.startsWith(VICTIM_PREFIX))
    .filter((target) => {
      const i = delivered.indexOf(target);
      if (i >= 0) delivered.splice(i, 1);
      return i < 0;
    });
  if (lost.length > Math.max(0, refDropped)) {
    add('answer-lost', `the upstream answered ${lost.join(', ')}, but the hostile client never got ${lost.length === 1 ? 'that answer' : 'those answers'} (it got statuses [${client.statuses.join(', ')}]; the reference dropped ${Math.max(0, refDropped)})`);
  }

  for (const victim of obs.victims) {
    const view = readClientView(victim.received);
    const foreign = view.echoes.filter((e) => e !== victim.url);
    if (foreign.length > 0) add('misdelivered', `victim ${victim.url} got the response to ${foreign.join(', ')}`);
    else if (view.statuses[0] !== 200 || view.echoes.length !== 1) {
      add('victim-failed', `victim ${victim.url} got statuses [${view.statuses.join(', ')}] with echoes [${view.echoes.join(', ')}] (${victim.received.length} bytes)`);
    }
  }

  const refConnect = obs.reference.requests.some((r) => r.connect);
  if (obs.client.closed && obs.client.received.length === 0 && (obs.reference.response.length > 0 || refConnect)) {
    add('silent-close', `the proxy closed the connection without a response; the reference ${refConnect ? 'parsed a CONNECT' : `answered [${reference.statuses.join(', ')}]`}`);
  }

  if (obs.closeHung()) add('close-hung', 'ProxyServer.close({ graceMs: 0 }) had not finished within the cap after this input');

  const referenceRejected = reference.statuses.some((s) => s >= 400) || refConnect || (obs.reference.closed && obs.reference.response.length === 0);
  const refusedByProxy = hostile.length === 0 && (client.statuses.some((s) => s >= 400) || obs.client.closed);
  return { violations, referenceRejected, forwarded: hostile.length, refusedByProxy };
}

/** Differences between what the client sent (as the reference read it) and what the upstream got. */
function compare(ref: RefRequest, up: StrictRequest): Violation[] {
  const out: Violation[] = [];
  const what = `${up.method} ${up.target}`;
  const refPairs = pairs(ref.rawHeaders);
  const want = framingOf(refPairs);
  if (!sameFraming(want, up.framing)) {
    out.push({ class: 'framing-mismatch', detail: `${what}: the client sent ${describeFraming(want)}, the upstream got ${describeFraming(up.framing)}` });
  }
  if (up.complete && !ref.complete) {
    out.push({ class: 'framing-mismatch', detail: `${what}: the upstream got a complete message (${up.body.length} body bytes) the client never finished (${ref.body.length} so far)` });
  } else if (up.complete ? !up.body.equals(ref.body) : !ref.body.subarray(0, up.body.length).equals(up.body)) {
    out.push({ class: 'framing-mismatch', detail: `${what}: body differs: client ${show(ref.body.subarray(0, 80))} (${ref.body.length} bytes), upstream ${show(up.body.subarray(0, 80))} (${up.body.length} bytes)` });
  }
  const listed = connectionTokens(refPairs);
  const sent = endToEnd(refPairs, listed);
  const got = endToEnd(up.headers, listed);
  if (sent.length !== got.length || sent.some((h, i) => h !== got[i])) {
    const missing = sent.filter((h) => !got.includes(h));
    const extra = got.filter((h) => !sent.includes(h));
    out.push({
      class: 'header-mismatch',
      detail: `${what}: client sent ${sent.length} end-to-end headers, upstream got ${got.length}; missing ${show(Buffer.from(missing.slice(0, 3).join(' | '), 'latin1'))}, extra ${show(Buffer.from(extra.slice(0, 3).join(' | '), 'latin1'))}`,
    });
  }
  if (up.complete && ref.complete) {
    const sentTrailers = endToEnd(pairs(ref.rawTrailers), listed);
    const gotTrailers = endToEnd(up.trailers, listed);
    if (sentTrailers.join('\n') !== gotTrailers.join('\n')) {
      out.push({ class: 'header-mismatch', detail: `${what}: trailers differ: client ${show(Buffer.from(sentTrailers.join(' | '), 'latin1'))}, upstream ${show(Buffer.from(gotTrailers.join(' | '), 'latin1'))}` });
    }
  }
  const refHosts = refPairs.filter(([n]) => n === 'host').map(([, v]) => v);
  const upHosts = up.headers.filter(([n]) => n.toLowerCase() === 'host').map(([, v]) => v);
  if (refHosts.length > 0 && (refHosts.length !== upHosts.length || refHosts.some((h, i) => h !== upHosts[i]))) {
    out.push({ class: 'header-mismatch', detail: `${what}: the client sent Host ${JSON.stringify(refHosts)}, the upstream got ${JSON.stringify(upHosts)}` });
  }
  return out;
}

function pairs(raw: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([(raw[i] ?? '').toLowerCase(), raw[i + 1] ?? '']);
  return out;
}

function connectionTokens(headers: readonly (readonly [string, string])[]): Set<string> {
  const tokens = new Set<string>();
  for (const [name, value] of headers) {
    if (name.toLowerCase() !== 'connection') continue;
    for (const t of value.split(',')) if (t.trim() !== '') tokens.add(t.trim().toLowerCase());
  }
  return tokens;
}

function endToEnd(headers: readonly (readonly [string, string])[], listed: ReadonlySet<string>): string[] {
  return headers
    .map(([n, v]) => [n.toLowerCase(), v] as const)
    .filter(([n]) => !NOT_END_TO_END.has(n) && !(listed.has(n) && !FRAMING.has(n)))
    .map(([n, v]) => `${n}: ${v}`);
}

function framingOf(headers: readonly (readonly [string, string])[]): Framing {
  if (headers.some(([n]) => n === 'transfer-encoding')) return { kind: 'chunked' };
  const cl = headers.find(([n]) => n === 'content-length');
  return cl === undefined ? { kind: 'none' } : { kind: 'length', length: Number(cl[1].trim()) };
}

function sameFraming(want: Framing, got: Framing): boolean {
  const empty = (f: Framing): boolean => f.kind === 'none' || (f.kind === 'length' && f.length === 0);
  if (empty(want)) return empty(got);
  if (want.kind === 'length') return got.kind === 'length' && got.length === want.length;
  return got.kind === want.kind;
}

function describeFraming(f: Framing): string {
  return f.kind === 'length' ? `Content-Length ${f.length}` : f.kind === 'chunked' ? 'chunked' : 'no body framing';
}

/** Bytes as a JSON string, so CR, LF and NUL are visible, and bytes from 0x7F up as \xNN. */
export function show(bytes: Buffer): string {
  return JSON.stringify(bytes.toString('latin1')).replace(/[\x7f-\xff]/g, (c) => `\\x${c.charCodeAt(0).toString(16)}`);
}
