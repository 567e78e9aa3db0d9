/**
 * The multiwindow, multi-burn-rate alert windows of the Google SRE Workbook, chapter 5 "Alerting on
 * SLOs" (https://sre.google/workbook/alerting-on-slos/, table 5-8): page when 2 % of a 30-day budget
 * burns within 1 hour (burn rate 0.02 × 720 h / 1 h = 14.4) or 5 % within 6 hours (0.05 × 720 / 6 = 6),
 * each confirmed by a short window of 1/12 the long one (5 min, 30 min) so the alert resets soon after
 * the burning stops.
 */
import type { BurnWindowPair } from './types.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** 30 days, the workbook's budget period. */
export const DEFAULT_SLO_PERIOD_MS = 30 * DAY;

/** Fast burn (1 h / 5 min at 14.4×) and slow burn (6 h / 30 min at 6×). */
export const DEFAULT_BURN_WINDOWS: readonly BurnWindowPair[] = Object.freeze([
  { name: 'fast', longMs: HOUR, shortMs: 5 * MINUTE, burnRate: 14.4 },
  { name: 'slow', longMs: 6 * HOUR, shortMs: 30 * MINUTE, burnRate: 6 },
]);

/**
 * The burn rate that spends `budgetShare` of a `periodMs` budget within `longMs`: the workbook's
 * threshold formula, for periods other than 30 days.
 *
 * @example burnRateThreshold(0.02, 30 * 86_400_000, 3_600_000) // 14.4
 */
export function burnRateThreshold(budgetShare: number, periodMs: number, longMs: number): number {
  return (budgetShare * periodMs) / longMs;
}
