/** Checks an SLO as a user wrote it; every refusal is a SlipwayError naming the field. */
import { invalidParameter } from '../../core/errors.js';
import type { BurnWindowPair, SloDefinition } from './types.js';
import { DEFAULT_BURN_WINDOWS, DEFAULT_SLO_PERIOD_MS } from './windows.js';

const positive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

/**
 * The definition with its defaults filled in (period, window pairs), or INVALID_PARAMETER_VALUE.
 *
 * @example checkSloDefinition({ name: 'p99', model: 'fraud', kind: 'latency', objective: 0.99, latencyThresholdMs: 50 })
 */
export function checkSloDefinition(
  slo: SloDefinition,
): Required<Omit<SloDefinition, 'version' | 'latencyThresholdMs'>> & SloDefinition {
  if (!nonEmpty(slo.name)) throw invalidParameter('name', 'a non-empty SLO name', slo.name);
  if (!nonEmpty(slo.model)) throw invalidParameter('model', 'a model name', slo.model);
  if (slo.version !== undefined && !nonEmpty(slo.version))
    throw invalidParameter('version', 'a version or nothing', slo.version);
  if (slo.kind !== 'latency' && slo.kind !== 'errors')
    throw invalidParameter('kind', "'latency' or 'errors'", slo.kind);
  if (typeof slo.objective !== 'number' || !(slo.objective > 0 && slo.objective < 1))
    throw invalidParameter('objective', 'a share between 0 and 1 exclusive, such as 0.999', slo.objective);
  if (slo.kind === 'latency' && !positive(slo.latencyThresholdMs))
    throw invalidParameter('latencyThresholdMs', 'a positive number of milliseconds', slo.latencyThresholdMs);
  if (slo.periodMs !== undefined && !positive(slo.periodMs))
    throw invalidParameter('periodMs', 'a positive number of milliseconds', slo.periodMs);
  const windows = slo.windows ?? DEFAULT_BURN_WINDOWS;
  if (!Array.isArray(windows) || windows.length === 0)
    throw invalidParameter('windows', 'a non-empty list of window pairs', windows);
  windows.forEach(checkWindow);
  return { ...slo, periodMs: slo.periodMs ?? DEFAULT_SLO_PERIOD_MS, windows };
}

function checkWindow(w: BurnWindowPair, i: number): void {
  const at = `windows[${i}]`;
  if (!nonEmpty(w?.name)) throw invalidParameter(`${at}.name`, 'a window name', w?.name);
  if (!positive(w.longMs))
    throw invalidParameter(`${at}.longMs`, 'a positive number of milliseconds', w.longMs);
  if (!positive(w.shortMs) || w.shortMs > w.longMs)
    throw invalidParameter(
      `${at}.shortMs`,
      `a positive number of milliseconds ≤ longMs (${w.longMs})`,
      w.shortMs,
    );
  if (!positive(w.burnRate)) throw invalidParameter(`${at}.burnRate`, 'a positive number', w.burnRate);
}
