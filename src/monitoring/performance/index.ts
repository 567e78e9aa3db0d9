/**
 * Monitoring's model performance with delayed ground truth: labels arrive later (by request id, or
 * by entity and time), are stored idempotently and joined to the inference log; realized metrics
 * per window and segment, and CBPE estimates for binary classifiers before the labels arrive.
 */
export { type EstimatedPerformance, estimatePerformance, expectedConfusion, expectedRocAuc } from './cbpe.js';
export {
  accuracy,
  type BinaryConfusion,
  binaryConfusion,
  confusionMetrics,
  LOG_LOSS_EPS,
  logLoss,
  rocAuc,
} from './classification-metrics.js';
export {
  isObject,
  type LabelBatch,
  MAX_LABEL_BATCH,
  parseLabelBatch,
  parseModelBatch,
  parsePredictionRef,
} from './label-batch.js';
export { entityKey, labelKey } from './label-key.js';
export { type ArrivalPayload, matchLabels, resolveToPredictions } from './label-tables.js';
export {
  measurePerformance,
  type PerformanceGroup,
  type PerformanceQuery,
  type PerformanceReport,
  type PerformanceTask,
  type RealizedPerformance,
} from './performance-report.js';
export { meanAbsoluteError, rootMeanSquaredError } from './regression-metrics.js';
export {
  type EntityLabel,
  type EntityRef,
  isRequestLabel,
  type Label,
  type LabelFilter,
  type LabelStore,
  type LabelValue,
  type PredictionRef,
  type RequestLabel,
  type RequestRef,
  type StoredLabel,
} from './types.js';
export { type UnknownRequestIds, unknownRequestIds } from './unknown-requests.js';
