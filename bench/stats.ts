// Small statistics for the benchmark's rounds: medians and per-round ratios. Pure.

/** Median of the values (mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** A ratio taken round by round (both figures from the same round), summarised. */
export interface RoundRatio {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/**
 * `a[i] / b[i]` for every round where both exist and b is not 0, then their median and
 * range. Rounds are interleaved, so a round's two figures saw the same machine load.
 */
export function roundRatio(a: readonly (number | null)[], b: readonly (number | null)[]): RoundRatio {
  const ratios: number[] = [];
  a.forEach((x, i) => {
    const y = b[i];
    if (x !== null && y !== null && y !== undefined && y !== 0 && Number.isFinite(x) && Number.isFinite(y)) ratios.push(x / y);
  });
  if (ratios.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

/** The order targets run in during round `round`: rotated by one each round, so none is always first. */
export function roundOrder<T>(targets: readonly T[], round: number): T[] {
  const n = targets.length;
  return targets.map((_, i) => targets[(i + round) % n] as T);
}
