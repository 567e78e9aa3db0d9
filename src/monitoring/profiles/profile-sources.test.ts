import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { FsArtifactStore } from '../../backends/fs/artifact-store.js';
import type { DatasetVersion } from '../../datasets/index.js';
import type { ModelVersion } from '../../registry/types.js';
import type { InferenceRecord } from '../../serving/types.js';
import { openParquetInferenceLog } from '../inference-log/index.js';
import { NumericColumnProfile } from './column-profile.js';
import {
  profileDatasetVersion,
  profileFile,
  profileInferenceLog,
  trainingDatasetOf,
} from './profile-sources.js';

const tmp: string[] = [];
const newDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'slipway-profiles-'));
  tmp.push(d);
  return d;
};
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

/** Writes `rows` rows (amount = i % 1000 / 10, NULL every 50th; country by i % 3; id text) to a file. */
async function writeTable(path: string, rows: number, format: 'parquet' | 'csv'): Promise<void> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run(
    `COPY (SELECT i AS id, CASE WHEN i % 50 = 0 THEN NULL ELSE (i % 1000) / 10.0 END AS amount,
       ['DE', 'FR', 'US'][1 + i % 3] AS country, i % 2 = 0 AS even, TIMESTAMP '2024-01-01' AS ts
     FROM range(${rows}) t(i)) TO '${path}' (FORMAT ${format})`,
  );
  conn.closeSync();
  db.closeSync();
}

function expectedAmount(rows: number): NumericColumnProfile {
  const values = Array.from({ length: rows }, (_, i) => (i % 50 === 0 ? null : (i % 1000) / 10));
  return new NumericColumnProfile().add(values);
}

describe('profileFile', () => {
  it('streams a Parquet file into exact statistics, sketches and Sturges edges of its own range', async () => {
    const path = join(newDir(), 'train.parquet');
    await writeTable(path, 25_000, 'parquet');
    const profile = await profileFile(path, { model: 'fraud', version: '3' });
    expect(profile.key).toEqual({
      model: 'fraud',
      version: '3',
      kind: 'reference',
      source: path,
      segment: '',
    });
    expect([...profile.columns.keys()].sort()).toEqual(['amount', 'country', 'even', 'id']);
    const amount = profile.columns.get('amount') as NumericColumnProfile;
    const expected = expectedAmount(25_000);
    expect([amount.rows, amount.nulls, amount.min, amount.max]).toEqual([25_000, 500, 0.1, 99.9]);
    expect(amount.mean).toBeCloseTo(expected.mean!, 10);
    expect(amount.variance()).toBeCloseTo(expected.variance()!, 8);
    expect(amount.quantiles.toJSON()).toEqual(expected.quantiles.toJSON());
    // Sturges over 24,500 finite values spanning [0.1, 99.9]: ⌈log2(24500) + 1⌉ = 16 bins.
    expect(amount.histogram!.edges.length).toBe(17);
    expect(amount.histogram!.counts.reduce((a, b) => a + b, 0)).toBe(24_500);
    const country = profile.columns.get('country');
    expect(country?.kind === 'categorical' && country.categories.entries()).toEqual([
      ['DE', 8334],
      ['FR', 8333],
      ['US', 8333],
    ]);
    expect(profile.columns.get('even')?.kind).toBe('categorical');
  });

  it('reads CSV the same way, and profiles only the columns asked for', async () => {
    const path = join(newDir(), 'train.csv');
    await writeTable(path, 3000, 'csv');
    const profile = await profileFile(path, { columns: ['amount'] });
    expect([...profile.columns.keys()]).toEqual(['amount']);
    const amount = profile.columns.get('amount') as NumericColumnProfile;
    expect([amount.rows, amount.nulls, amount.count]).toEqual([3000, 60, 2940]);
    expect(amount.mean).toBeCloseTo(expectedAmount(3000).mean!, 10);
  });

  it('names the field when the file or a column is wrong', async () => {
    await expect(profileFile(join(newDir(), 'missing.parquet'))).rejects.toThrow(/'path'/);
    const path = join(newDir(), 't.parquet');
    await writeTable(path, 10, 'parquet');
    await expect(profileFile(path, { columns: ['nope'] })).rejects.toThrow(
      /'columns': expected a column of the data/,
    );
    await expect(profileFile(path, { columns: ['ts'] })).rejects.toThrow(/'columns.ts'/);
  });
});

const T0 = Date.parse('2024-05-01T12:00:00Z');

function record(id: string, timestamp: number, a: number): InferenceRecord {
  return {
    id,
    model: 'fraud',
    version: '3',
    timestamp,
    latencyMicros: 250,
    inputs: [
      { name: 'x', datatype: 'FP32', shape: [2, 2], data: new Float32Array([a, a + 0.5, a * 2, Number.NaN]) },
    ],
    outputs: [{ name: 'score', datatype: 'FP32', shape: [2, 1], data: new Float32Array([a / 10, a / 20]) }],
  };
}

describe('profileInferenceLog', () => {
  it('profiles the inputs and outputs of one version in a window, across replicas, and nothing outside it', async () => {
    const dir = newDir();
    const a = await openParquetInferenceLog({ dir, replicaId: 'serve-a' });
    const b = await openParquetInferenceLog({ dir, replicaId: 'serve-b' });
    a.write([record('a1', T0, 1), record('a2', T0 + 1000, 2), record('late', T0 + 3_600_000, 100)]);
    b.write([record('b1', T0 + 500, 3)]);
    await Promise.all([a.close(), b.close()]);

    const from = new Date(T0);
    const to = new Date(T0 + 60_000);
    const profile = await profileInferenceLog({ dir, model: 'fraud', version: '3', from, to });
    expect([...profile.columns.keys()].sort()).toEqual(['in_x_0', 'in_x_1', 'out_score']);
    expect(profile.key.kind).toBe('serving');
    expect([profile.start, profile.end]).toEqual([T0, T0 + 60_000]);
    const x0 = profile.columns.get('in_x_0') as NumericColumnProfile;
    // Rows of the three requests in the window: a = 1, 2, 3 → x0 = a and 2a.
    expect([x0.rows, x0.min, x0.max, x0.mean]).toEqual([6, 1, 6, 3]);
    const x1 = profile.columns.get('in_x_1') as NumericColumnProfile;
    expect([x1.rows, x1.nulls]).toEqual([6, 3]);
    expect(x0.histogram).toBeNull();
  });

  it('refuses a window without a version or bounds', async () => {
    const dir = newDir();
    await expect(
      profileInferenceLog({ dir, model: 'fraud', version: '', from: new Date(T0), to: new Date(T0 + 1) }),
    ).rejects.toThrow(/'version'/);
    await expect(
      profileInferenceLog({
        dir,
        model: 'fraud',
        version: '1',
        from: new Date(Number.NaN),
        to: new Date(T0),
      }),
    ).rejects.toThrow(/'from'/);
  });
});

describe('profileDatasetVersion', () => {
  it("reads the training set named by a model version's lineage from the artifact store", async () => {
    const root = newDir();
    const store = new FsArtifactStore(root);
    await store.init();
    mkdirSync(join(root, 'datasets', 'fraud_v1'), { recursive: true });
    await writeTable(join(root, 'datasets', 'fraud_v1', 'abc.parquet'), 2000, 'parquet');
    const dataset: DatasetVersion = {
      name: 'fraud_v1',
      version: 2,
      digest: `sha256:${'a'.repeat(64)}`,
      source: 'mlflow-artifacts:/datasets/fraud_v1/abc.parquet',
      rows: 2000,
      schema: {},
      createdAt: T0,
    };
    const lineage = {
      datasets: [
        {
          dataset: {
            name: 'fraud_v1',
            digest: 'a'.repeat(64),
            sourceType: 'slipway',
            source: JSON.stringify({ uri: dataset.source, name: 'fraud_v1', version: 2 }),
          },
          tags: [{ key: 'mlflow.data.context', value: 'training' }],
        },
      ],
    };
    expect(trainingDatasetOf({ lineage } as unknown as ModelVersion)).toEqual({
      name: 'fraud_v1',
      version: 2,
    });
    const profile = await profileDatasetVersion(dataset, store, { model: 'fraud', version: '7' });
    expect(profile.key.source).toBe('dataset:fraud_v1/2');
    expect((profile.columns.get('amount') as NumericColumnProfile).count).toBe(1960);
    expect([profile.start, profile.end]).toEqual([T0, T0]);
  });
});
