/** Report windows: `'24h'` (the last 24 hours up to now) or explicit `from`/`to` times. */
import { invalidParameter } from '../../core/errors.js';
import { parseDuration } from '../../features/definitions/duration.js';

/** A window as asked for: a duration back from now, or bounds. */
export interface WindowSpec {
  window?: string;
  from?: Date | string;
  to?: Date | string;
}

function timeOf(field: string, v: Date | string | undefined): Date | undefined {
  if (v === undefined) return undefined;
  const d = v instanceof Date ? v : new Date(v);
  if (Number.isNaN(d.getTime())) throw invalidParameter(field, 'an ISO 8601 time', v);
  return d;
}

/**
 * The [from, to) a report covers. `window` counts back from `to` (default now).
 *
 * @example resolveWindow({ window: '24h' }, Date.parse('2024-05-02T00:00:00Z'))
 * // { from: 2024-05-01T00:00:00Z, to: 2024-05-02T00:00:00Z, label: '24h' }
 */
export function resolveWindow(spec: WindowSpec, now: number): { from: Date; to: Date; label: string } {
  const to = timeOf('to', spec.to) ?? new Date(now);
  let from = timeOf('from', spec.from);
  let label = '';
  if (spec.window !== undefined) {
    if (from) throw invalidParameter('window', 'either window or from, not both', spec.window);
    const text = String(spec.window);
    if (!/^(\d+[smhdw])+$/i.test(text.trim()))
      throw invalidParameter('window', "a duration like '1h', '24h' or '7d'", spec.window);
    const seconds = parseDuration(text, "Report 'window'");
    if (seconds <= 0) throw invalidParameter('window', 'a duration above zero', spec.window);
    from = new Date(to.getTime() - seconds * 1000);
    label = text.trim();
  }
  if (!from) throw invalidParameter('window', "a duration like '24h' (or from and to)", undefined);
  if (from.getTime() >= to.getTime())
    throw invalidParameter('from', `a time before to (${to.toISOString()})`, from.toISOString());
  return { from, to, label: label || `${from.toISOString()} – ${to.toISOString()}` };
}
