/**
 * The registry of drift tests: what each computes, whether its score is a p-value (drift when
 * p < threshold) or a distance (drift when score ≥ threshold), its default threshold and the column
 * kinds it applies to. Names and defaults are Evidently's.
 *
 * | test          | kind     | default | columns              |
 * |---------------|----------|---------|----------------------|
 * | ks            | p-value  | 0.05    | numeric              |
 * | chisquare     | p-value  | 0.05    | categorical, numeric |
 * | z             | p-value  | 0.05    | categorical, numeric |
 * | wasserstein   | distance | 0.1     | numeric (normed by the reference std) |
 * | jensenshannon | distance | 0.1     | categorical, numeric |
 * | psi           | distance | 0.1     | categorical, numeric |
 * | kl_div        | distance | 0.1     | categorical, numeric |
 * | hellinger     | distance | 0.1     | categorical, numeric |
 *
 * Jensen–Shannon uses the natural log unless `jensenShannonBase` says otherwise (scipy's default;
 * Evidently's own `jensenshannon` passes base 2 — set `jensenShannonBase: 2` to reproduce its
 * numbers). PSI and KL fill zero shares with Evidently's epsilon (see frequencies.ts).
 *
 * Numeric columns run the frequency tests (chisquare, z) over their distinct values, and the
 * binned distances over Sturges bins when the reference has more than 20 distinct values.
 */
import { chiSquaredTest, zTest } from './categorical-tests.js';
import {
  hellingerDistance,
  hellingerDistanceNumeric,
  jensenShannonDistance,
  klDivergence,
  populationStabilityIndex,
} from './distances.js';
import { binnedFrequencies, fillZeroShares } from './frequencies.js';
import { ksTwoSample } from './ks-test.js';
import { type ColumnSample, valueCounts } from './samples.js';
import { normedWassersteinDistance } from './wasserstein.js';

export type DriftTestName =
  | 'ks'
  | 'chisquare'
  | 'z'
  | 'wasserstein'
  | 'jensenshannon'
  | 'psi'
  | 'kl_div'
  | 'hellinger';

export type ColumnKind = 'numeric' | 'categorical';

/** What one test computed on one column. */
export interface DriftTestOutcome {
  /** The number compared with the threshold: the p-value or the distance. */
  score: number;
  /** The test statistic: KS D, chi², z, or the distance itself. */
  statistic: number;
  pValue: number | null;
  /** Why the outcome is what it is, when that is not obvious (unseen categories, constant column). */
  reason?: string;
}

export interface DriftTestDefinition {
  name: DriftTestName;
  displayName: string;
  scoreKind: 'p_value' | 'distance';
  defaultThreshold: number;
  columnKinds: readonly ColumnKind[];
  run(reference: ColumnSample, current: ColumnSample, options: DriftTestOptions): DriftTestOutcome;
}

export interface DriftTestOptions {
  /** Log base of the Jensen–Shannon distance; natural log when absent. */
  jensenShannonBase?: number;
}

function pValueOutcome(statistic: number, pValue: number, unseen: number): DriftTestOutcome {
  const outcome: DriftTestOutcome = { score: pValue, statistic, pValue };
  if (unseen > 0)
    outcome.reason = `${unseen} categor${unseen === 1 ? 'y' : 'ies'} never seen in the reference`;
  return outcome;
}

function distance(score: number): DriftTestOutcome {
  return { score, statistic: score, pValue: null };
}

function numericOnly(sample: ColumnSample): Float64Array {
  if (sample.kind !== 'numeric') throw new TypeError('numeric sample expected');
  return sample.sorted;
}

const BOTH: readonly ColumnKind[] = ['categorical', 'numeric'];

export const DRIFT_TESTS: Readonly<Record<DriftTestName, DriftTestDefinition>> = {
  ks: {
    name: 'ks',
    displayName: 'Kolmogorov–Smirnov p-value',
    scoreKind: 'p_value',
    defaultThreshold: 0.05,
    columnKinds: ['numeric'],
    run(reference, current) {
      const r = ksTwoSample(numericOnly(reference), numericOnly(current));
      return { score: r.pValue, statistic: r.statistic, pValue: r.pValue };
    },
  },
  chisquare: {
    name: 'chisquare',
    displayName: 'chi-square p-value',
    scoreKind: 'p_value',
    defaultThreshold: 0.05,
    columnKinds: BOTH,
    run(reference, current) {
      const r = chiSquaredTest(valueCounts(reference), valueCounts(current));
      return pValueOutcome(r.statistic, r.pValue, r.unseenCategories);
    },
  },
  z: {
    name: 'z',
    displayName: 'Z-test p-value',
    scoreKind: 'p_value',
    defaultThreshold: 0.05,
    columnKinds: BOTH,
    run(reference, current) {
      const r = zTest(valueCounts(reference), valueCounts(current));
      return pValueOutcome(r.statistic, r.pValue, r.unseenCategories);
    },
  },
  wasserstein: {
    name: 'wasserstein',
    displayName: 'Wasserstein distance (normed)',
    scoreKind: 'distance',
    defaultThreshold: 0.1,
    columnKinds: ['numeric'],
    run(reference, current) {
      return distance(normedWassersteinDistance(numericOnly(reference), numericOnly(current)));
    },
  },
  jensenshannon: {
    name: 'jensenshannon',
    displayName: 'Jensen–Shannon distance',
    scoreKind: 'distance',
    defaultThreshold: 0.1,
    columnKinds: BOTH,
    run(reference, current, options) {
      const f = binnedFrequencies(reference, current);
      return distance(jensenShannonDistance(f.reference, f.current, options.jensenShannonBase));
    },
  },
  psi: {
    name: 'psi',
    displayName: 'PSI',
    scoreKind: 'distance',
    defaultThreshold: 0.1,
    columnKinds: BOTH,
    run(reference, current) {
      const f = binnedFrequencies(reference, current);
      return distance(populationStabilityIndex(fillZeroShares(f.reference), fillZeroShares(f.current)));
    },
  },
  kl_div: {
    name: 'kl_div',
    displayName: 'Kullback–Leibler divergence',
    scoreKind: 'distance',
    defaultThreshold: 0.1,
    columnKinds: BOTH,
    run(reference, current) {
      const f = binnedFrequencies(reference, current);
      return distance(klDivergence(fillZeroShares(f.reference), fillZeroShares(f.current)));
    },
  },
  hellinger: {
    name: 'hellinger',
    displayName: 'Hellinger distance',
    scoreKind: 'distance',
    defaultThreshold: 0.1,
    columnKinds: BOTH,
    run(reference, current) {
      if (reference.kind === 'numeric' && current.kind === 'numeric') {
        return distance(hellingerDistanceNumeric(reference.sorted, current.sorted));
      }
      const f = binnedFrequencies(reference, current);
      return distance(hellingerDistance(f.reference, f.current));
    },
  },
};

/** Whether `name` is one of the registered drift tests. */
export function isDriftTestName(name: unknown): name is DriftTestName {
  return typeof name === 'string' && Object.hasOwn(DRIFT_TESTS, name);
}
