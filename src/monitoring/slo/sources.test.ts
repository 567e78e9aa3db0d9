import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createServingServer } from '../../server/serving-app.js';
import { openInferenceEngine } from '../../serving/engine.js';
import type { InferenceRecord, Tensor } from '../../serving/types.js';
import { openParquetInferenceLog } from '../inference-log/index.js';
import { evaluateSlo } from './burn-rate.js';
import { InferenceLogSloSource } from './inference-log-source.js';
import { ServingCounters } from './serving-counters.js';
import { registerSloGauges, SloBoard } from './slo-board.js';

const tmp: string[] = [];
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});
const x3 = (a: number): Tensor => ({
  name: 'x',
  datatype: 'FP32',
  shape: [1, 3],
  data: new Float32Array([a, a, a]),
});

describe('SLO counts from the serving engine', () => {
  it('counts served requests and server-side failures, and exports burn rates on /metrics', async () => {
    const engine = await openInferenceEngine({
      repository: 'test/fixtures/serving/repository',
      models: ['mymodel', 'broken'],
      defaults: { instanceCount: 1 },
    });
    try {
      const counters = new ServingCounters({ latencyThresholdsMs: [60_000] });
      engine.metrics.listen(counters);
      for (let i = 0; i < 3; i++) await engine.infer({ model: 'mymodel', inputs: [x3(i)] });
      const wrong: Tensor = { name: 'x', datatype: 'FP32', shape: [1, 4], data: new Float32Array(4) };
      await expect(engine.infer({ model: 'mymodel', inputs: [wrong] })).rejects.toThrow();
      // 'broken' failed to load: its requests answer 503, the server's failure.
      await expect(engine.infer({ model: 'broken', inputs: [x3(1)] })).rejects.toThrow();

      const now = Date.now() + 1;
      const window = { from: now - 60_000, to: now, latencyThresholdMs: 60_000 };
      expect(await counters.counts({ model: 'mymodel', version: '1', ...window })).toEqual({
        total: 4,
        errors: 0,
        slow: 0,
      });
      expect(await counters.counts({ model: 'broken', ...window })).toEqual({ total: 1, errors: 1, slow: 0 });

      const board = new SloBoard(counters, [
        { name: 'broken-errors', model: 'broken', kind: 'errors', objective: 0.999 },
        {
          name: 'mymodel-latency',
          model: 'mymodel',
          version: '1',
          kind: 'latency',
          objective: 0.99,
          latencyThresholdMs: 60_000,
        },
      ]);
      registerSloGauges(engine.metrics.registry, board);
      await board.evaluate(now);
      expect(board.series('slo.broken-errors.burn')).toEqual([
        { labels: { model: 'broken', version: '', slo: 'broken-errors' }, value: 1000 },
      ]);
      const app = await createServingServer(engine, { logger: false });
      const text = (await app.inject({ url: '/metrics' })).body;
      await app.close();
      expect(text).toContain(
        'slipway_slo_burn_rate{model="broken",version="",slo="broken-errors",window="1h"} 1000',
      );
      expect(text).toContain(
        'slipway_slo_burn_rate{model="broken",version="",slo="broken-errors",window="5m"} 1000',
      );
      expect(text).toContain(
        'slipway_slo_burn_rate{model="mymodel",version="1",slo="mymodel-latency",window="6h"} 0',
      );
    } finally {
      await engine.close();
    }
  });
});

describe('SLO counts from the inference log', () => {
  const T0 = Date.parse('2024-05-01T12:00:00Z');
  const record = (id: string, timestamp: number, latencyMicros: number, rows = 1): InferenceRecord => ({
    id,
    model: 'fraud',
    version: '1',
    timestamp,
    latencyMicros,
    inputs: [{ name: 'x', datatype: 'FP32', shape: [rows, 2], data: new Float32Array(rows * 2) }],
    outputs: [{ name: 'score', datatype: 'FP32', shape: [rows, 1], data: new Float32Array(rows) }],
  });

  it('counts requests (not rows) slower than the threshold within the window', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-slo-log-'));
    tmp.push(dir);
    const log = await openParquetInferenceLog({ dir, replicaId: 'a' });
    const records: InferenceRecord[] = [];
    // Within the last 5 minutes: 8 requests, 2 slower than 50 ms (one of them a batch of 4 rows).
    for (let i = 0; i < 6; i++) records.push(record(`fast-${i}`, T0 - 60_000 - i, 10_000));
    records.push(record('slow-batch', T0 - 30_000, 80_000, 4), record('slow', T0 - 10_000, 50_001));
    // 2 hours ago (outside the fast pair's windows, inside the slow pair's 6 h): 2 slow of 2.
    records.push(record('old-1', T0 - 2 * 3_600_000, 90_000), record('old-2', T0 - 2 * 3_600_000, 90_000));
    log.write(records);
    await log.close();

    const source = new InferenceLogSloSource(dir);
    expect(
      await source.counts({ model: 'fraud', from: T0 - 300_000, to: T0, latencyThresholdMs: 50 }),
    ).toEqual({ total: 8, errors: null, slow: 2 });
    const v = await evaluateSlo(
      { name: 'p99', model: 'fraud', kind: 'latency', objective: 0.99, latencyThresholdMs: 50 },
      source,
      T0,
    );
    const [fast, slow] = v.windows;
    expect(fast.shortBurnRate).toBeCloseTo(2 / 8 / 0.01, 9);
    expect(fast.longBurnRate).toBeCloseTo(2 / 8 / 0.01, 9);
    expect(slow.longBurnRate).toBeCloseTo(4 / 10 / 0.01, 9);
    expect(slow.shortBurnRate).toBeCloseTo(2 / 8 / 0.01, 9);
    await expect(
      evaluateSlo({ name: 'e', model: 'fraud', kind: 'errors', objective: 0.999 }, source, T0),
    ).rejects.toMatchObject({ details: { field: 'source' } });
  });
});
