/**
 * Performance from a real inference log (Parquet segments written by the serving log's writer)
 * and labels in a real SQLite label store, joined in DuckDB: per window and segment, by request
 * id and by entity as of a time; unknown labels counted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlDatabase, type SqlDatabase } from '../../backends/sql/connect.js';
import { SqlLabelStore } from '../../backends/sql/label-store.js';
import { isSlipwayError } from '../../core/errors.js';
import type { InferenceRecord } from '../../serving/types.js';
import { openParquetInferenceLog } from '../inference-log/index.js';
import { seededRandom } from '../profiles/seeded-random.js';
import { binaryConfusion, confusionMetrics, logLoss, rocAuc } from './classification-metrics.js';
import { measurePerformance } from './performance-report.js';
import type { Label } from './types.js';
import { unknownRequestIds } from './unknown-requests.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = Date.parse('2025-03-01T00:00:00Z');

function record(
  model: string,
  id: string,
  ts: number,
  country: string,
  user: number,
  score: number,
): InferenceRecord {
  return {
    id,
    model,
    version: '1',
    timestamp: ts,
    latencyMicros: 100,
    inputs: [{ name: 'country', datatype: 'BYTES', shape: [1], data: [country] }],
    outputs: [{ name: 'score', datatype: 'FP32', shape: [1], data: new Float32Array([score]) }],
    requestInputs: [
      { name: 'user_id', datatype: 'INT64', shape: [1], data: new BigInt64Array([BigInt(user)]) },
    ],
  };
}

let home: string;
let sql: SqlDatabase;
let store: SqlLabelStore;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'slipway-performance-'));
  sql = await openSqlDatabase(`sqlite:///${join(home, 'slipway.db')}`);
  store = new SqlLabelStore(sql);
});
afterAll(async () => {
  await sql.close();
  await rm(home, { recursive: true, force: true });
});

describe('measurePerformance', () => {
  it('joins delayed labels to predictions and measures each window and segment', async () => {
    const dir = join(home, 'log-fraud');
    const log = await openParquetInferenceLog({ dir, replicaId: 'r' });
    const random = seededRandom(3);
    const truth: Array<{ day: number; country: string; score: number; label: number; labelled: boolean }> =
      [];
    const records: InferenceRecord[] = [];
    const labels: Label[] = [];
    for (let i = 0; i < 400; i++) {
      const day = i < 200 ? 0 : 1;
      const country = i % 3 === 0 ? 'FR' : 'DE';
      const score = Math.fround(random());
      // Day 1 the model got worse: labels drift away from its scores.
      const label = random() < (day === 0 ? score : 0.5) ? 1 : 0;
      const labelled = i % 5 !== 0; // one in five never gets a label
      records.push(record('fraud', `q${i}`, T0 + day * DAY + i * 60_000, country, i, score));
      if (labelled)
        labels.push({ model: 'fraud', requestId: `q${i}`, rowIndex: 0, value: label, ts: T0 + 2 * DAY });
      truth.push({ day, country, score, label, labelled });
    }
    log.write(records);
    await log.close();
    // A label for a request the log never saw; and a first, wrong label later corrected.
    labels.push({ model: 'fraud', requestId: 'never-logged', rowIndex: 0, value: 1, ts: T0 });
    await store.upsert(
      [{ model: 'fraud', requestId: 'q1', rowIndex: 0, value: 1 - truth[1].label, ts: T0 }],
      T0,
    );
    await store.upsert(labels, T0 + DAY);

    const report = await measurePerformance(store, {
      dir,
      model: 'fraud',
      task: 'binary',
      prediction: 'out_score',
      segment: 'in_country',
    });
    expect(report.unmatchedLabels).toBe(1);
    const count = (day: number, country: string | null, labelledOnly: boolean) =>
      truth.filter(
        (t) => t.day === day && (country === null || t.country === country) && (!labelledOnly || t.labelled),
      ).length;
    const expected = [0, 1].flatMap((day) =>
      [null, 'DE', 'FR'].map((c) => [T0 + day * DAY, c, count(day, c, false), count(day, c, true)]),
    );
    expect(expected[0]).toEqual([T0, null, 200, 160]);
    expect(report.groups.map((g) => [g.windowStart, g.segment, g.predictions, g.labelled])).toEqual(expected);
    for (const g of report.groups) {
      const rows = truth.filter(
        (t) => T0 + t.day * DAY === g.windowStart && (g.segment === null || t.country === g.segment),
      );
      const known = rows.filter((t) => t.labelled);
      const y = known.map((t) => t.label);
      const s = known.map((t) => t.score);
      expect(g.realized).toEqual({
        ...confusionMetrics(binaryConfusion(y, s)),
        rocAuc: rocAuc(y, s),
        logLoss: logLoss(y, s),
      });
      expect(g.estimated?.rows).toBe(rows.length);
    }
    // Day 0 is calibrated: CBPE lands near the truth. Day 1 drifted: realized AUC falls to chance.
    const [day0, , , day1] = report.groups;
    expect(Math.abs(day0.estimated!.accuracy! - day0.realized.accuracy!)).toBeLessThan(0.08);
    expect(day1.realized.rocAuc!).toBeLessThan(day0.realized.rocAuc! - 0.15);
  });

  it('joins entity labels to the latest prediction at or before their time (regression)', async () => {
    const dir = join(home, 'log-price');
    const log = await openParquetInferenceLog({ dir, replicaId: 'r' });
    log.write([
      record('price', 'a', T0 + 1 * HOUR, 'FR', 7, 10),
      record('price', 'b', T0 + 3 * HOUR, 'FR', 7, 20),
      record('price', 'c', T0 + 2 * HOUR, 'DE', 8, 30),
    ]);
    await log.close();
    await store.upsert(
      [
        { model: 'price', entity: { user_id: 7 }, ts: T0 + 2 * HOUR, value: 13 }, // → a (10): error 3
        { model: 'price', entity: { user_id: 7 }, ts: T0 + 5 * HOUR, value: 21 }, // → b (20): error 1
        { model: 'price', entity: { user_id: 8 }, ts: T0 + 1 * HOUR, value: 99 }, // before c: no match
        { model: 'price', requestId: 'c', rowIndex: 0, ts: T0 + 4 * HOUR, value: 34 }, // error 4
      ],
      T0,
    );
    const report = await measurePerformance(store, {
      dir,
      model: 'price',
      task: 'regression',
      prediction: 'out_score',
    });
    expect(report.unmatchedLabels).toBe(1);
    expect(report.groups).toHaveLength(1);
    expect(report.groups[0].labelled).toBe(3);
    expect(report.groups[0].realized.mae).toBeCloseTo((3 + 1 + 4) / 3, 5);
    expect(report.groups[0].realized.rmse).toBeCloseTo(Math.sqrt((9 + 1 + 16) / 3), 5);
  });

  it('refuses a prediction column the log does not have, naming it', async () => {
    const err = await measurePerformance(store, {
      dir: join(home, 'log-price'),
      model: 'price',
      task: 'regression',
      prediction: 'out_nope',
    }).catch((e) => e);
    expect(isSlipwayError(err) && err.details).toMatchObject({ field: 'prediction', got: "'out_nope'" });
  });

  it('reports request ids the log never saw', async () => {
    const found = await unknownRequestIds(join(home, 'log-price'), 'price', ['a', 'zz', 'b', 'yy', 'zz']);
    expect(found).toEqual({ count: 2, sample: ['yy', 'zz'] });
  });
});
