/** Realized regression metrics (scikit-learn's `mean_absolute_error`, √`mean_squared_error`). */

/** Mean absolute error; null for no rows. */
export function meanAbsoluteError(labels: ArrayLike<number>, predicted: ArrayLike<number>): number | null {
  if (labels.length === 0) return null;
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum += Math.abs(labels[i] - predicted[i]);
  return sum / labels.length;
}

/** Root mean squared error; null for no rows. */
export function rootMeanSquaredError(labels: ArrayLike<number>, predicted: ArrayLike<number>): number | null {
  if (labels.length === 0) return null;
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum += (labels[i] - predicted[i]) ** 2;
  return Math.sqrt(sum / labels.length);
}
