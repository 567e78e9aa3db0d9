/**
 * Alerting: rules over metric series (drift, performance, SLO burn, latency, or any a module
 * registers), alerts stepped inactive → pending → firing → resolved and deduplicated per rule and
 * labels, notifications to webhooks (signed, retried from a durable outbox) and to the log, and the
 * alert-state gauge on /metrics.
 */
export {
  DeliveryError,
  logChannel,
  type NotificationChannel,
  signatureOf,
  type WebhookChannelOptions,
  webhookChannel,
} from './channels.js';
export {
  DEFAULT_RETRY_POLICY,
  type DispatcherOptions,
  type DispatcherStats,
  NotificationDispatcher,
  type RetryPolicy,
  retryDelay,
} from './dispatcher.js';
export {
  AlertEvaluator,
  type AlertEvaluatorOptions,
  type AlertNotifier,
  openAlertEvaluator,
} from './evaluator.js';
export {
  labelKey,
  type MetricSeries,
  type MetricSource,
  MetricSources,
  RecordedMetrics,
} from './metric-sources.js';
export { registerAlertGauges } from './prometheus.js';
export { ALERT_RULE_FIELDS, checkAlertRule, compare, durationMs } from './rule.js';
export { sloMetricSource } from './slo-metrics.js';
export { type AlertStep, initialAlertState, nextAlertState } from './state-machine.js';
export type {
  AlertNotification,
  AlertRule,
  AlertRuleInput,
  AlertSeverity,
  AlertState,
  AlertStateName,
  AlertStore,
  Comparison,
  Delivery,
  DeliveryAttempt,
  DeliveryStatus,
} from './types.js';
