/** Checks alert rules as users write them, and the one comparison they all use. */
import { invalidParameter } from '../../core/errors.js';
import { parseDuration } from '../../features/definitions/duration.js';
import type { AlertRule, AlertRuleInput, AlertSeverity, Comparison } from './types.js';

const COMPARISONS: readonly Comparison[] = ['>', '>=', '<', '<=', '==', '!='];
const SEVERITIES: readonly AlertSeverity[] = ['critical', 'warning', 'info'];
const NAME = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Milliseconds in a duration given as ms or as a string such as '90s', '5m', '1h30m'. */
export function durationMs(value: number | string, field: string): number {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return value;
    throw invalidParameter(field, "a whole number of milliseconds ≥ 0 or a duration like '5m'", value);
  }
  try {
    if (/^\s*\d+\s*$/.test(String(value))) throw new Error('bare number');
    return parseDuration(value, field) * 1000;
  } catch {
    throw invalidParameter(field, "a duration like '30s', '5m', '1h' or '1d'", value);
  }
}

/** The fields an alert rule is written with (YAML and the rules API refuse any other). */
export const ALERT_RULE_FIELDS: readonly string[] = [
  'name',
  'metric',
  'comparison',
  'threshold',
  'window',
  'for',
  'severity',
  'labels',
  'renotify',
];

/**
 * The rule with durations in milliseconds and defaults filled in, or INVALID_PARAMETER_VALUE naming
 * the field.
 *
 * @example checkAlertRule({ name: 'p99-burn', metric: 'slo.p99.burn', comparison: '>=', threshold: 14.4, for: '2m', severity: 'critical' })
 */
export function checkAlertRule(input: AlertRuleInput | AlertRule): AlertRule {
  const r = input as Partial<AlertRuleInput & AlertRule>;
  if (typeof r.name !== 'string' || !NAME.test(r.name))
    throw invalidParameter('name', 'a rule name of letters, digits and _.:- (at most 128)', r.name);
  if (typeof r.metric !== 'string' || r.metric.trim() === '')
    throw invalidParameter('metric', "a metric series name such as 'drift.share'", r.metric);
  if (!COMPARISONS.includes(r.comparison as Comparison))
    throw invalidParameter('comparison', COMPARISONS.join(' '), r.comparison);
  if (typeof r.threshold !== 'number' || !Number.isFinite(r.threshold))
    throw invalidParameter('threshold', 'a finite number', r.threshold);
  const severity = r.severity ?? 'warning';
  if (!SEVERITIES.includes(severity)) throw invalidParameter('severity', SEVERITIES.join(', '), severity);
  const labels = r.labels ?? {};
  if (
    typeof labels !== 'object' ||
    Array.isArray(labels) ||
    Object.values(labels).some((v) => typeof v !== 'string')
  )
    throw invalidParameter('labels', 'an object of string values', labels);
  const windowMs = durationMs(r.window ?? r.windowMs ?? 300_000, 'window');
  const forMs = durationMs(r.for ?? r.forMs ?? 0, 'for');
  const renotify = r.renotify ?? r.renotifyMs;
  const rule: AlertRule = {
    name: r.name,
    metric: r.metric,
    comparison: r.comparison as Comparison,
    threshold: r.threshold,
    windowMs,
    forMs,
    severity,
    labels: { ...labels },
  };
  if (renotify !== undefined) {
    rule.renotifyMs = durationMs(renotify, 'renotify');
    if (rule.renotifyMs === 0) throw invalidParameter('renotify', 'a positive duration', renotify);
  }
  return rule;
}

/** Whether `value comparison threshold` holds; NaN and null never do. */
export function compare(value: number | null, comparison: Comparison, threshold: number): boolean {
  if (value === null || Number.isNaN(value)) return false;
  switch (comparison) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '==':
      return value === threshold;
    case '!=':
      return value !== threshold;
  }
}
