/**
 * Frequency tests for categorical columns (and numeric columns with few values), as Evidently
 * runs them:
 *
 * - chi-squared goodness of fit (scipy.stats.chisquare): current counts against the reference's
 *   proportions scaled to the current size, df = categories − 1. A category never seen in the
 *   reference has expected count 0, so the statistic is +∞ and p = 0 (drift), as in scipy.
 * - two-proportion z-test (Evidently's `z`): the share of rows outside the first category (sorted
 *   order) in reference vs current, pooled standard error, two-sided p = 2·(1 − Φ(|z|)) — computed
 *   as 2·Φ(−|z|), which keeps its precision where Evidently's form rounds to 0.
 */

import type { CategoryValue } from './samples.js';
import { chiSquaredSf, normalSf } from './special-functions.js';

export interface FrequencyTestResult {
  statistic: number;
  pValue: number;
  /** Categories present in current but absent from the reference. */
  unseenCategories: number;
}

function union(reference: Map<CategoryValue, number>, current: Map<CategoryValue, number>): CategoryValue[] {
  const keys = [...reference.keys()];
  for (const k of current.keys()) if (!reference.has(k)) keys.push(k);
  return keys;
}

/** Chi-squared test of current counts against reference proportions (non-empty samples). */
export function chiSquaredTest(
  reference: Map<CategoryValue, number>,
  current: Map<CategoryValue, number>,
): FrequencyTestResult {
  const keys = union(reference, current);
  let nRef = 0;
  let nCur = 0;
  for (const c of reference.values()) nRef += c;
  for (const c of current.values()) nCur += c;
  const scale = nCur / nRef;
  let statistic = 0;
  let unseen = 0;
  for (const k of keys) {
    const expected = (reference.get(k) ?? 0) * scale;
    const observed = current.get(k) ?? 0;
    if (expected === 0) unseen++;
    statistic += expected === 0 ? Number.POSITIVE_INFINITY : (observed - expected) ** 2 / expected;
  }
  // One category in all: nothing can differ (scipy's df = 0 would give NaN).
  if (keys.length < 2) return { statistic: 0, pValue: 1, unseenCategories: unseen };
  return { statistic, pValue: chiSquaredSf(statistic, keys.length - 1), unseenCategories: unseen };
}

function compareCategories(a: CategoryValue, b: CategoryValue): number {
  if (typeof a === typeof b) return a < b ? -1 : a > b ? 1 : 0;
  return typeof a < typeof b ? -1 : 1;
}

/** Two-proportion z-test: share outside the first (sorted) category, reference vs current. */
export function zTest(
  reference: Map<CategoryValue, number>,
  current: Map<CategoryValue, number>,
): FrequencyTestResult {
  const keys = union(reference, current).sort(compareCategories);
  const unseen = keys.filter((k) => !reference.has(k)).length;
  if (keys.length < 2) return { statistic: 0, pValue: 1, unseenCategories: unseen };
  const first = keys[0]!;
  let n1 = 0;
  let n2 = 0;
  for (const c of reference.values()) n1 += c;
  for (const c of current.values()) n2 += c;
  const p1 = (n1 - (reference.get(first) ?? 0)) / n1;
  const p2 = (n2 - (current.get(first) ?? 0)) / n2;
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const z = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  return { statistic: z, pValue: 2 * normalSf(Math.abs(z)), unseenCategories: unseen };
}
