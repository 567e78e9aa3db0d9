/**
 * Test data for drift reports: a registered model whose run logged a training dataset (600 rows;
 * x_0 ~ N(0, 1), x_1 ~ N(5, 2), x_2 ~ U(0, 1), country from DE/FR/US/`<script>`, score = σ(x_0)),
 * and 400 served predictions in the inference log from the same distributions except x_1, shifted
 * by +3. Real stores throughout: the platform's SQLite registry, DuckDB-written Parquet, the
 * inference log's own writer.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { datasetInput } from '../../src/datasets/dataset-input.js';
import { openParquetInferenceLog } from '../../src/monitoring/inference-log/index.js';
import { seededRandom } from '../../src/monitoring/profiles/index.js';
import type { Platform } from '../../src/platform.js';

export const T0 = Date.parse('2024-05-01T12:00:00Z');
/** "Now" for the reports: one hour after the served traffic. */
export const NOW = T0 + 3_600_000;
export const SCRIPT = '<script>alert("x")</script>';
const COUNTRIES = ['DE', 'FR', 'US', SCRIPT];

interface Row {
  x: [number, number, number];
  country: string;
  score: number;
}

function rows(n: number, seed: number, shift: number): Row[] {
  const rand = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  return Array.from({ length: n }, () => {
    const x0 = normal();
    const x: [number, number, number] = [x0, 5 + 2 * normal() + shift, rand()];
    const country = COUNTRIES[Math.min(3, Math.floor(rand() * 3.1))]!;
    return { x, country, score: 1 / (1 + Math.exp(-x0)) };
  });
}

/** Writes the reference Parquet file (columns x_0, x_1, x_2, country, score). */
export async function writeReference(path: string): Promise<void> {
  const csv = join(`${path}.csv`);
  const lines = rows(600, 7, 0).map(
    (r) => `${r.x.join(',')},"${r.country.replaceAll('"', '""')}",${r.score}`,
  );
  writeFileSync(csv, `x_0,x_1,x_2,country,score\n${lines.join('\n')}\n`);
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run(`COPY (SELECT * FROM read_csv('${csv}', header = true)) TO '${path}' (FORMAT parquet)`);
  conn.closeSync();
  db.closeSync();
}

/** Writes 400 served rows of fraud/1 (40 requests of 10) at T0 into the log under `dir`. */
export async function writeServedTraffic(dir: string, model = 'fraud', version = '1'): Promise<void> {
  const log = await openParquetInferenceLog({ dir, replicaId: 'serve-a' });
  const served = rows(400, 11, 3);
  for (let r = 0; r < 40; r++) {
    const batch = served.slice(r * 10, r * 10 + 10);
    log.write([
      {
        id: `req-${r}`,
        model,
        version,
        timestamp: T0 + r * 1000,
        latencyMicros: 300,
        inputs: [
          { name: 'x', datatype: 'FP64', shape: [10, 3], data: new Float64Array(batch.flatMap((b) => b.x)) },
          { name: 'country', datatype: 'BYTES', shape: [10, 1], data: batch.map((b) => b.country) },
        ],
        outputs: [
          {
            name: 'score',
            datatype: 'FP32',
            shape: [10, 1],
            data: new Float32Array(batch.map((b) => b.score)),
          },
        ],
      },
    ]);
  }
  await log.close();
}

/**
 * Registers `fraud` version 1 (alias champion) trained on the dataset `fraud_train` v1 (the
 * reference file, recorded in the run's lineage), and `plain` version 1 with no lineage.
 */
export async function registerModels(platform: Platform, referencePath: string): Promise<void> {
  const { dataset } = await platform.datasets.register({
    name: 'fraud_train',
    digest: `sha256:${'b'.repeat(64)}`,
    source: pathToFileURL(referencePath).href,
    rows: 600,
    schema: { x_0: 'DOUBLE', x_1: 'DOUBLE', x_2: 'DOUBLE', country: 'VARCHAR', score: 'DOUBLE' },
  });
  const run = await platform.tracking.createRun();
  await platform.tracking.logInputs(run.info.runId, [datasetInput(dataset)]);
  await platform.registry.createRegisteredModel({ name: 'fraud' });
  await platform.registry.createModelVersion({
    name: 'fraud',
    source: 'file:///models/fraud',
    runId: run.info.runId,
  });
  await platform.registry.setAlias('fraud', 'champion', '1');
  await platform.registry.createRegisteredModel({ name: 'plain' });
  await platform.registry.createModelVersion({ name: 'plain', source: 'file:///models/plain' });
}
