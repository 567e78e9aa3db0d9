import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqlDatabase } from '../../backends/sql/connect.js';
import { SqlProfileStore } from '../../backends/sql/profile-store.js';
import { openInferenceEngine } from '../../serving/engine.js';
import type { InferenceRecord } from '../../serving/types.js';
import type { ColumnProfile, NumericColumnProfile } from '../profiles/column-profile.js';
import { DatasetProfile } from '../profiles/dataset-profile.js';
import { mergeProfileSidecars, readProfileSidecars } from '../profiles/profile-sidecars.js';
import { profileInferenceLog } from '../profiles/profile-sources.js';
import { seededRandom } from '../profiles/seeded-random.js';
import { openParquetInferenceLog } from './parquet-inference-log.js';
import { sweepInferenceLog } from './retention.js';
import { openServingLog } from './serving-log.js';

const tmp: string[] = [];
const newDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'slipway-serving-profiles-'));
  tmp.push(d);
  return d;
};
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

const MINUTE = 60_000;
/** A minute boundary: windows are aligned to it. */
const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);

/** `n` one-row records over two windows: x normal, y exponential (with NaN as missing), a label. */
function traffic(seed: number, n: number): InferenceRecord[] {
  const r = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  return Array.from({ length: n }, (_, i) => ({
    id: `s${seed}-${i}`,
    model: 'fraud',
    version: '3',
    timestamp: T0 + Math.floor((i / n) * 2 * MINUTE),
    latencyMicros: 100 + i,
    inputs: [
      {
        name: 'x',
        datatype: 'FP32',
        shape: [1, 2],
        data: new Float32Array([normal() * 5 + seed, i % 7 === 0 ? Number.NaN : -Math.log(1 - r())]),
      },
    ],
    outputs: [{ name: 'label', datatype: 'BYTES', shape: [1, 1], data: [r() < 0.3 ? 'fraud' : 'ok'] }],
  }));
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** The lower q-quantile of sorted values (what the sketch approximates). */
const lowerQuantile = (sorted: Float64Array, q: number) => sorted[Math.floor(q * (sorted.length - 1))]!;

/** A column profile's JSON, its moments apart (they merge equal only to rounding). */
function split(col: ColumnProfile): { mean?: number; m2?: number; exact: object } {
  const json = col.toJSON();
  if (json.kind === 'categorical') return { exact: json };
  const { mean, m2, ...exact } = json;
  return { mean, m2, exact };
}

/** Expects `a` and `b` to be the same profile: exact counts and sketches, moments to rounding. */
function expectSameProfile(a: DatasetProfile, b: DatasetProfile): void {
  expect([...a.columns.keys()].sort()).toEqual([...b.columns.keys()].sort());
  for (const [name, col] of a.columns) {
    const { mean, m2, exact } = split(col);
    const { mean: mean2, m2: m22, exact: exact2 } = split(b.columns.get(name)!);
    expect(exact, name).toEqual(exact2);
    if (typeof mean === 'number') {
      expect(mean).toBeCloseTo(mean2 as number, 9);
      expect(Math.abs((m2 as number) - (m22 as number))).toBeLessThanOrEqual(1e-9 * Math.abs(m22 as number));
    }
  }
}

describe('profiles built while serving', () => {
  it('two replicas’ sidecars merge into the profile of the union of their rows', async () => {
    const dir = newDir();
    const a = await openParquetInferenceLog({ dir, replicaId: 'serve-a', profileWindowMs: MINUTE });
    const b = await openParquetInferenceLog({ dir, replicaId: 'serve-b', profileWindowMs: MINUTE });
    const fromA = traffic(1, 3000);
    const fromB = traffic(2, 2000);
    a.write(fromA);
    b.write(fromB);
    await Promise.all([a.close(), b.close()]);

    const sidecars = files(dir).filter((f) => f.endsWith('.json'));
    expect(sidecars).toEqual([
      `fraud/3/profiles/date=2024-05-01/serve-a-${T0}.json`,
      `fraud/3/profiles/date=2024-05-01/serve-a-${T0 + MINUTE}.json`,
      `fraud/3/profiles/date=2024-05-01/serve-b-${T0}.json`,
      `fraud/3/profiles/date=2024-05-01/serve-b-${T0 + MINUTE}.json`,
    ]);
    const range = { dir, model: 'fraud', version: '3', from: new Date(T0), to: new Date(T0 + 2 * MINUTE) };
    const merged = (await mergeProfileSidecars(range))!;
    expect(merged.start).toBe(T0);
    expect(merged.end).toBe(T0 + 2 * MINUTE);
    expect(merged.rows).toBe(5000);

    // The same rows profiled from the Parquet segments through DuckDB.
    const union = await profileInferenceLog(range);
    expectSameProfile(merged, union);

    // Against the raw values: counts exact, quantiles within the sketch's 1 % relative bound.
    const x0 = [...fromA, ...fromB].map((r) => (r.inputs[0].data as Float32Array)[0]!);
    const sorted = Float64Array.from(x0).sort();
    const col = merged.columns.get('in_x_0') as NumericColumnProfile;
    expect(col.count).toBe(5000);
    expect(col.min).toBe(sorted[0]);
    expect(col.max).toBe(sorted[4999]);
    for (const q of [0.01, 0.25, 0.5, 0.75, 0.99]) {
      const exact = lowerQuantile(sorted, q);
      expect(Math.abs(col.quantile(q)! - exact)).toBeLessThanOrEqual(0.01 * Math.abs(exact) * (1 + 1e-9));
    }
    const y = merged.columns.get('in_x_1') as NumericColumnProfile;
    expect(y.nulls).toBe(
      fromA.filter((_, i) => i % 7 === 0).length + fromB.filter((_, i) => i % 7 === 0).length,
    );
    const labels = merged.columns.get('out_label');
    expect(labels?.kind).toBe('categorical');
    const frauds = [...fromA, ...fromB].filter((r) => r.outputs[0].data[0] === 'fraud').length;
    expect(labels?.kind === 'categorical' && labels.categories.entries()).toContainEqual(['fraud', frauds]);

    // One window alone: only its sidecars.
    const first = (await readProfileSidecars({ ...range, to: new Date(T0 + MINUTE) })).map((p) => p.start);
    expect(first).toEqual([T0, T0]);
  });

  it('merges a window again when rows for it arrive after it was closed', async () => {
    const dir = newDir();
    let now = T0 + 5 * MINUTE;
    const log = await openParquetInferenceLog({
      dir,
      replicaId: 'r',
      profileWindowMs: MINUTE,
      clock: { now: () => now },
    });
    const rows = traffic(3, 400).filter((r) => r.timestamp < T0 + MINUTE);
    log.write(rows.slice(0, 100));
    await log.flush();
    // The window ended minutes before the flush: its sidecar is written already.
    const [path] = files(dir).filter((f) => f.endsWith('.json'));
    expect(path).toBe(`fraud/3/profiles/date=2024-05-01/r-${T0}.json`);
    log.write(rows.slice(100));
    now += MINUTE;
    await log.close();
    expect(files(dir).filter((f) => f.endsWith('.json'))).toEqual([path]);
    const [window] = await readProfileSidecars({ dir, model: 'fraud', version: '3' });
    expect(window.rows).toBe(rows.length);
  });

  it('ages sidecars out with the segments under the retention policy', async () => {
    const dir = newDir();
    const log = await openParquetInferenceLog({
      dir,
      replicaId: 'r',
      profileWindowMs: MINUTE,
      clock: { now: () => T0 },
    });
    log.write(traffic(10, 50));
    await log.close();
    expect(files(dir).filter((f) => f.endsWith('.json'))).toHaveLength(2);
    // A day later, a 2-hour age limit: the segment (written at T0) and both windows go.
    const swept = await sweepInferenceLog(dir, { maxAgeMs: 2 * 3_600_000 }, T0 + 86_400_000);
    expect(swept.deletedFiles).toBe(3);
    expect(files(dir)).toEqual([]);
  });

  it('merges closed windows into a profile store instead of writing sidecars', async () => {
    const dir = newDir();
    const sql = await openSqlDatabase(`sqlite:///${join(dir, 'slipway.db')}`);
    const store = new SqlProfileStore(sql);
    try {
      const a = await openParquetInferenceLog({
        dir,
        replicaId: 'a',
        profileWindowMs: MINUTE,
        profiles: store,
      });
      const b = await openParquetInferenceLog({
        dir,
        replicaId: 'b',
        profileWindowMs: MINUTE,
        profiles: store,
      });
      a.write(traffic(4, 600));
      b.write(traffic(5, 400));
      await Promise.all([a.close(), b.close()]);
      expect(files(dir).filter((f) => f.endsWith('.json'))).toEqual([]);
      const stored = await store.list({ model: 'fraud', version: '3', kind: 'serving' });
      expect(stored.map((s) => [s.start, s.end, s.source])).toEqual([
        [T0, T0 + MINUTE, 'inference-log'],
        [T0 + MINUTE, T0 + 2 * MINUTE, 'inference-log'],
      ]);
      expect(stored.reduce((n, s) => n + s.rows, 0)).toBe(1000);
    } finally {
      await sql.close();
    }
  });
  it('ages serving profiles out of the profile store with the segments, keeping other kinds', async () => {
    const dir = newDir();
    const sql = await openSqlDatabase(`sqlite:///${join(dir, 'slipway.db')}`);
    const store = new SqlProfileStore(sql);
    try {
      const write = await openParquetInferenceLog({
        dir,
        replicaId: 'r',
        profileWindowMs: MINUTE,
        profiles: store,
        clock: { now: () => T0 },
      });
      write.write(traffic(10, 50));
      await write.close();
      const reference = new DatasetProfile(
        { model: 'fraud', version: '3', kind: 'reference', source: 'train.parquet', segment: '' },
        T0,
        T0 + MINUTE,
      );
      await store.save(reference);
      expect(await store.list({ model: 'fraud' })).toHaveLength(3);
      // A day later, a 2-hour age limit (swept on open): both serving windows go with the segment,
      // the reference stays.
      const later = await openParquetInferenceLog({
        dir,
        replicaId: 'r',
        profiles: store,
        retention: { maxAgeMs: 2 * 3_600_000 },
        clock: { now: () => T0 + 86_400_000 },
      });
      expect(files(dir).filter((f) => f.endsWith('.parquet'))).toEqual([]);
      expect((await store.list({ model: 'fraud' })).map((p) => p.kind)).toEqual(['reference']);
      expect(await later.sweep()).toMatchObject({ deletedFiles: 0, deletedProfiles: 0 });
      await later.close();
    } finally {
      await sql.close();
    }
  });
});

describe('the log’s bound on memory', () => {
  it('drops and counts records beyond maxBufferedRows without waiting, and close writes every one it took', async () => {
    const dir = newDir();
    const drops: number[] = [];
    const log = await openParquetInferenceLog({
      dir,
      replicaId: 'r',
      flushRows: 100,
      maxBufferedRows: 100,
      flushIntervalMs: 3_600_000,
      onDrop: (n) => drops.push(n),
    });
    // One synchronous burst: the worker cannot report anything written in between.
    expect(log.write(traffic(6, 250))).toBeUndefined();
    expect(log.stats.droppedRecords).toBe(150);
    expect(drops.reduce((s, n) => s + n, 0)).toBe(150);
    await log.close();
    expect(log.stats).toMatchObject({ rows: 100, droppedRecords: 150, failedRows: 0 });
    // Once closed, records are refused (and counted), never queued.
    log.write(traffic(7, 3));
    expect(log.stats.droppedRecords).toBe(153);
  });
});

describe('openServingLog', () => {
  it('counts records the log drops on the engine’s /metrics counter', async () => {
    const dir = newDir();
    const served = await openServingLog({ dir, profileWindowMs: false }, (err) => {
      throw err;
    });
    const engine = await openInferenceEngine({
      repository: 'test/fixtures/serving/repository',
      models: ['mymodel'],
      defaults: { instanceCount: 1 },
      inferenceLog: served.hook,
    });
    served.attach(engine);
    try {
      // 50,000 rows in one record: beyond the default bound of 40,000 rows waiting to be written.
      const n = 50_000;
      const big = {
        ...traffic(8, 1)[0]!,
        inputs: [{ name: 'x', datatype: 'FP32' as const, shape: [n, 2], data: new Float32Array(2 * n) }],
        outputs: [],
      };
      served.log.write([big, ...traffic(9, 2)]);
      expect(served.log.stats.droppedRecords).toBe(1);
      expect(await engine.metrics.metrics()).toMatch(/^slipway_inference_log_dropped_total 1$/m);
    } finally {
      await engine.close();
      await served.log.close();
    }
    expect(served.log.stats).toMatchObject({ rows: 2, droppedRecords: 1 });
  });
});
