import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource, FeatureView } from '../types.js';
import { getHistoricalFeatures, type HistoricalRequest, type HistoricalView } from './historical.js';

const FIXTURES = resolve(import.meta.dirname, '../../../test/fixtures/features');
const dir = mkdtempSync(join(tmpdir(), 'slipway-historical-'));
type FileSource = Extract<DataSource, { kind: 'file' }>;

function source(name: string, format: 'parquet' | 'csv', created?: string): FileSource {
  const path = join(format === 'csv' ? FIXTURES : dir, `${name}.${format}`);
  return {
    kind: 'file',
    name: `${name}_src`,
    path,
    format,
    timestampField: 'event_timestamp',
    createdTimestampField: created,
  };
}

function view(name: string, features: string[], ttlSeconds: number): FeatureView {
  const schema = features.map((f) => ({ name: f, type: 'float64' as const }));
  return {
    name,
    entities: ['driver'],
    schema,
    source: `${name}_src`,
    ttlSeconds,
    online: true,
    offline: true,
  };
}

function hourly(format: 'parquet' | 'csv' = 'parquet', ttlSeconds = 7200): HistoricalView {
  const v = view('driver_hourly', ['conv_rate', 'trips'], ttlSeconds);
  return {
    view: v,
    source: source('driver_hourly', format, 'created'),
    joinKeys: ['driver_id'],
    features: ['conv_rate', 'trips'],
  };
}

function daily(features = ['acc_rate', 'trips'], format: 'parquet' | 'csv' = 'parquet'): HistoricalView {
  const v = view('driver_daily', ['acc_rate', 'trips'], 0);
  return { view: v, source: source('driver_daily', format), joinKeys: ['driver_id'], features };
}

/** [order_id, conv_rate, trips] in entity order. */
async function hourlyColumns(req: HistoricalRequest) {
  const { rows } = await getHistoricalFeatures(req);
  return rows!.map((r) => [r['order_id'], r['conv_rate'], r['trips']]);
}

beforeAll(async () => {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  for (const name of ['driver_hourly', 'driver_daily', 'orders']) {
    const csv = join(FIXTURES, `${name}.csv`).replaceAll("'", "''");
    await conn.run(
      `COPY (SELECT * FROM read_csv('${csv}')) TO '${join(dir, `${name}.parquet`)}' (FORMAT parquet)`,
    );
  }
  conn.closeSync();
  db.closeSync();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ORDERS_PARQUET = () => ({ path: join(dir, 'orders.parquet') });
const EXPECTED_HOURLY = [
  [1, 0.25, 25], // exact timestamp match; of three rows at 12:00 the one created last wins
  [2, 0.1, 10], // strictly before 12:00: the 10:00 row, 1h59m59s old
  [3, 0.25, 25], // exactly TTL (2 h) old: still valid
  [4, null, null], // TTL + 1 s old, and the 15:00 row is in its future
  [5, 0.5, null], // a null feature value stays null
  [6, null, null], // driver without features
  [7, 0.25, 25], // duplicate of order 1
  [8, null, null], // before the first feature row
  [9, null, null], // a month-old row is outside the TTL
];

describe('getHistoricalFeatures', () => {
  it('takes the latest row at or before each entity timestamp, within TTL, ties to the latest created', async () => {
    expect(await hourlyColumns({ entities: ORDERS_PARQUET(), views: [hourly()] })).toEqual(EXPECTED_HOURLY);
  });

  it('gives the same result from CSV entities and a CSV source', async () => {
    const entities = { path: join(FIXTURES, 'orders.csv') };
    expect(await hourlyColumns({ entities, views: [hourly('csv')] })).toEqual(EXPECTED_HOURLY);
  });

  it('treats TTL 0 as unbounded', async () => {
    const got = await hourlyColumns({ entities: ORDERS_PARQUET(), views: [hourly('parquet', 0)] });
    expect(got[3]).toEqual([4, 0.25, 25]);
    expect(got[8]).toEqual([9, 0.9, 90]);
  });

  it('keeps entity columns as they came and appends each view, DATE timestamps and file-order ties included', async () => {
    const { rows, columns } = await getHistoricalFeatures({
      entities: ORDERS_PARQUET(),
      views: [hourly(), daily()],
      fullFeatureNames: true,
    });
    expect(columns.map((c) => c.name)).toEqual([
      'order_id',
      'driver_id',
      'event_timestamp',
      'label',
      'driver_hourly__conv_rate',
      'driver_hourly__trips',
      'driver_daily__acc_rate',
      'driver_daily__trips',
    ]);
    expect(rows![0]).toEqual({
      order_id: 1,
      driver_id: 1001,
      event_timestamp: Date.parse('2024-01-01T12:00:00Z'),
      label: 1,
      driver_hourly__conv_rate: 0.25,
      driver_hourly__trips: 25,
      driver_daily__acc_rate: 0.9,
      driver_daily__trips: 100,
    });
    // The 2024-01-02 row is in the future of every order; 1002's tie goes to the later row in the file.
    expect(rows!.map((r) => r['driver_daily__acc_rate'])).toEqual([
      0.9,
      0.9,
      0.9,
      0.9,
      0.75,
      null,
      0.9,
      0.9,
      null,
    ]);
  });

  it('refuses two features with one output name unless full feature names are asked for', async () => {
    const req = { entities: ORDERS_PARQUET(), views: [hourly(), daily()] };
    await expect(getHistoricalFeatures(req)).rejects.toThrow(/Output column 'trips' would appear twice/);
    const { rows } = await getHistoricalFeatures({ ...req, views: [hourly(), daily(['acc_rate'])] });
    expect(Object.keys(rows![0])).toEqual([
      'order_id',
      'driver_id',
      'event_timestamp',
      'label',
      'conv_rate',
      'trips',
      'acc_rate',
    ]);
  });

  it('accepts in-memory entity rows with epoch-ms or ISO timestamps, and text keys against numeric ones', async () => {
    const at = Date.parse('2024-01-01T12:00:00Z');
    const views = [hourly()];
    const byMs = await getHistoricalFeatures({
      entities: {
        rows: [
          { driver_id: 1001, event_timestamp: at },
          { driver_id: 1002, event_timestamp: at },
        ],
      },
      views,
    });
    expect(byMs.rows).toEqual([
      { driver_id: 1001, event_timestamp: at, conv_rate: 0.25, trips: 25 },
      { driver_id: 1002, event_timestamp: at, conv_rate: null, trips: null }, // 3 h old, TTL 2 h
    ]);
    const byIso = await getHistoricalFeatures({
      entities: { rows: [{ driver_id: '1001', ts: '2024-01-01T13:00:00+01:00' }] },
      timestampColumn: 'ts',
      views,
    });
    expect(byIso.rows).toEqual([
      { driver_id: '1001', ts: '2024-01-01T13:00:00+01:00', conv_rate: 0.25, trips: 25 },
    ]);
  });

  it('writes Parquet with a content hash of the file, the same on every run', async () => {
    const output = join(dir, 'out', 'training.parquet');
    const first = await getHistoricalFeatures({
      entities: ORDERS_PARQUET(),
      views: [hourly(), daily(['acc_rate'])],
      output,
    });
    expect(first).toMatchObject({ output, rowCount: 9 });
    expect(first.contentHash).toBe(
      `sha256:${createHash('sha256').update(readFileSync(output)).digest('hex')}`,
    );
    const second = await getHistoricalFeatures(
      { entities: ORDERS_PARQUET(), views: [hourly(), daily(['acc_rate'])], output },
      { threads: 1 },
    );
    expect(second.contentHash).toBe(first.contentHash);
    // The written set is itself a valid entity file: join it once more and everything is still in order.
    const { rows } = await getHistoricalFeatures({
      entities: { path: output },
      views: [daily(['trips'])],
      fullFeatureNames: true,
    });
    const dailyTrips = [100, 100, 100, 100, 350, null, 100, 100, null];
    expect(rows!.map((r) => [r['order_id'], r['conv_rate'], r['driver_daily__trips']])).toEqual(
      EXPECTED_HOURLY.map(([id, conv], i) => [id, conv, dailyTrips[i]]),
    );
  });

  it('reads paths with quotes in them safely and rejects NUL', async () => {
    const odd = join(dir, 'it\'s a "file".parquet');
    copyFileSync(join(dir, 'orders.parquet'), odd);
    expect(await hourlyColumns({ entities: { path: odd }, views: [hourly()] })).toEqual(EXPECTED_HOURLY);
    await expect(
      getHistoricalFeatures({ entities: { path: 'a\0b.parquet' }, views: [hourly()] }),
    ).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
    });
  });
});

describe('getHistoricalFeatures errors', () => {
  it('names a missing file', async () => {
    const missing = join(dir, 'nope.parquet');
    await expect(
      getHistoricalFeatures({ entities: { path: missing }, views: [hourly()] }),
    ).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
      message: expect.stringContaining(missing),
    });
  });

  it('names a corrupt Parquet source', async () => {
    const corrupt = join(dir, 'corrupt.parquet');
    writeFileSync(corrupt, 'PAR1 this is not parquet');
    const bad = hourly();
    bad.source = { ...(bad.source as FileSource), path: corrupt };
    await expect(getHistoricalFeatures({ entities: ORDERS_PARQUET(), views: [bad] })).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringMatching(
        /Cannot read data source 'driver_hourly_src' '.*corrupt\.parquet' as parquet/,
      ),
    });
  });

  it('names a corrupt CSV source, also when the bad value is past what the sniffer samples', async () => {
    const header = 'driver_id,event_timestamp,created,conv_rate,trips\n';
    const good = '1001,2024-01-01T10:00:00Z,2024-01-01T10:05:00Z,0.1,10\n';
    const late = join(dir, 'late-bad-value.csv');
    writeFileSync(late, `${header}${good.repeat(30_000)}${good.replace('0.1', 'abc')}`);
    const bad = hourly('csv');
    bad.source = { ...(bad.source as FileSource), path: late };
    await expect(getHistoricalFeatures({ entities: ORDERS_PARQUET(), views: [bad] })).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringMatching(
        /CSV Error on Line: 30002 in '.*late-bad-value\.csv': Error when converting column "conv_rate"/,
      ),
    });
    const binary = join(dir, 'binary.csv');
    writeFileSync(
      binary,
      Buffer.concat([Buffer.from(`${header}${good}`), Buffer.from([0xff, 0xfe, 0x2c, 0x0a])]),
    );
    bad.source = { ...(bad.source as FileSource), path: binary };
    await expect(getHistoricalFeatures({ entities: ORDERS_PARQUET(), views: [bad] })).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringMatching(/Cannot read data source 'driver_hourly_src' '.*binary\.csv' as csv/),
    });
  });

  it('names a missing column and lists the columns there are', async () => {
    const bad = hourly();
    bad.source = { ...bad.source, createdTimestampField: 'created_at' };
    await expect(getHistoricalFeatures({ entities: ORDERS_PARQUET(), views: [bad] })).rejects.toThrow(
      /has no column 'created_at' \(created timestamp\); its columns: driver_id, event_timestamp, created, conv_rate, trips/,
    );
    await expect(
      getHistoricalFeatures({ entities: ORDERS_PARQUET(), timestampColumn: 'ts', views: [hourly()] }),
    ).rejects.toThrow(
      /Entities file '.*orders\.parquet' has no column 'ts' \(the entity timestamp\); its columns: order_id, driver_id, event_timestamp, label/,
    );
  });

  it('reports timestamp text that does not parse as a bad value', async () => {
    const entities = { rows: [{ driver_id: 1001, event_timestamp: 'yesterday-ish' }] };
    await expect(getHistoricalFeatures({ entities, views: [hourly()] })).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringContaining('yesterday-ish'),
    });
  });

  it('refuses features the view does not declare, and threads with a caller-owned instance', async () => {
    const bad = { ...hourly(), features: ['conv_rate', 'speed'] };
    await expect(getHistoricalFeatures({ entities: ORDERS_PARQUET(), views: [bad] })).rejects.toThrow(
      /speed/,
    );
    const db = await DuckDBInstance.create(':memory:');
    await expect(
      getHistoricalFeatures({ entities: ORDERS_PARQUET(), views: [hourly()] }, { duckdb: db, threads: 2 }),
    ).rejects.toThrow(/threads/);
    db.closeSync();
  });
});
