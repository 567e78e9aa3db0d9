/**
 * Drift verdict for one column: picks the test (Evidently's default unless overridden), runs it on
 * the non-missing values and compares with the threshold.
 *
 * Edge cases never yield NaN: when reference or current has no non-missing value the verdict has
 * status 'insufficient_data', drifted false, score null and a `reason` (there is nothing to compare,
 * and calling that drift would page someone for an empty window — the null share is the signal to
 * watch there). Constant columns, single-row windows and unseen categories are tested normally.
 */
import { invalidParameter } from '../../core/errors.js';
import { chooseDriftTest } from './choose-test.js';
import {
  type ColumnKind,
  DRIFT_TESTS,
  type DriftTestDefinition,
  type DriftTestName,
  type DriftTestOptions,
  type DriftTestOutcome,
  isDriftTestName,
} from './drift-tests.js';
import {
  type CategoricalValues,
  type ColumnSample,
  categoricalSample,
  type NumericValues,
  numericSample,
  sampleSize,
  unionDistinctCount,
} from './samples.js';

/** One column to test: its kind and its reference and current values. */
export type DriftColumnInput =
  | { column: string; kind: 'numeric'; reference: NumericValues; current: NumericValues }
  | { column: string; kind: 'categorical'; reference: CategoricalValues; current: CategoricalValues };

/** Per-column choice of test and threshold (either may be left to the default). */
export interface DriftTestOverride {
  test?: DriftTestName;
  threshold?: number;
}

export interface DriftVerdict {
  column: string;
  kind: ColumnKind;
  test: DriftTestName;
  scoreKind: 'p_value' | 'distance';
  /** The value compared with the threshold (p-value or distance); null when not tested. */
  score: number | null;
  pValue: number | null;
  /** KS D, chi², z or the distance; +∞ for chi² with categories unseen in the reference. */
  statistic: number | null;
  threshold: number;
  /** p-value tests: score < threshold; distance tests: score ≥ threshold. */
  drifted: boolean;
  status: 'tested' | 'insufficient_data';
  reason?: string;
  referenceRows: number;
  currentRows: number;
  referenceNulls: number;
  currentNulls: number;
}

function toSamples(input: DriftColumnInput): [ColumnSample, ColumnSample] {
  if (input.kind === 'numeric') return [numericSample(input.reference), numericSample(input.current)];
  return [categoricalSample(input.reference), categoricalSample(input.current)];
}

/** Validates an override's test for a column kind and its threshold for the test's score kind. */
export function resolveTest(
  column: string,
  kind: ColumnKind,
  override: DriftTestOverride | undefined,
  fallback: () => DriftTestName,
): { test: DriftTestName; threshold: number } {
  const test = override?.test ?? fallback();
  if (!isDriftTestName(test)) {
    throw invalidParameter(`${column}.test`, `one of ${Object.keys(DRIFT_TESTS).join(', ')}`, test);
  }
  const def = DRIFT_TESTS[test];
  if (!def.columnKinds.includes(kind)) {
    throw invalidParameter(`${column}.test`, `a test for ${kind} columns`, test);
  }
  const threshold = override?.threshold ?? def.defaultThreshold;
  const valid =
    typeof threshold === 'number' &&
    Number.isFinite(threshold) &&
    (def.scoreKind === 'p_value' ? threshold > 0 && threshold < 1 : threshold >= 0);
  if (!valid) {
    const expected = def.scoreKind === 'p_value' ? 'a p-value threshold in (0, 1)' : 'a finite distance ≥ 0';
    throw invalidParameter(`${column}.threshold`, expected, threshold);
  }
  return { test, threshold };
}

/**
 * Tests one column for drift between reference and current.
 *
 * @example
 * detectColumnDrift({ column: 'age', kind: 'numeric', reference: refAges, current: curAges });
 * // → { column: 'age', test: 'ks', score: 0.31, pValue: 0.31, threshold: 0.05, drifted: false, … }
 */
export function detectColumnDrift(
  input: DriftColumnInput,
  override?: DriftTestOverride,
  options: DriftTestOptions = {},
): DriftVerdict {
  const kind: unknown = input.kind;
  if (kind !== 'numeric' && kind !== 'categorical') {
    throw invalidParameter(`${input.column}.kind`, "'numeric' or 'categorical'", kind);
  }
  checkDriftTestOptions(options);
  const [reference, current] = toSamples(input);
  return detectSampleDrift(input.column, input.kind, reference, current, override, options);
}

/**
 * Tests one column given as samples (values sorted, or counts per value): what
 * `detectColumnDrift` runs after reading the values, for callers that count values elsewhere
 * (e.g. in DuckDB, for a large side).
 *
 * @example
 * detectSampleDrift('country', 'categorical',
 *   { kind: 'categorical', counts: new Map([['DE', 600]]), size: 600, nulls: 0 },
 *   { kind: 'categorical', counts: new Map([['DE', 9e6], ['FR', 1e6]]), size: 1e7, nulls: 0 });
 */
export function detectSampleDrift(
  column: string,
  kind: ColumnKind,
  reference: ColumnSample,
  current: ColumnSample,
  override?: DriftTestOverride,
  options: DriftTestOptions = {},
): DriftVerdict {
  const referenceRows = sampleSize(reference);
  const currentRows = sampleSize(current);
  const distinctValues = unionDistinctCount(reference, current);
  const { test, threshold } = resolveTest(column, kind, override, () =>
    chooseDriftTest({ kind, referenceRows, distinctValues }),
  );
  return columnVerdict(
    {
      column,
      kind,
      test,
      threshold,
      referenceRows,
      currentRows,
      referenceNulls: reference.nulls,
      currentNulls: current.nulls,
    },
    () => DRIFT_TESTS[test].run(reference, current, options),
  );
}

/** What a verdict says of a column before its test runs. */
export type VerdictHead = Omit<
  DriftVerdict,
  'scoreKind' | 'score' | 'pValue' | 'statistic' | 'drifted' | 'status' | 'reason'
>;

/**
 * The verdict of one column: 'insufficient_data' (with the reason, never NaN) when a side has no
 * non-missing values, else the outcome of `run` judged against the threshold. Shared by the tests
 * on values (above) and on profiles (profiles/profile-drift.ts).
 */
export function columnVerdict(head: VerdictHead, run: () => DriftTestOutcome): DriftVerdict {
  const { scoreKind } = DRIFT_TESTS[head.test];
  const empty = emptySideReason(head.referenceRows, head.currentRows);
  if (empty) {
    return {
      ...head,
      scoreKind,
      score: null,
      pValue: null,
      statistic: null,
      drifted: false,
      status: 'insufficient_data',
      reason: empty,
    };
  }
  const outcome = run();
  const verdict: DriftVerdict = {
    ...head,
    scoreKind,
    score: outcome.score,
    pValue: outcome.pValue,
    statistic: outcome.statistic,
    drifted: isDrifted(scoreKind, outcome.score, head.threshold),
    status: 'tested',
  };
  if (outcome.reason) verdict.reason = outcome.reason;
  return verdict;
}

/** Checks the options of the tests (a Jensen–Shannon base must be a usable logarithm base). */
export function checkDriftTestOptions(options: DriftTestOptions): void {
  const base = options.jensenShannonBase;
  if (base !== undefined && !(Number.isFinite(base) && base > 0 && base !== 1))
    throw invalidParameter('jensenShannonBase', 'a logarithm base > 0 other than 1', base);
}

/** Why a column cannot be tested when a side has no non-missing values; undefined when both have some. */
export function emptySideReason(referenceRows: number, currentRows: number): string | undefined {
  if (referenceRows > 0 && currentRows > 0) return undefined;
  const which =
    referenceRows === 0 && currentRows === 0
      ? 'reference and current have'
      : referenceRows === 0
        ? 'reference has'
        : 'current has';
  return `${which} no non-missing values`;
}

/** p-value tests drift below their threshold, distance tests at or above it. */
export function isDrifted(
  scoreKind: DriftTestDefinition['scoreKind'],
  score: number,
  threshold: number,
): boolean {
  return scoreKind === 'p_value' ? score < threshold : score >= threshold;
}
