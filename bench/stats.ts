/** Nearest-rank percentile of an ascending list (NaN when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

export const median = (values: readonly number[]): number => percentile([...values].sort((a, b) => a - b), 50);

export const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;
