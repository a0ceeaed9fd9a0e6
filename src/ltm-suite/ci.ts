/**
 * A score over seeds as GoodAI reports it: the mean and its spread, here the half-width of a
 * two-sided 95% confidence interval from Student's t (n − 1 degrees of freedom). Pure.
 */

/** t(0.975, df) for df = 1..30; beyond, the normal 1.96 is within 2%. */
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export interface MeanCi {
  n: number;
  mean: number;
  /** Half-width of the 95% CI; null for a single seed (no spread to estimate). */
  ci95: number | null;
}

export function meanCi(values: readonly number[]): MeanCi {
  const n = values.length;
  if (n === 0) return { n: 0, mean: 0, ci95: null };
  const mean = values.reduce((a, v) => a + v, 0) / n;
  if (n === 1) return { n, mean, ci95: null };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  const t = n - 1 <= T975.length ? T975[n - 2]! : 1.96;
  return { n, mean, ci95: (t * Math.sqrt(variance)) / Math.sqrt(n) };
}

/** `0.623 ± 0.041 (n=5)`; a single seed shows no interval. */
export function formatMeanCi(m: MeanCi): string {
  if (m.n === 0) return '-';
  return m.ci95 === null ? `${m.mean.toFixed(3)} (n=1)` : `${m.mean.toFixed(3)} ± ${m.ci95.toFixed(3)} (n=${m.n})`;
}
