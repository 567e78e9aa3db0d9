/**
 * Realized classification metrics from labels and predictions, defined as scikit-learn defines
 * them (checked against it in performance-sklearn.test.ts). Binary metrics take 0/1 labels and a
 * score per row; a row is predicted positive when its score is ≥ the threshold. A metric whose
 * denominator is zero (precision with no predicted positives, ROC AUC with one class) is null.
 */

/** The confusion matrix of a binary classifier at one threshold. */
export interface BinaryConfusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** Counts predicted × actual at `threshold` (score ≥ threshold → predicted positive). */
export function binaryConfusion(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  threshold = 0.5,
): BinaryConfusion {
  const c = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < labels.length; i++) {
    const positive = scores[i] >= threshold;
    if (labels[i] === 1) positive ? c.tp++ : c.fn++;
    else positive ? c.fp++ : c.tn++;
  }
  return c;
}

const ratio = (num: number, den: number): number | null => (den === 0 ? null : num / den);

/** Metrics read off a (realized or expected) confusion matrix. */
export function confusionMetrics(c: BinaryConfusion): {
  accuracy: number | null;
  precision: number | null;
  recall: number | null;
  f1: number | null;
} {
  return {
    accuracy: ratio(c.tp + c.tn, c.tp + c.tn + c.fp + c.fn),
    precision: ratio(c.tp, c.tp + c.fp),
    recall: ratio(c.tp, c.tp + c.fn),
    f1: ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn),
  };
}

/**
 * Area under the ROC curve: the probability that a random positive scores above a random
 * negative, ties counting one half (the Mann-Whitney U over mid-ranks; equal to sklearn's
 * trapezoidal `roc_auc_score`). Null when only one class is present.
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number | null {
  const n = labels.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]] === 1) {
        positives++;
        rankSum += midRank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return null;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Probabilities are clipped to [eps, 1 − eps] before the log, as sklearn's `log_loss` (eps 1e-15). */
export const LOG_LOSS_EPS = 1e-15;

/** Mean binary cross-entropy of scores (probabilities of class 1). Null for no rows. */
export function logLoss(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  eps = LOG_LOSS_EPS,
): number | null {
  if (labels.length === 0) return null;
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(Math.max(scores[i], eps), 1 - eps);
    sum -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / labels.length;
}

/** Share of rows whose predicted class equals the label (any class values). Null for no rows. */
export function accuracy<T>(labels: readonly T[], predicted: readonly T[]): number | null {
  let hit = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === predicted[i]) hit++;
  return ratio(hit, labels.length);
}
