/**
 * Service-level objectives of served models: latency and error SLOs, error-budget burn rates over
 * fast and slow window pairs (Google SRE Workbook, ch. 5), and the sources their counts come from.
 */
export { burnRate, errorBudget, evaluateSlo } from './burn-rate.js';
export { InferenceLogSloSource } from './inference-log-source.js';
export { isServerError, ServingCounters, type ServingCountersOptions } from './serving-counters.js';
export { registerSloGauges, SloBoard } from './slo-board.js';
export { checkSloDefinition } from './slo-definition.js';
export type {
  BurnWindowPair,
  BurnWindowVerdict,
  SloCountQuery,
  SloCounts,
  SloDefinition,
  SloKind,
  SloSource,
  SloVerdict,
} from './types.js';
export { burnRateThreshold, DEFAULT_BURN_WINDOWS, DEFAULT_SLO_PERIOD_MS } from './windows.js';
