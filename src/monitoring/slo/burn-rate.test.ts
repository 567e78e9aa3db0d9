import { describe, expect, it } from 'vitest';
import { SlipwayError } from '../../core/errors.js';
import { burnRate, evaluateSlo } from './burn-rate.js';
import { ServingCounters } from './serving-counters.js';
import type { SloDefinition } from './types.js';
import { burnRateThreshold } from './windows.js';

const T0 = 1_700_000_000_000;
const MIN = 60_000;
const clockAt = (t: number) => ({
  t,
  now() {
    return this.t;
  },
});

const errorsSlo: SloDefinition = { name: 'fraud-errors', model: 'fraud', kind: 'errors', objective: 0.999 };
const latencySlo: SloDefinition = {
  name: 'fraud-p99',
  model: 'fraud',
  kind: 'latency',
  objective: 0.99,
  latencyThresholdMs: 50,
};

function repeat(n: number, fn: () => void) {
  for (let i = 0; i < n; i++) fn();
}

describe('burn rates', () => {
  it('reproduces the SRE workbook thresholds from budget share, period and window', () => {
    expect(burnRateThreshold(0.02, 30 * 86_400_000, 3_600_000)).toBeCloseTo(14.4, 12);
    expect(burnRateThreshold(0.05, 30 * 86_400_000, 6 * 3_600_000)).toBeCloseTo(6, 12);
  });

  it('is the bad-event rate over the error budget', () => {
    expect(burnRate(errorsSlo, { total: 1000, errors: 5, slow: 0 })).toBeCloseTo(5, 9);
    // A latency SLO counts answered requests only: 3 slow of 100 answered (1 failed) at 99 % is 3×.
    expect(burnRate(latencySlo, { total: 101, errors: 1, slow: 3 })).toBeCloseTo(3, 9);
    expect(burnRate(errorsSlo, { total: 0, errors: 0, slow: 0 })).toBe(0);
  });

  it('pages on the fast pair when both its windows burn, not on the slow pair whose long window is calm', async () => {
    const clock = clockAt(T0 - 5 * 60 * MIN);
    const counters = new ServingCounters({ latencyThresholdsMs: [50], clock });
    repeat(5000, () => counters.success('fraud', '1', 0.01));
    clock.t = T0 - 40 * MIN;
    repeat(900, () => counters.success('fraud', '1', 0.01));
    repeat(18, () => counters.failure('fraud', '1', 'INTERNAL_ERROR'));
    clock.t = T0 - 2 * MIN;
    repeat(98, () => counters.success('fraud', '1', 0.01));
    repeat(2, () => counters.failure('fraud', '1', 'INTERNAL_ERROR'));
    // The caller's mistakes are requests but spend no budget.
    repeat(5, () => counters.failure('fraud', '1', 'INVALID_PARAMETER_VALUE'));
    clock.t = T0;

    const v = await evaluateSlo(errorsSlo, counters, T0);
    const [fast, slow] = v.windows;
    expect(fast.window.name).toBe('fast');
    expect(fast.shortBurnRate).toBeCloseTo(2 / 105 / 0.001, 9); // 5 min: 105 requests, 2 errors
    expect(fast.longBurnRate).toBeCloseTo(20 / 1023 / 0.001, 9); // 1 h: 1023 requests, 20 errors
    expect(fast.burning).toBe(true);
    expect(slow.shortBurnRate).toBeCloseTo(2 / 105 / 0.001, 9); // 30 min
    expect(slow.longBurnRate).toBeCloseTo(20 / 6023 / 0.001, 9); // 6 h: 3.32× < 6×
    expect(slow.burning).toBe(false);
    expect(v.status).toBe('burning');
    expect(v.periodEvents).toBe(6023);
    expect(v.budgetRemaining).toBeCloseTo(1 - 20 / 6023 / 0.001, 9);
  });

  it('stops paging once the short window is clean, and reports the overspent budget', async () => {
    const clock = clockAt(T0 - 50 * MIN);
    const counters = new ServingCounters({ latencyThresholdsMs: [50], clock });
    repeat(80, () => counters.success('fraud', '1', 0.01));
    repeat(20, () => counters.failure('fraud', '1', 'TEMPORARILY_UNAVAILABLE'));
    clock.t = T0 - 3 * MIN;
    repeat(100, () => counters.success('fraud', '1', 0.01));
    clock.t = T0;
    const v = await evaluateSlo(errorsSlo, counters, T0);
    expect(v.windows[0].longBurnRate).toBeCloseTo(20 / 200 / 0.001, 9);
    expect(v.windows[0].shortBurnRate).toBe(0);
    expect(v.windows.every((w) => !w.burning)).toBe(true);
    expect(v.budgetRemaining).toBeCloseTo(1 - 100, 6);
    expect(v.status).toBe('exhausted');
  });

  it('judges a latency SLO on answered requests slower than its threshold', async () => {
    const clock = clockAt(T0 - MIN);
    const counters = new ServingCounters({ latencyThresholdsMs: [50, 200], clock });
    repeat(3, () => counters.success('fraud', '2', 0.2));
    repeat(96, () => counters.success('fraud', '2', 0.01));
    counters.success('fraud', '2', 0.05); // exactly at the threshold: within it
    counters.failure('fraud', '2', 'INTERNAL_ERROR');
    counters.success('other', '1', 9); // another model's requests are not this SLO's
    clock.t = T0;
    const v = await evaluateSlo(latencySlo, counters, T0);
    for (const w of v.windows) {
      expect(w.shortBurnRate).toBeCloseTo(3 / 100 / 0.01, 9);
      expect(w.longBurnRate).toBeCloseTo(3 / 100 / 0.01, 9);
    }
    // 3 % slow against a 1 % budget: 3× the budget over the period, not fast enough to page.
    expect(v.budgetRemaining).toBeCloseTo(1 - 3, 9);
    expect(v.status).toBe('exhausted');
    const v2 = await evaluateSlo({ ...latencySlo, version: '1' }, counters, T0);
    expect(v2.periodEvents).toBe(0);
  });

  it('forgets requests older than the counters hold', async () => {
    const clock = clockAt(T0 - 7 * 60 * MIN);
    const counters = new ServingCounters({ latencyThresholdsMs: [50], clock });
    repeat(10, () => counters.failure('fraud', '1', 'INTERNAL_ERROR'));
    clock.t = T0;
    expect(await counters.counts({ model: 'fraud', from: T0 - 8 * 60 * MIN, to: T0 })).toEqual({
      total: 0,
      errors: 0,
      slow: 0,
    });
  });

  it('refuses thresholds the counters do not track, and bad SLOs, naming the field', async () => {
    const counters = new ServingCounters({ latencyThresholdsMs: [50] });
    await expect(evaluateSlo({ ...latencySlo, latencyThresholdMs: 75 }, counters, T0)).rejects.toMatchObject({
      details: { field: 'latencyThresholdMs', got: '75' },
    });
    await expect(evaluateSlo({ ...errorsSlo, objective: 1 }, counters, T0)).rejects.toBeInstanceOf(
      SlipwayError,
    );
    await expect(evaluateSlo({ ...errorsSlo, objective: 1 }, counters, T0)).rejects.toMatchObject({
      details: { field: 'objective' },
    });
    await expect(
      evaluateSlo(
        { ...errorsSlo, windows: [{ name: 'x', longMs: 60_000, shortMs: 120_000, burnRate: 2 }] },
        counters,
        T0,
      ),
    ).rejects.toMatchObject({ details: { field: 'windows[0].shortMs' } });
  });
});
