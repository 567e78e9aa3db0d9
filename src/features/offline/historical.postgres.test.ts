import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteOnlineStore } from '../../backends/online/sqlite-online-store.js';
import { materialize } from '../materialize.js';
import { catalogOf } from '../online-features.js';
import type { DataSource, FeatureView } from '../types.js';
import { getHistoricalFeatures, type HistoricalView } from './historical.js';
import { loadPostgresSource } from './postgres-source.js';

const PG = 'postgresql://postgres@127.0.0.1:5432/test';
const FIXTURES = resolve(import.meta.dirname, '../../../test/fixtures/features');
const table = `slipway_hourly_${randomUUID().replaceAll('-', '')}`;
const client = new pg.Client({ connectionString: PG });

const view: FeatureView = {
  name: 'driver_hourly',
  entities: ['driver'],
  schema: [
    { name: 'conv_rate', type: 'float64' },
    { name: 'trips', type: 'int64' },
  ],
  source: 'hourly',
  ttlSeconds: 7200,
  online: true,
  offline: true,
};
type FileSource = Extract<DataSource, { kind: 'file' }>;
type PostgresSource = Extract<DataSource, { kind: 'postgres' }>;
const csvSource: FileSource = {
  kind: 'file',
  name: 'hourly',
  path: join(FIXTURES, 'driver_hourly.csv'),
  format: 'csv',
  timestampField: 'event_timestamp',
  createdTimestampField: 'created',
};
const pgSource = (over: Partial<PostgresSource> = {}): PostgresSource => ({
  kind: 'postgres',
  name: 'hourly',
  table,
  timestampField: 'event_timestamp',
  createdTimestampField: 'created',
  ...over,
});
const plan = (source: HistoricalView['source']): HistoricalView => ({
  view,
  source,
  joinKeys: ['driver_id'],
  features: ['conv_rate', 'trips'],
});
const orders = { path: join(FIXTURES, 'orders.csv') };

beforeAll(async () => {
  await client.connect();
  // Naive event timestamps (read as UTC) and zoned created timestamps: both encodings are covered.
  await client.query(
    `CREATE TABLE "${table}" (driver_id int8, event_timestamp timestamp, created timestamptz, conv_rate float8, trips int4)`,
  );
  const [, ...lines] = readFileSync(join(FIXTURES, 'driver_hourly.csv'), 'utf8').trim().split('\n');
  for (const line of lines) {
    const v = line.split(',').map((x) => (x === '' ? null : x));
    await client.query(
      `INSERT INTO "${table}" VALUES ($1, ($2::timestamptz AT TIME ZONE 'UTC'), $3, $4, $5)`,
      v,
    );
  }
});

afterAll(async () => {
  await client.query(`DROP TABLE IF EXISTS "${table}"`);
  await client.end();
});

describe('PostgreSQL sources in training sets', () => {
  it('gives the same training set from a PostgreSQL table as from the same data in CSV', async () => {
    const fromCsv = await getHistoricalFeatures({ entities: orders, views: [plan(csvSource)] });
    const fromPg = await getHistoricalFeatures(
      { entities: orders, views: [plan(pgSource())] },
      { postgresConnection: PG },
    );
    expect(fromPg.rows).toEqual(fromCsv.rows);
    expect(fromPg.contentHash).toBe(fromCsv.contentHash);
    // Not vacuous: the created-timestamp tie-break and the TTL are at work.
    expect(fromPg.rows!.map((r) => r['trips'])).toEqual([25, 10, 25, null, null, null, 25, null, null]);
  });

  it('reads a query as a subquery, with the source’s own connection', async () => {
    const source = pgSource({
      table: undefined,
      connection: PG,
      query: `SELECT driver_id, event_timestamp, created, conv_rate * 2 AS conv_rate, trips FROM "${table}" WHERE driver_id = 1001;`,
    });
    const { rows } = await getHistoricalFeatures({ entities: orders, views: [plan(source)] });
    expect(rows!.map((r) => r['conv_rate'])).toEqual([0.5, 0.2, 0.5, null, null, null, 0.5, null, null]);
  });

  it('streams in chunks: every row arrives whatever the chunk size', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      for (const chunkRows of [2, 7, 1000]) {
        const file = await loadPostgresSource(conn, pgSource({ connection: PG }), {
          columns: [
            { name: 'driver_id', role: 'join key' },
            { name: 'event_timestamp', role: 'event timestamp' },
            { name: 'trips', role: 'feature', featureType: 'int64' },
          ],
          chunkRows,
        });
        expect(Object.fromEntries(file.columns)).toEqual({
          driver_id: 'BIGINT',
          event_timestamp: 'TIMESTAMP',
          trips: 'BIGINT',
        });
        const got = await conn.runAndReadAll(
          `SELECT count(*), sum(trips), max(epoch_ms(event_timestamp)) FROM ${file.relation}`,
        );
        expect(got.getRowsJS()[0]).toEqual([7n, 197n, BigInt(Date.UTC(2024, 0, 1, 15))]);
      }
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });

  it('pushes an event-time window into the PostgreSQL query', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      const file = await loadPostgresSource(conn, pgSource({ connection: PG }), {
        columns: [{ name: 'event_timestamp', role: 'event timestamp' }],
        window: { start: Date.UTC(2024, 0, 1), end: Date.UTC(2024, 0, 1, 13) },
      });
      const got = await conn.runAndReadAll(`SELECT count(*) FROM ${file.relation}`);
      expect(got.getRowsJS()[0][0]).toBe(5n); // not 15:00, not December
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });

  it('names the source, the missing column and the columns there are', async () => {
    const bad = {
      ...plan(pgSource()),
      features: ['conv_rate'],
      view: {
        ...view,
        schema: [
          { name: 'conv_rate', type: 'float64' as const },
          { name: 'speed', type: 'float64' as const },
        ],
      },
    };
    bad.features = ['speed'];
    await expect(
      getHistoricalFeatures({ entities: orders, views: [bad] }, { postgresConnection: PG }),
    ).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      message: `Data source 'hourly' (PostgreSQL table '${table}') has no column 'speed' (feature of feature view 'driver_hourly'); its columns: driver_id, event_timestamp, created, conv_rate, trips`,
    });
  });

  it('says where a connection must come from when there is none, and names a missing table', async () => {
    await expect(getHistoricalFeatures({ entities: orders, views: [plan(pgSource())] })).rejects.toThrow(
      /data source 'hourly'\.connection.*postgresql:\/\/ URI/,
    );
    await expect(
      getHistoricalFeatures(
        { entities: orders, views: [plan(pgSource({ table: `${table}_missing` }))] },
        { postgresConnection: PG },
      ),
    ).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
      message: expect.stringContaining('_missing'),
    });
  });
});

describe('PostgreSQL sources in materialization', () => {
  async function materialized(source: DataSource) {
    const catalog = catalogOf({
      project: 'rides',
      entities: [{ name: 'driver', joinKeys: [{ name: 'driver_id', type: 'int64' }] }],
      sources: [source],
      featureViews: [view],
      onDemandFeatureViews: [],
      featureServices: [],
    });
    const store = new SqliteOnlineStore({ path: ':memory:' });
    await store.init();
    try {
      // The window keeps the 12:00 ties and leaves out 15:00 and December.
      const [summary] = await materialize({
        catalog,
        store,
        start: Date.UTC(2024, 0, 1),
        end: Date.UTC(2024, 0, 1, 13),
        postgresConnection: PG,
      });
      const keys = ['driver_id=1001', 'driver_id=1002', 'driver_id=1003'];
      return { rowsRead: summary.rowsRead, rows: await store.read(view.name, keys, ['conv_rate', 'trips']) };
    } finally {
      await store.close();
    }
  }

  it('writes the same online rows from a PostgreSQL table as from the same data in CSV', async () => {
    const fromCsv = await materialized(csvSource);
    const fromPg = await materialized(pgSource());
    expect(fromPg).toEqual(fromCsv);
    expect(fromPg.rowsRead).toBe(2);
    expect(fromPg.rows[0]).toMatchObject({
      values: { conv_rate: 0.25, trips: 25 },
      eventTimestamp: Date.UTC(2024, 0, 1, 12),
    });
    expect(fromPg.rows[2]).toBeUndefined();
  });
});
