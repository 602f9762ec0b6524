// Fixed host ports (--host-ports): which ports a batch of new containers gets, and
// which ports something else holds. Pure: time is passed in.
import type { PortRange } from '../config.js';

/** Ports the engine refused (held by something else), each until the given time. */
export type BlockedPorts = ReadonlyMap<number, number>;

/**
 * Up to `count` distinct ports for new containers: the lowest ports of `range` that no
 * managed container holds (in any state: one being stopped owns its port until it is
 * removed) and that are not blocked at `now`. Without a range, `count` zeros: the
 * engine picks ephemeral ports. Fewer than `count` when the range runs out.
 */
export function allocateHostPorts(input: {
  readonly range: PortRange | null;
  readonly held: Iterable<number | null>;
  readonly blocked: BlockedPorts;
  readonly now: number;
  readonly count: number;
}): number[] {
  if (!input.range) return Array.from({ length: Math.max(0, input.count) }, () => 0);
  const held = new Set(input.held);
  const out: number[] = [];
  for (let port = input.range.first; port <= input.range.last && out.length < input.count; port++) {
    const until = input.blocked.get(port);
    if (held.has(port) || (until !== undefined && until > input.now)) continue;
    out.push(port);
  }
  return out;
}

/** When the earliest block of a port in `range` ends after `now`; null if none does. */
export function nextUnblockAt(blocked: BlockedPorts, now: number): number | null {
  let next: number | null = null;
  for (const until of blocked.values()) if (until > now && (next === null || until < next)) next = until;
  return next;
}

/** True when the engine's message says the host port is held by something else. */
export function isPortTaken(message: string): boolean {
  return /port is already allocated|address already in use/i.test(message);
}
