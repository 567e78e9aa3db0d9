/**
 * Validation of the inference log's settings as users write them (CLI flags, options objects): a
 * bad value is INVALID_PARAMETER_VALUE naming the field, what was expected and what arrived.
 */
import { invalidParameter } from '../../core/errors.js';
import { parseDuration } from '../../features/definitions/index.js';
import type { ParquetInferenceLogOptions, RetentionPolicy } from './types.js';

const BYTE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** A share of requests, 0..1 (CLI text or a number). */
export function checkSampleRate(value: unknown, field = 'sampleRate'): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > 1) {
    throw invalidParameter(field, 'a number from 0 to 1', value);
  }
  return n;
}

/** A positive duration with units (`7d`, `90m`) in ms; else INVALID_PARAMETER_VALUE showing `original`. */
function durationMs(part: string, field: string, expected: string, original: string): number {
  if (!/^(?:\d+[smhdw])+$/.test(part)) throw invalidParameter(field, expected, original);
  const seconds = parseDuration(part, field);
  if (seconds <= 0) throw invalidParameter(field, expected, original);
  return seconds * 1000;
}

/**
 * A retention policy from text: an age (`7d`, `12h`, `90m`), a size (`10GiB`, `500MB`), or both
 * joined by a comma (`7d,10GiB`: whichever deletes more).
 *
 * @example parseRetention('7d,10GiB') // { maxAgeMs: 604800000, maxBytes: 10737418240 }
 */
export function parseRetention(text: string, field = '--inference-log-retention'): RetentionPolicy {
  const expected = "an age like '7d' or '12h', a size like '10GiB', or both ('7d,10GiB')";
  const policy: RetentionPolicy = {};
  const parts = String(text)
    .split(',')
    .map((p) => p.trim().toLowerCase());
  for (const part of parts) {
    const size = /^(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)$/.exec(part);
    if (size && policy.maxBytes === undefined) {
      policy.maxBytes = Math.floor(Number(size[1]) * BYTE_UNITS[size[2]]);
      if (policy.maxBytes <= 0) throw invalidParameter(field, expected, text);
      continue;
    }
    if (policy.maxAgeMs !== undefined) throw invalidParameter(field, expected, text);
    policy.maxAgeMs = durationMs(part, field, expected, text);
  }
  return policy;
}

/**
 * The profile window from text: a duration (`1m`, `30s`, `1h`) or `off` (false: no profiles).
 *
 * @example parseProfileWindow('5m') // 300000
 */
export function parseProfileWindow(text: string, field = '--inference-log-profile-window'): number | false {
  const expected = "a duration like '1m', '30s' or '1h', or 'off'";
  const t = String(text).trim().toLowerCase();
  return t === 'off' ? false : durationMs(t, field, expected, text);
}

function positiveInteger(field: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value <= 0)) {
    throw invalidParameter(field, 'a positive whole number', value);
  }
}

/** Throws on options the sink cannot run with (before anything is opened). */
export function checkLogOptions(opts: ParquetInferenceLogOptions): void {
  if (typeof opts.dir !== 'string' || opts.dir.trim() === '') {
    throw invalidParameter('dir', 'a folder path', opts.dir);
  }
  positiveInteger('flushRows', opts.flushRows);
  positiveInteger('flushIntervalMs', opts.flushIntervalMs);
  positiveInteger('maxBufferedRows', opts.maxBufferedRows);
  positiveInteger('threads', opts.threads);
  positiveInteger('profileWindowMs', opts.profileWindowMs);
  if (
    opts.flushRows !== undefined &&
    opts.maxBufferedRows !== undefined &&
    opts.maxBufferedRows < opts.flushRows
  ) {
    throw invalidParameter('maxBufferedRows', `at least flushRows (${opts.flushRows})`, opts.maxBufferedRows);
  }
  const r = opts.retention;
  if (r) {
    positiveInteger('retention.maxAgeMs', r.maxAgeMs);
    positiveInteger('retention.maxBytes', r.maxBytes);
    positiveInteger('retention.intervalMs', r.intervalMs);
  }
}
