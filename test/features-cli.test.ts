/**
 * The feature store from the command line: `slipway features plan|apply` against a home, then
 * `slipway server --features` answering Feast's online API from the same definitions.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../src/cli/server-command.js';
import { resolveConfig } from '../src/core/config.js';

const run = promisify(execFile);
const DEFINITIONS = 'test/fixtures/features/definitions/rides.yaml';

describe('slipway features plan / apply and the online API', () => {
  let home: string;
  const cli = (...args: string[]) => run(process.execPath, ['bin/slipway.js', ...args, '--home', home]);

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'slipway-features-'));
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('plans, applies, then finds nothing left to change', async () => {
    const plan = await cli('features', 'plan', '--definitions', DEFINITIONS);
    expect(plan.stdout).toContain('+ feature_view driver_stats (v1)');
    const apply = await cli('features', 'apply', '--definitions', DEFINITIONS);
    expect(apply.stdout).toMatch(/Applied \d+ definition version\(s\)\./);
    const again = await cli('features', 'apply', '--definitions', DEFINITIONS, '--json');
    expect(JSON.parse(again.stdout).applied).toEqual([]);
  });

  it('exits with an error for a definitions file that does not exist', async () => {
    const bad = cli('features', 'plan', '--definitions', 'test/fixtures/features/definitions/missing.yaml');
    await expect(bad).rejects.toMatchObject({ code: 1 });
  });

  it('serves online features for the definitions with slipway server --features', async () => {
    const server = await startServer(resolveConfig({ home, port: 0 }), { features: DEFINITIONS });
    try {
      const post = (path: string, body: object) =>
        fetch(`${server.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const write = await post('/write-to-online-store', {
        feature_view_name: 'driver_stats',
        df: {
          driver_id: [1001],
          conv_rate: [0.75],
          avg_daily_trips: [12],
          event_timestamp: [new Date().toISOString()],
        },
      });
      expect(write.status).toBe(200);
      const res = await post('/get-online-features', {
        features: ['driver_stats:conv_rate', 'driver_stats:avg_daily_trips'],
        entities: { driver_id: [1001, 1002] },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { results: Array<{ values: unknown[]; statuses: string[] }> };
      expect(body.results[1]).toMatchObject({ values: [0.75, null], statuses: ['PRESENT', 'NOT_FOUND'] });
      expect(body.results[2].values).toEqual([12, null]);
      const bad = await post('/write-to-online-store', {
        feature_view_name: 'driver_stats',
        df: { driver_id: [1001], conv_rate: [7], event_timestamp: [Date.now()] },
      });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { detail: string }).detail).toContain('conv_rate[0]: 7 > max 1');
    } finally {
      await server.close();
    }
  });

  it('materializes a CSV source into the online store, then incrementally only what is new', async () => {
    writeFileSync(
      join(home, 'trips.csv'),
      'driver_id,trips,event_timestamp\n1,3,2026-01-01T10:00:00Z\n1,5,2026-01-02T10:00:00Z\n2,8,2026-01-01T12:00:00Z\n',
    );
    writeFileSync(
      join(home, 'trips.yaml'),
      [
        'project: trips',
        'entities: [{ name: driver, join_key: driver_id, value_type: int64 }]',
        'sources: [{ name: trips_csv, kind: file, path: ./trips.csv, format: csv, timestamp_field: event_timestamp }]',
        'feature_views: [{ name: daily, entities: [driver], source: trips_csv, schema: [{ name: trips, type: int64 }] }]',
      ].join('\n'),
    );
    const defs = join(home, 'trips.yaml');
    const first = await cli(
      'features',
      'materialize',
      '--definitions',
      defs,
      '--start',
      '2026-01-01T00:00:00Z',
      '--end',
      '2026-01-03T00:00:00Z',
    );
    expect(first.stdout).toMatch(/daily: 2 rows read, 2 written/);
    const again = await cli(
      'features',
      'materialize-incremental',
      '--definitions',
      defs,
      '--end',
      '2026-01-04T00:00:00Z',
    );
    expect(again.stdout).toMatch(/daily: 0 rows read, 0 written/);
  });

  it('builds a point-in-time-correct training set with slipway features historical', async () => {
    writeFileSync(
      join(home, 'labels.csv'),
      'driver_id,event_timestamp,label\n1,2026-01-01T12:00:00Z,0\n1,2026-01-03T00:00:00Z,1\n3,2026-01-03T00:00:00Z,1\n',
    );
    const out = join(home, 'train.parquet');
    const res = await run(process.execPath, [
      'bin/slipway.js',
      'features',
      'historical',
      '--definitions',
      join(home, 'trips.yaml'),
      '--entities',
      join(home, 'labels.csv'),
      '--features',
      'daily:trips',
      '--out',
      out,
      '--home',
      home,
    ]);
    expect(res.stdout).toMatch(/^Wrote 3 rows × \d+ columns to .*train\.parquet \(sha256:[0-9a-f]{64}\)/);
    // Read it back with DuckDB: trips as of each label's time, never from the future.
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const rows = (
      await conn.runAndReadAll(`SELECT driver_id, trips FROM read_parquet('${out}')`)
    ).getRowObjectsJS();
    expect(rows.map((r) => [Number(r.driver_id), r.trips === null ? null : Number(r.trips)])).toEqual([
      [1, 3],
      [1, 5],
      [3, null],
    ]);
    conn.closeSync();
    db.closeSync();
  });
});
