/**
 * CBPE on synthetic calibrated data: labels drawn as Bernoulli(p) from the very scores the model
 * gives, so the scores are calibrated by construction; the estimate (made without the labels)
 * must land within a few percent of what the labels then realize.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../profiles/seeded-random.js';
import { estimatePerformance, expectedRocAuc } from './cbpe.js';
import { binaryConfusion, confusionMetrics, rocAuc } from './classification-metrics.js';

function calibrated(n: number, seed: number, shape: (u: number) => number) {
  const random = seededRandom(seed);
  const scores = new Float64Array(n);
  const labels = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    scores[i] = shape(random());
    labels[i] = random() < scores[i] ? 1 : 0;
  }
  return { scores, labels };
}

describe('confidence-based performance estimation', () => {
  it.each([
    ['confident model', (u: number) => (u < 0.5 ? 0.02 + u * 0.3 : 0.68 + (u - 0.5) * 0.6)],
    ['unsure model', (u: number) => 0.25 + u * 0.5],
    ['skewed to negatives', (u: number) => u ** 3],
  ])('estimates the realized metrics of a %s within a few percent', (_name, shape) => {
    const { scores, labels } = calibrated(20_000, 42, shape);
    const estimated = estimatePerformance(scores);
    const realized = { ...confusionMetrics(binaryConfusion(labels, scores)), rocAuc: rocAuc(labels, scores) };
    for (const metric of ['accuracy', 'precision', 'recall', 'f1', 'rocAuc'] as const) {
      const r = realized[metric] as number;
      expect(Math.abs((estimated[metric] as number) - r) / r, metric).toBeLessThan(0.03);
    }
  });

  it('expects accuracy = mean(max(p, 1 − p)) at threshold 0.5', () => {
    const scores = [0.9, 0.2, 0.7, 0.5, 0.05];
    const expected = scores.reduce((s, p) => s + Math.max(p, 1 - p), 0) / scores.length;
    expect(estimatePerformance(scores).accuracy).toBeCloseTo(expected, 12);
  });

  it('estimates a worse model as worse, and knows no AUC without both classes possible', () => {
    const sharp = calibrated(5_000, 1, (u) => (u < 0.5 ? 0.05 : 0.95));
    const blunt = calibrated(5_000, 1, (u) => (u < 0.5 ? 0.4 : 0.6));
    expect(estimatePerformance(sharp.scores).accuracy!).toBeGreaterThan(
      estimatePerformance(blunt.scores).accuracy! + 0.3,
    );
    expect(expectedRocAuc([1, 1, 1])).toBeNull();
  });
});
