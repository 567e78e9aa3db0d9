/**
 * Drift statistics for monitoring: exact two-sample tests and distances matching scipy, Evidently's
 * default test per column, column / dataset / prediction drift verdicts.
 */
export { chiSquaredTest, type FrequencyTestResult, zTest } from './categorical-tests.js';
export {
  type ColumnDriftStats,
  chooseDriftTest,
  FEW_VALUES_MAX,
  SMALL_REFERENCE_MAX_ROWS,
} from './choose-test.js';
export {
  type DriftColumnInput,
  type DriftTestOverride,
  type DriftVerdict,
  detectColumnDrift,
  detectSampleDrift,
  emptySideReason,
  isDrifted,
  resolveTest,
} from './column-drift.js';
export {
  checkDatasetDriftOptions,
  type DatasetDriftOptions,
  type DatasetDriftReport,
  DEFAULT_DRIFT_SHARE,
  detectDatasetDrift,
  detectPredictionDrift,
  type PredictionDriftInput,
  summarizeDatasetDrift,
} from './dataset-drift.js';
export {
  hellingerDistance,
  hellingerDistanceNumeric,
  jensenShannonDistance,
  klDivergence,
  populationStabilityIndex,
} from './distances.js';
export {
  type ColumnKind,
  DRIFT_TESTS,
  type DriftTestDefinition,
  type DriftTestName,
  type DriftTestOptions,
  type DriftTestOutcome,
  isDriftTestName,
} from './drift-tests.js';
export { BINNING_MIN_DISTINCT, binnedFrequencies, type Frequencies, fillZeroShares } from './frequencies.js';
export { histogramCounts, sturgesEdges, sturgesEdgesSpanning } from './histogram.js';
export { kolmogorovSf } from './kolmogorov.js';
export { KS_EXACT_MAX_N, type KsResult, ksPValue, ksStatistic, ksTwoSample } from './ks-test.js';
export {
  type CategoricalSample,
  type CategoricalValues,
  type CategoryValue,
  type ColumnSample,
  categoricalSample,
  type NumericSample,
  type NumericValues,
  numericSample,
} from './samples.js';
export { smirnovSf } from './smirnov.js';
export { chiSquaredSf, logGamma, normalSf, regularizedGammaQ } from './special-functions.js';
export {
  normedWassersteinDistance,
  populationStd,
  WASSERSTEIN_MIN_NORM,
  wassersteinDistance,
} from './wasserstein.js';
