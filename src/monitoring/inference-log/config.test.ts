import { describe, expect, it } from 'vitest';
import { SlipwayError } from '../../core/errors.js';
import { checkSampleRate, parseProfileWindow, parseRetention } from './config.js';
import { openParquetInferenceLog } from './parquet-inference-log.js';

describe('inference log settings', () => {
  it('reads retention as an age, a size or both', () => {
    expect(parseRetention('7d')).toEqual({ maxAgeMs: 7 * 86_400_000 });
    expect(parseRetention('12h')).toEqual({ maxAgeMs: 12 * 3_600_000 });
    expect(parseRetention('10GiB')).toEqual({ maxBytes: 10 * 2 ** 30 });
    expect(parseRetention('7d, 500MB')).toEqual({ maxAgeMs: 7 * 86_400_000, maxBytes: 500e6 });
  });

  it.each(['', 'soon', '7', '0d', '0GiB', '7d,8d', '-1d', '7 days'])(
    'refuses retention %j naming the flag',
    (text) => {
      expect(() => parseRetention(text)).toThrow("Invalid value for '--inference-log-retention'");
    },
  );

  it('takes sample rates from 0 to 1 and refuses others with the field named', () => {
    expect(checkSampleRate('0.25')).toBe(0.25);
    expect(checkSampleRate(0)).toBe(0);
    expect(checkSampleRate('1')).toBe(1);
    for (const bad of ['1.5', '-0.1', 'half', '', Number.NaN]) {
      expect(() => checkSampleRate(bad, '--inference-log-sample-rate')).toThrow(
        "Invalid value for '--inference-log-sample-rate': expected a number from 0 to 1",
      );
    }
  });

  it('reads the profile window as a duration or off, and refuses others naming the flag', () => {
    expect(parseProfileWindow('1m')).toBe(60_000);
    expect(parseProfileWindow('90s')).toBe(90_000);
    expect(parseProfileWindow('OFF')).toBe(false);
    for (const bad of ['', '0m', 'soon', '60', '-1m']) {
      expect(() => parseProfileWindow(bad)).toThrow(
        "Invalid value for '--inference-log-profile-window': expected a duration like '1m'",
      );
    }
  });

  it('refuses options it cannot run with before opening anything', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ dir: '' }, "'dir'"],
      [{ dir: '/tmp/x', flushRows: 0 }, "'flushRows'"],
      [{ dir: '/tmp/x', flushIntervalMs: 1.5 }, "'flushIntervalMs'"],
      [
        { dir: '/tmp/x', flushRows: 100, maxBufferedRows: 10 },
        "'maxBufferedRows': expected at least flushRows",
      ],
      [{ dir: '/tmp/x', replicaId: 'a/b' }, "'replicaId'"],
      [{ dir: '/tmp/x', retention: { maxAgeMs: -1 } }, "'retention.maxAgeMs'"],
      [{ dir: '/tmp/x', profileWindowMs: 0 }, "'profileWindowMs'"],
    ];
    for (const [opts, message] of cases) {
      const err = await openParquetInferenceLog(opts as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SlipwayError);
      expect((err as SlipwayError).code).toBe('INVALID_PARAMETER_VALUE');
      expect((err as Error).message).toContain(message);
    }
  });
});
