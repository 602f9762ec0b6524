// Which member is next: strict round robin with a cursor, as a pure function so the
// order is table-tested and the pool only keeps the cursor.

/** The chosen member's index and the cursor for the next call. */
export interface RoundRobinPick {
  readonly index: number;
  readonly cursor: number;
}

/**
 * Starting at `cursor`, returns the first member whose id is not in `skip`, trying at
 * most `members.length` of them; undefined when every member is skipped (or there are none).
 * The next cursor is the slot after the chosen one, so the order is A,B,C,A,… per call;
 * any cursor is taken modulo the member count.
 */
export function nextRoundRobin(
  members: readonly { readonly id: string }[],
  cursor: number,
  skip?: ReadonlySet<string>,
): RoundRobinPick | undefined {
  const n = members.length;
  if (n === 0) return undefined;
  const start = ((Math.trunc(cursor) % n) + n) % n;
  for (let i = 0; i < n; i++) {
    const index = (start + i) % n;
    const member = members[index];
    if (member === undefined || skip?.has(member.id)) continue;
    // Not wrapped: a member appended after the last one is then next, not a round later.
    return { index, cursor: index + 1 };
  }
  return undefined;
}
