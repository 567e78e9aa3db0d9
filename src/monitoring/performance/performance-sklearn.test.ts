/**
 * The realized metrics against scikit-learn: the committed reference values
 * (test/fixtures/performance/sklearn-reference.json, made by make_sklearn_reference.py), and — when
 * Debian's /usr/bin/python3 can import sklearn — the same script run now on fresh random cases.
 * Tolerance: 1e-12 relative (the sums run in another order than numpy's).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { accuracy, binaryConfusion, confusionMetrics, logLoss, rocAuc } from './classification-metrics.js';
import { meanAbsoluteError, rootMeanSquaredError } from './regression-metrics.js';

interface BinaryCase {
  name: string;
  threshold: number;
  labels: number[];
  scores: number[];
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  rocAuc: number;
  logLoss: number;
}
interface ReferenceFile {
  sklearn: string;
  binary: BinaryCase[];
  multiclass: Array<{ name: string; labels: string[]; predicted: string[]; accuracy: number }>;
  regression: Array<{ name: string; labels: number[]; predicted: number[]; mae: number; rmse: number }>;
}

const PYTHON = '/usr/bin/python3';
const FIXTURES = resolve(import.meta.dirname, '../../../test/fixtures/performance');
const SCRIPT = resolve(FIXTURES, 'make_sklearn_reference.py');

const close = (ours: number | null, theirs: number) => {
  expect(ours).not.toBeNull();
  expect(Math.abs((ours as number) - theirs)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(theirs)));
};

function checkAll(ref: ReferenceFile): void {
  for (const c of ref.binary) {
    const m = confusionMetrics(binaryConfusion(c.labels, c.scores, c.threshold));
    close(m.accuracy, c.accuracy);
    close(m.precision, c.precision);
    close(m.recall, c.recall);
    close(m.f1, c.f1);
    close(rocAuc(c.labels, c.scores), c.rocAuc);
    close(logLoss(c.labels, c.scores), c.logLoss);
  }
  for (const c of ref.multiclass) close(accuracy(c.labels, c.predicted), c.accuracy);
  for (const c of ref.regression) {
    close(meanAbsoluteError(c.labels, c.predicted), c.mae);
    close(rootMeanSquaredError(c.labels, c.predicted), c.rmse);
  }
}

const hasSklearn = spawnSync(PYTHON, ['-c', 'import sklearn'], { stdio: 'ignore' }).status === 0;

describe('performance metrics against scikit-learn', () => {
  it('match the committed reference values (ties in ROC AUC, log loss clipping, thresholds)', () => {
    const ref = JSON.parse(
      readFileSync(resolve(FIXTURES, 'sklearn-reference.json'), 'utf8'),
    ) as ReferenceFile;
    expect(ref.binary.some((c) => new Set(c.scores).size < c.scores.length / 2)).toBe(true);
    expect(ref.binary.some((c) => c.scores.includes(0) && c.scores.includes(1))).toBe(true);
    checkAll(ref);
  });

  it.skipIf(!hasSklearn)('match sklearn run now on fresh cases', () => {
    for (const seed of [1, 2]) {
      const run = spawnSync(PYTHON, [SCRIPT, '--seed', String(seed), '-'], {
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      });
      expect(run.status, run.stderr).toBe(0);
      checkAll(JSON.parse(run.stdout) as ReferenceFile);
    }
  });

  it('gives null where sklearn would divide by zero', () => {
    expect(rocAuc([1, 1, 1], [0.2, 0.5, 0.9])).toBeNull();
    expect(confusionMetrics(binaryConfusion([0, 1], [0.1, 0.2])).precision).toBeNull();
    expect(logLoss([], [])).toBeNull();
  });
});
