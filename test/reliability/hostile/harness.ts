// The differential harness: runs one raw request stream straight into the reference
// parser, then through a front (the ProxyServer over one recording upstream) with
// victim clients interleaved on the same upstream pool, and judges what each side saw
// (verdict.ts). The reference goes first so the proxy run knows how many answers to
// wait for; settling is by events where they exist and by a short quiet period else.
import { UpstreamPool } from '../../../src/proxy/pool.js';
import { ProxyServer } from '../../../src/proxy/server.js';
import { Upstream } from '../../../src/proxy/upstream.js';
import { Quiet, exchange, openRaw, until } from './io.js';
import { startRecordingUpstream } from './recording-upstream.js';
import type { RecordingUpstreamOptions } from './recording-upstream.js';
import { countAnswers } from './reference.js';
import type { ReferenceServer } from './reference.js';
import { VICTIM_PREFIX, judge } from './verdict.js';
import type { Observation, Verdict, VictimResult } from './verdict.js';

/** One hostile input: a name, the class it belongs to, and the exact bytes. */
export interface HostileCase {
  readonly name: string;
  readonly class: string;
  readonly bytes: Buffer;
  /** Offsets where the bytes are cut into separate writes (a pause between); none: one write. */
  readonly splits?: readonly number[];
}

/** Something listening on a port that forwards to the recording upstream. */
export interface Front {
  readonly port: number;
  close(): Promise<void>;
}

/** Starts a front over the upstream at 127.0.0.1:upstreamPort. */
export type StartFront = (upstreamPort: number) => Promise<Front>;

/** The real thing: a ProxyServer whose pool holds one member, so keep-alive reuse happens. */
export const proxyFront: StartFront = async (upstreamPort) => {
  const pool = new UpstreamPool();
  pool.add(new Upstream('recording', upstreamPort));
  const proxy = new ProxyServer({ pool });
  const { port } = await proxy.listen(0);
  return { port, close: () => proxy.close({ graceMs: 0 }) };
};

/** Timing of one run: how long traffic must be quiet to count as settled, and the caps. */
export interface HarnessTiming {
  /** @default 40 */
  readonly quietMs?: number;
  /** Longest wait for any one thing; only a failing case waits this long. @default 10000 */
  readonly capMs?: number;
  /** Makes the recording upstream send an unasked-for response (see RecordingUpstreamOptions). */
  readonly extraResponseAfter?: RecordingUpstreamOptions['extraResponseAfter'];
}

/** One judged case. */
export interface CaseResult {
  readonly case: HostileCase;
  readonly observation: Observation;
  readonly verdict: Verdict;
}

const victimRequest = (url: string): Buffer => Buffer.from(`GET ${url} HTTP/1.1\r\nHost: victim.test\r\nConnection: close\r\n\r\n`, 'latin1');

/** Runs one case against the reference and through a fresh front; everything is closed before it resolves. */
export async function runCase(c: HostileCase, tag: string, reference: ReferenceServer, startFront: StartFront, timing: HarnessTiming = {}): Promise<CaseResult> {
  const quietMs = timing.quietMs ?? 40;
  const capMs = timing.capMs ?? 10_000;
  const referenceResult = await reference.run(c.bytes, capMs, c.splits);
  // The proxy should answer at least what the reference answered; until then, keep listening.
  const expected = referenceResult.requests.filter((r) => r.complete && !r.connect).length;
  const proxied = await throughFront(c, tag, startFront, quietMs, capMs, expected, timing.extraResponseAfter);
  const observation: Observation = { reference: referenceResult, ...proxied };
  return { case: c, observation, verdict: judge(observation) };
}

async function throughFront(
  c: HostileCase,
  tag: string,
  startFront: StartFront,
  quietMs: number,
  capMs: number,
  expectedAnswers: number,
  extraResponseAfter: RecordingUpstreamOptions['extraResponseAfter'],
): Promise<Omit<Observation, 'reference'>> {
  const quiet = new Quiet();
  // Held responses outlast one quiet period, so the victims sent after it meet them.
  const upstream = await startRecordingUpstream({
    onActivity: quiet.touch,
    heldResponseMs: quietMs * 4,
    ...(extraResponseAfter === undefined ? {} : { extraResponseAfter }),
  });
  let front: Front | undefined;
  let hostile: ReturnType<typeof openRaw> | undefined;
  let closeHung = false;
  try {
    front = await startFront(upstream.port);
    const port = front.port;
    const victims: VictimResult[] = [];
    const victim = async (name: string): Promise<void> => {
      const url = `${VICTIM_PREFIX}${tag}/${name}`;
      const { received } = await exchange(port, victimRequest(url), capMs, quiet.touch, (r) => countAnswers(r) >= 1);
      victims.push({ url, received });
    };
    // A first victim leaves an idle pooled connection for the hostile request to take.
    await victim('before');
    hostile = openRaw(port, c.bytes, quiet.touch, c.splits);
    // Interleaved with the hostile bytes (between the parts of a split write).
    const during = victim('during');
    await hostile.written;
    const client = hostile;
    await until(() => client.closed() || countAnswers(client.received()) >= expectedAnswers, capMs);
    // A member that sends an unasked-for response does so after its answer: wait for it
    // to arrive (no shortcut when the client closes), so the victims below test the
    // proxy's guard on idle connections and not a race no HTTP/1.1 client can win (a
    // stale answer that lands in the same event-loop turn as the next request).
    await quiet.wait(quietMs, capMs, extraResponseAfter === undefined ? () => client.closed() : () => false);
    await during;
    // Two at once, so whichever pooled connection the hostile request left behind
    // (the pool hands out the most recently freed first) is taken by one of them.
    await Promise.all([victim('after-1'), victim('after-2')]);
    await victim('after-3');
    await quiet.wait(quietMs, capMs);
    return {
      client: { received: hostile.received(), closed: hostile.closed() },
      upstream: upstream.connections(),
      victims,
      closeHung: () => closeHung,
    };
  } finally {
    hostile?.destroy();
    if (front !== undefined) closeHung = !(await closesWithin(front, capMs));
    await upstream.close();
  }
}

/** Closes a front, giving up after `capMs`; false when it did not finish in time. */
async function closesWithin(front: Front, capMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), capMs);
  });
  try {
    return await Promise.race([front.close().then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs cases `concurrency` at a time; results in input order; victims' paths carry `tagPrefix` + index. */
export async function runAll(
  cases: readonly HostileCase[],
  reference: ReferenceServer,
  startFront: StartFront,
  options: HarnessTiming & { readonly concurrency?: number; readonly tagPrefix?: string } = {},
): Promise<CaseResult[]> {
  const results: CaseResult[] = new Array<CaseResult>(cases.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      const c = cases[i];
      if (c === undefined) return;
      results[i] = await runCase(c, `${options.tagPrefix ?? 'c'}${i}`, reference, startFront, options);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  return results;
}
