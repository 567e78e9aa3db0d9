/**
 * Monitoring's inference log: served requests (a sampled share) recorded as Parquet segments,
 * queried with DuckDB across replicas, and kept within an age and size budget.
 */
export { checkSampleRate, parseProfileWindow, parseRetention } from './config.js';
export { engineFeatureNames } from './feature-names.js';
export { openParquetInferenceLog, ParquetInferenceLog } from './parquet-inference-log.js';
export {
  InferenceLogQuery,
  inferenceLogScans,
  inferenceLogSql,
  type LogColumnInfo,
  loggedModels,
  queryInferenceLog,
  SEGMENTS_PER_SCAN,
  segmentGlob,
} from './query.js';
export { flattenRecords, type LogColumn, type LogRows } from './record-rows.js';
export { type SweepResult, sweepInferenceLog } from './retention.js';
export {
  DEFAULT_PROFILE_WINDOW_MS,
  openServingLog,
  type ServingLog,
  type ServingLogSettings,
} from './serving-log.js';
export type {
  FeatureNameResolver,
  InferenceLogSelection,
  InferenceLogStats,
  ParquetInferenceLogOptions,
  RetentionPolicy,
} from './types.js';
