/**
 * Time-to-live values as people write them: `0` (unbounded), a number of seconds, or a duration
 * string such as `'3600s'`, `'90m'`, `'12h'`, `'1d'`, `'2w'` or `'1d12h'`.
 */
import { SlipwayError } from '../../core/errors.js';

/** A TTL as written in a definitions file: seconds, or a duration string. */
export type Duration = number | string;

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 };
const DURATION = /^(?:\d+[smhdw])+$/;

/**
 * Seconds in `value`; throws INVALID_PARAMETER_VALUE naming `where` (e.g. "Feature view 'trips' field
 * 'ttl'") when it is neither a whole number of seconds ≥ 0 nor a duration string.
 *
 * @example parseDuration('1d12h', "Feature view 'trips' field 'ttl'") // 129600
 */
export function parseDuration(value: Duration, where: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (/^\d+$/.test(text)) return Number(text);
    if (DURATION.test(text)) {
      let seconds = 0;
      for (const [, n, unit] of text.matchAll(/(\d+)([smhdw])/g)) seconds += Number(n) * UNIT_SECONDS[unit];
      return seconds;
    }
  }
  throw new SlipwayError(
    'INVALID_PARAMETER_VALUE',
    `${where} must be 0, a whole number of seconds or a duration like '3600s', '12h', '1d', got ${JSON.stringify(value)}`,
    { field: 'ttl', got: value },
  );
}
