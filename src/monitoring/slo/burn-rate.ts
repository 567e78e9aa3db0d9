/**
 * Error-budget burn rates: how many times faster than the SLO allows the budget is being spent
 * (burn rate = bad-event rate / (1 − objective); 1 spends exactly the budget over the period).
 * Multiwindow evaluation after the Google SRE Workbook, chapter 5 (see windows.ts).
 */
import { invalidParameter } from '../../core/errors.js';
import { checkSloDefinition } from './slo-definition.js';
import type { BurnWindowVerdict, SloCounts, SloDefinition, SloSource, SloVerdict } from './types.js';

/** Bad events among the events an SLO of `kind` counts (latency: answered requests; errors: all). */
function badAndTotal(slo: SloDefinition, c: SloCounts): [bad: number, total: number] {
  if (slo.kind === 'errors') return [c.errors ?? 0, c.total];
  return [c.slow, c.total - (c.errors ?? 0)];
}

/**
 * The share of events allowed to be bad, 1 − objective, rounded to 12 significant digits: objectives
 * are written as decimals (0.999), and 1 − 0.999 in binary is 0.0010000000000000009.
 */
export function errorBudget(objective: number): number {
  return Number((1 - objective).toPrecision(12));
}

/**
 * The burn rate of `counts` against `slo`; 0 for a window without events (nothing was spent).
 *
 * @example burnRate({ kind: 'errors', objective: 0.999, … }, { total: 1000, errors: 5, slow: 0 }) // 5
 */
export function burnRate(slo: SloDefinition, counts: SloCounts): number {
  const [bad, total] = badAndTotal(slo, counts);
  if (total <= 0) return 0;
  return bad / total / errorBudget(slo.objective);
}

/**
 * Evaluates one SLO at `now`: the burn rate over each window of each pair, the verdict of each
 * pair, and the budget left over the period (within what the source still holds).
 *
 * @example
 * const v = await evaluateSlo({ name: 'errors', model: 'fraud', kind: 'errors', objective: 0.999 }, counters, Date.now());
 * if (v.status !== 'ok') page(v);
 */
export async function evaluateSlo(slo: SloDefinition, source: SloSource, now: number): Promise<SloVerdict> {
  const def = checkSloDefinition(slo);
  if (def.kind === 'errors' && !source.countsErrors)
    throw invalidParameter(
      'source',
      'an SLO source that counts failed requests for an errors SLO',
      'inference log',
    );
  const read = (spanMs: number) =>
    source.counts({
      model: def.model,
      version: def.version,
      from: now - spanMs,
      to: now,
      latencyThresholdMs: def.latencyThresholdMs,
    });
  const windows: BurnWindowVerdict[] = [];
  for (const w of def.windows) {
    const [long, short] = await Promise.all([read(w.longMs), read(w.shortMs)]);
    const longBurnRate = burnRate(def, long);
    const shortBurnRate = burnRate(def, short);
    windows.push({
      window: w,
      longBurnRate,
      shortBurnRate,
      burning: longBurnRate >= w.burnRate && shortBurnRate >= w.burnRate,
    });
  }
  const [bad, total] = badAndTotal(def, await read(def.periodMs));
  const periodErrorRate = total > 0 ? bad / total : 0;
  const budgetRemaining = 1 - periodErrorRate / errorBudget(def.objective);
  const status = windows.some((w) => w.burning)
    ? 'burning'
    : budgetRemaining <= 0 && total > 0
      ? 'exhausted'
      : 'ok';
  return { slo, evaluatedAt: now, windows, periodErrorRate, periodEvents: total, budgetRemaining, status };
}
