/**
 * The 0-based rank of the p-th percentile among `count` sorted values, by the nearest-rank
 * method: the smallest value with at least p% of the values at or below it.
 */
export function nearestRank(p: number, count: number): number {
  if (count <= 0) throw new RangeError('no values');
  return Math.min(count - 1, Math.max(0, Math.ceil((p / 100) * count) - 1));
}
