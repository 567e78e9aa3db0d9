/**
 * Confidence-based performance estimation (CBPE, as NannyML describes it) for a binary classifier
 * whose scores are calibrated probabilities of class 1: before labels arrive, each prediction is
 * right with probability max(p, 1 − p), so the confusion matrix is estimated in expectation —
 * a row predicted positive adds p to TP and 1 − p to FP, one predicted negative adds p to FN and
 * 1 − p to TN — and accuracy, precision, recall and F1 are read off it. ROC AUC: each threshold's
 * expected TPR = Σ p over rows at or above it / Σ p, expected FPR likewise with 1 − p, and the
 * curve is integrated by trapezoids. Only as good as the calibration.
 */
import { type BinaryConfusion, confusionMetrics } from './classification-metrics.js';

/** Estimated metrics of a window or segment. */
export interface EstimatedPerformance {
  rows: number;
  accuracy: number | null;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  rocAuc: number | null;
}

/** The expected confusion matrix at `threshold` given calibrated scores. */
export function expectedConfusion(scores: ArrayLike<number>, threshold = 0.5): BinaryConfusion {
  const c = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < scores.length; i++) {
    const p = scores[i];
    if (p >= threshold) {
      c.tp += p;
      c.fp += 1 - p;
    } else {
      c.fn += p;
      c.tn += 1 - p;
    }
  }
  return c;
}

/** Expected ROC AUC from calibrated scores; null when no row could be positive (or negative). */
export function expectedRocAuc(scores: ArrayLike<number>): number | null {
  const sorted = Float64Array.from(scores).sort().reverse();
  let totalP = 0;
  for (const p of sorted) totalP += p;
  const totalN = sorted.length - totalP;
  if (totalP <= 0 || totalN <= 0) return null;
  let tp = 0;
  let fp = 0;
  let area = 0;
  for (let i = 0; i < sorted.length; ) {
    const prevTpr = tp / totalP;
    const prevFpr = fp / totalN;
    let j = i;
    // Tied scores share one threshold: one step of the curve.
    while (j < sorted.length && sorted[j] === sorted[i]) {
      tp += sorted[j];
      fp += 1 - sorted[j];
      j++;
    }
    area += ((fp / totalN - prevFpr) * (tp / totalP + prevTpr)) / 2;
    i = j;
  }
  return area;
}

/**
 * Estimates accuracy, precision, recall, F1 and ROC AUC without labels.
 *
 * @example
 * estimatePerformance(Float64Array.from([0.9, 0.2, 0.7])).accuracy; // (0.9 + 0.8 + 0.7) / 3
 */
export function estimatePerformance(scores: ArrayLike<number>, threshold = 0.5): EstimatedPerformance {
  return {
    rows: scores.length,
    ...confusionMetrics(expectedConfusion(scores, threshold)),
    rocAuc: expectedRocAuc(scores),
  };
}
