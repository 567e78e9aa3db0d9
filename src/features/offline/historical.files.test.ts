/** Entity order, NULL timestamps and multi-file inputs at sizes where DuckDB runs in parallel. */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeatureView } from '../types.js';
import { getHistoricalFeatures, type HistoricalView } from './historical.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-historical-files-'));
let db: DuckDBInstance;
let conn: DuckDBConnection;
const ROWS = 200_000;

function statsView(path: string, format: 'parquet' | 'csv' = 'parquet', ttlSeconds = 0): HistoricalView {
  const view: FeatureView = {
    name: 'stats',
    entities: ['user'],
    schema: [{ name: 'score', type: 'int64' }],
    source: 'stats_src',
    ttlSeconds,
    online: false,
    offline: true,
  };
  return {
    view,
    source: { kind: 'file', name: 'stats_src', path, format, timestampField: 'ts' },
    joinKeys: ['user_id'],
    features: ['score'],
  };
}

async function scalar(sql: string): Promise<unknown> {
  return (await conn.runAndReadAll(sql)).getRowsJS()[0][0];
}

beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:', { threads: '4' });
  conn = await db.connect();
  // Entities in no particular key or time order, in many small row groups, so that reading, joining
  // and writing all run in parallel; every 1000th row has no timestamp.
  const entities = `SELECT i AS id, (hash(i) % 5000)::BIGINT AS user_id,
      CASE WHEN i % 1000 = 7 THEN NULL ELSE TIMESTAMP '2024-01-01' + to_seconds((hash(i * 31) % 86400)::BIGINT) END AS ts
    FROM range(${ROWS}) t(i)`;
  await conn.run(`COPY (${entities}) TO '${dir}/entities.parquet' (FORMAT parquet, ROW_GROUP_SIZE 2048)`);
  await conn.run(`COPY (${entities}) TO '${dir}/entities.csv'`);
  // Scores: one per user and hour, score = user_id * 100 + hour, so the right answer is computable.
  mkdirSync(join(dir, 'stats'));
  for (const half of [0, 1]) {
    await conn.run(`COPY (SELECT u AS user_id, TIMESTAMP '2024-01-01' + to_hours(h) AS ts, u * 100 + h AS score
      FROM range(5000) a(u), range(${half * 12}, ${half * 12 + 12}) b(h)) TO '${dir}/stats/part-${half}.parquet' (FORMAT parquet)`);
  }
});

afterAll(() => {
  conn?.closeSync();
  db?.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

describe('getHistoricalFeatures over larger files', () => {
  for (const format of ['parquet', 'csv'] as const) {
    it(`keeps ${format} entity rows in order and gives NULL timestamps no features`, async () => {
      const output = join(dir, `out-${format}.parquet`);
      const result = await getHistoricalFeatures(
        {
          entities: { path: join(dir, `entities.${format}`) },
          timestampColumn: 'ts',
          views: [statsView(join(dir, 'stats'))],
          output,
        },
        { duckdb: db },
      );
      expect(result.rowCount).toBe(ROWS);
      const out = `read_parquet('${output}')`;
      expect(await scalar(`SELECT count(*) FILTER (WHERE id <> file_row_number) FROM ${out}`)).toBe(0n);
      expect(
        await scalar(`SELECT count(*) FILTER (WHERE ts IS NULL AND score IS NOT NULL) FROM ${out}`),
      ).toBe(0n);
      const wrong = `SELECT count(*) FROM ${out} WHERE ts IS NOT NULL AND score IS DISTINCT FROM user_id * 100 + hour(ts)`;
      expect(await scalar(wrong)).toBe(0n);
    });
  }

  it('returns the same rows, in some order, without preserveOrder', async () => {
    const output = join(dir, 'out-unordered.parquet');
    const ordered = join(dir, 'out-parquet.parquet');
    const req = {
      entities: { path: join(dir, 'entities.parquet') },
      timestampColumn: 'ts',
      views: [statsView(join(dir, 'stats'))],
    };
    await getHistoricalFeatures({ ...req, output: ordered }, { duckdb: db });
    const result = await getHistoricalFeatures({ ...req, output, preserveOrder: false }, { duckdb: db });
    expect(result.rowCount).toBe(ROWS);
    const diff = `SELECT count(*) FROM (SELECT * FROM read_parquet('${output}') EXCEPT ALL SELECT * FROM read_parquet('${ordered}'))`;
    expect(await scalar(diff)).toBe(0n);
  });

  it('reads a glob of entity files in file-name order', async () => {
    const parts = join(dir, 'parts');
    mkdirSync(parts);
    for (const p of [0, 1, 2]) {
      await conn.run(`COPY (SELECT * FROM read_parquet('${dir}/entities.parquet') WHERE id >= ${p * 1000} AND id < ${(p + 1) * 1000})
        TO '${parts}/part-${p}.parquet' (FORMAT parquet, ROW_GROUP_SIZE 100)`);
    }
    const { rows } = await getHistoricalFeatures({
      entities: { path: `${parts}/*.parquet` },
      timestampColumn: 'ts',
      views: [statsView(join(dir, 'stats', '*.parquet'), 'parquet', 1800)],
    });
    expect(rows!.map((r) => r['id'])).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    // Scores are hourly: with a 30-minute TTL, only entity rows in an hour's first half (inclusive) get one.
    for (const r of rows!) {
      const ts = r['ts'] as number | null;
      const fresh = ts !== null && ts % 3_600_000 <= 1_800_000;
      expect(r['score'] === null).toBe(!fresh);
    }
  });
});
