/**
 * Monitoring's business metrics: outcome events (`converted`, `chargeback_amount`) posted later,
 * tied to a logged prediction by request id or by entity and time, stored idempotently and
 * reported per model version (window, segment) beside the technical metrics — predictions,
 * requests, latency — and exported as alert series `business.<event>.<count|sum|mean|rate>`.
 */
export {
  type BusinessMetricsGroup,
  type BusinessMetricsQuery,
  type BusinessMetricsReport,
  type EventMetrics,
  reportBusinessMetrics,
} from './business-report.js';
export { EVENT_NAME, type EventBatch, MAX_EVENT_BATCH, parseEventBatch } from './event-batch.js';
export { type BusinessMetricSourceOptions, businessMetricSource } from './metric-source.js';
export type {
  EntityEvent,
  EventFilter,
  EventStore,
  OutcomeEvent,
  RequestEvent,
  StoredEvent,
} from './types.js';
