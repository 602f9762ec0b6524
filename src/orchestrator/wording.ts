// How the owner's log lines say things: an error's message, a container's age, a count
// with its noun in the right number. Pure.

/** The message of an error, or the thrown value as text. */
export function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** `42s`, `7m 5s`, `3h 2m`, `2d 4h`: how long a container has been up. */
export function formatAge(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

/** `1 request`, `3 requests` (with the count), or just the noun in the right number. */
export function plural(n: number, noun: string, withCount = false): string {
  const word = n === 1 ? noun : `${noun}s`;
  return withCount ? `${n} ${word}` : word;
}
