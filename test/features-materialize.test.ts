/**
 * Materialization from the command line, as a user runs it: validation refusing bad batches (exit
 * status 1 with the report), the run stored with its statistics and read back through
 * `slipway features stats` and GET /api/v1/features/views, incremental runs resuming from the
 * stored state, a run killed with SIGKILL half-way then re-run ending equal to a clean run, and a
 * PostgreSQL source without its own connection read from the PostgreSQL metadata store's database.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/core/config.js';
import { openPlatform } from '../src/platform.js';
import { createServer } from '../src/server/app.js';
import { createTempPostgresDatabase, type TempPostgresDatabase } from './helpers/postgres.js';

const exec = promisify(execFile);
const CLI = ['--import', 'tsx', 'test/helpers/slipway-source-cli.ts'];

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function slipway(home: string, ...args: string[]): Promise<CliResult> {
  return slipwayWith({}, home, ...args);
}

/** The CLI with `env` added to this process's environment. */
async function slipwayWith(env: Record<string, string>, home: string, ...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [...CLI, ...args, '--home', home], {
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function definitions(dir: string, source: string, format: 'csv' | 'parquet'): string {
  const file = join(dir, 'defs.yaml');
  writeFileSync(
    file,
    [
      'project: fleet',
      'entities: [{ name: driver, join_key: driver_id, value_type: int64 }]',
      `sources: [{ name: trips_src, kind: file, path: ${source}, format: ${format}, timestamp_field: event_timestamp }]`,
      'feature_views:',
      '  - name: daily',
      '    entities: [driver]',
      '    source: trips_src',
      '    schema:',
      '      - { name: rate, type: float64, constraints: { min: 0, max: 1 } }',
      '      - { name: trips, type: int64, constraints: { nullable: false } }',
    ].join('\n'),
  );
  return file;
}

/** Every stored row of the online store under `home`, in key order. */
function onlineRows(home: string): unknown[] {
  const db = new SQLite(join(home, 'online.db'), { readonly: true });
  try {
    return db
      .prepare(
        'SELECT view, entity_key, values_json, event_ts, created_ts FROM online_features ORDER BY view, entity_key',
      )
      .raw(true)
      .all();
  } finally {
    db.close();
  }
}

describe('slipway features materialize: validation, statistics, freshness', () => {
  let dir: string;
  let home: string;
  let defs: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-materialize-cli-'));
    home = join(dir, 'home');
    writeFileSync(
      join(dir, 'trips.csv'),
      [
        'driver_id,rate,trips,event_timestamp',
        '1,0.5,10,2026-01-01T10:00:00Z',
        '2,0.25,20,2026-01-01T11:00:00Z',
        '3,1.7,30,2026-01-01T12:00:00Z', // rate > max 1: the batch {3, 4} is refused
        '4,0.75,,2026-01-01T13:00:00Z', // and trips is not nullable
        '5,0.0,50,2026-01-01T14:00:00Z',
        '',
      ].join('\n'),
    );
    defs = definitions(dir, './trips.csv', 'csv');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses violating batches, writes the others, prints the report and exits 1', async () => {
    expect((await slipway(home, 'features', 'apply', '--definitions', defs)).code).toBe(0);
    const res = await slipway(
      home,
      'features',
      'materialize',
      '--definitions',
      defs,
      '--start',
      '2026-01-01T00:00:00Z',
      '--end',
      '2026-01-02T00:00:00Z',
      '--batch-size',
      '2',
    );
    expect(res.code).toBe(1);
    expect(res.stdout).toContain(
      'daily: 5 rows read, 3 written (newer than the store held), 2 refused by validation',
    );
    expect(res.stdout).toContain('rate max: 1 row(s)');
    expect(res.stdout).toContain('driver_id=3: rate[0]: 1.7 > max 1');
    expect(res.stdout).toContain('driver_id=4: trips[1]: null, but the feature is not nullable');
    expect(res.stderr).toMatch(/error: Validation refused 2 row\(s\) of daily/);
    const stored = onlineRows(home) as Array<[string, string]>;
    expect(stored.map((r) => r[1])).toEqual(['driver_id=1', 'driver_id=2', 'driver_id=5']);
  });

  it('shows freshness and statistics in slipway features stats', async () => {
    const list = await slipway(home, 'features', 'stats', '--json');
    const [view] = JSON.parse(list.stdout);
    expect(view).toMatchObject({
      project: 'fleet',
      view: 'daily',
      version: 1,
      lastRun: { status: 'partial', rowsRead: 5, rowsWritten: 3, rowsRefused: 2 },
      lastSucceeded: null,
    });
    const table = await slipway(home, 'features', 'stats', 'daily');
    expect(table.code).toBe(0);
    // Over the 5 rows read: rate 0.5, 0.25, 1.7, 0.75, 0 → mean 0.64; trips one null in five.
    expect(table.stdout).toMatch(/rate\s+float64\s+0\.0 %\s+0\s+1\.7\s+0\.64\n/);
    expect(table.stdout).toMatch(/trips\s+int64\s+20\.0 %\s+10\s+50\s+27\.5\n/);
    expect(table.stdout).toContain('2 of 5 rows refused');
  });

  it('serves the same through GET /api/v1/features/views', async () => {
    const platform = await openPlatform(resolveConfig({ home }));
    const app = await createServer(platform, { logger: false });
    try {
      const list = await app.inject({ method: 'GET', url: '/api/v1/features/views?project=fleet' });
      expect(list.statusCode).toBe(200);
      expect(list.json().views).toMatchObject([
        { view: 'daily', version: 1, lastRun: { status: 'partial' } },
      ]);
      const one = await app.inject({ method: 'GET', url: '/api/v1/features/views/daily' });
      expect(one.statusCode).toBe(200);
      const body = one.json();
      expect(body.statistics.rows).toBe(5);
      expect(body.statistics.features[1]).toMatchObject({
        feature: 'trips',
        nulls: 1,
        min: 10,
        max: 50,
        mean: 27.5,
      });
      expect(
        body.report.violations.map((v: { feature: string; rule: string }) => `${v.feature}:${v.rule}`),
      ).toEqual(['rate:max', 'trips:nullable']);
      const missing = await app.inject({ method: 'GET', url: '/api/v1/features/views/nope' });
      expect(missing.statusCode).toBe(404);
    } finally {
      await app.close();
      await platform.close();
    }
  });

  it('resumes materialize-incremental from the last succeeded run stored in the metadata database', async () => {
    // Fix the source; a succeeded run to the 2nd, then an incremental run reads only what is newer.
    writeFileSync(
      join(dir, 'trips.csv'),
      [
        'driver_id,rate,trips,event_timestamp',
        '3,0.7,30,2026-01-01T12:00:00Z',
        '4,0.75,40,2026-01-01T13:00:00Z',
        '4,0.8,41,2026-01-02T13:00:00Z',
        '',
      ].join('\n'),
    );
    const first = await slipway(
      home,
      'features',
      'materialize',
      '--definitions',
      defs,
      '--start',
      '2026-01-01T00:00:00Z',
      '--end',
      '2026-01-02T00:00:00Z',
    );
    expect(first.code).toBe(0);
    const next = await slipway(
      home,
      'features',
      'materialize-incremental',
      '--definitions',
      defs,
      '--end',
      '2026-01-03T00:00:00Z',
    );
    expect(next.stdout).toMatch(/daily: 1 rows read, 1 written/);
    const stats = JSON.parse((await slipway(home, 'features', 'stats', '--json')).stdout);
    expect(stats[0].lastSucceeded.windowEnd).toBe(Date.parse('2026-01-03T00:00:00Z'));
    expect(stats[0].lastSucceeded.newestEventTimestamp).toBe(Date.parse('2026-01-02T13:00:00Z'));
  });
});

describe('slipway features materialize killed half-way', () => {
  let dir: string;
  let defs: string;
  const N = 300_000;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-materialize-kill-'));
    // Two events per driver; the later one must win whatever happened to the first run.
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    await conn.run(`COPY (
      SELECT i % ${N} AS driver_id, ((i * 7919) % 1000) / 1000.0 AS rate, i AS trips,
             TIMESTAMP '2026-01-01' + INTERVAL (i // ${N}) HOUR AS event_timestamp
      FROM range(${2 * N}) t(i)) TO '${join(dir, 'big.parquet')}' (FORMAT parquet)`);
    conn.closeSync();
    db.closeSync();
    defs = definitions(dir, './big.parquet', 'parquet');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const args = (home: string) => [
    ...CLI,
    'features',
    'materialize',
    '--definitions',
    defs,
    '--start',
    '2026-01-01T00:00:00Z',
    '--end',
    '2026-01-02T00:00:00Z',
    '--batch-size',
    '1000',
    '--home',
    home,
  ];

  it('leaves the online store equal to a clean run once re-run', async () => {
    const killedHome = join(dir, 'killed');
    const child: ChildProcess = spawn(process.execPath, args(killedHome), { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // Kill it as soon as some, but not all, rows are in the online store.
    let seen = 0;
    for (let i = 0; i < 6000 && seen === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      try {
        const db = new SQLite(join(killedHome, 'online.db'), { readonly: true, fileMustExist: true });
        try {
          seen = (db.prepare('SELECT count(*) AS n FROM online_features').get() as { n: number }).n;
        } finally {
          db.close();
        }
      } catch {
        // Not created yet.
      }
    }
    child.kill('SIGKILL');
    await exited;
    const partial = onlineRows(killedHome).length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(N);
    const [again, clean] = await Promise.all([
      exec(process.execPath, args(killedHome)),
      exec(process.execPath, args(join(dir, 'clean'))),
    ]);
    expect(again.stdout).toContain(`daily: ${N} rows read, ${N - partial} written`);
    expect(clean.stdout).toContain(`daily: ${N} rows read, ${N} written`);
    expect(onlineRows(killedHome)).toEqual(onlineRows(join(dir, 'clean')));
    // The killed run stays `running` in the log; the re-run succeeded.
    const history = JSON.parse(
      (await exec(process.execPath, [...CLI, 'features', 'stats', '--json', '--home', killedHome])).stdout,
    );
    expect(history[0].lastRun.status).toBe('succeeded');
  }, 180_000);
});

describe('slipway features materialize with a PostgreSQL metadata store', () => {
  let dir: string;
  let defs: string;
  let db: TempPostgresDatabase;
  let client: pg.Client;
  const table = `trips_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e9).toString(36)}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-materialize-pg-'));
    db = await createTempPostgresDatabase();
    client = new pg.Client({ connectionString: db.uri });
    await client.connect();
    await client.query(
      `CREATE TABLE "${table}" (driver_id int8, rate float8, trips int4, event_timestamp timestamptz)`,
    );
    await client.query(
      `INSERT INTO "${table}" VALUES
        (1, 0.5, 10, '2026-01-01T10:00:00Z'), (1, 0.25, 11, '2026-01-01T11:00:00Z'),
        (2, 0.75, 20, '2026-01-01T12:00:00Z'), (3, 0.1, 30, '2026-01-05T00:00:00Z')`,
    );
    defs = join(dir, 'defs.yaml');
    // The source names a table but no connection: the metadata store's database is the default.
    writeFileSync(
      defs,
      [
        'project: fleet',
        'entities: [{ name: driver, join_key: driver_id, value_type: int64 }]',
        `sources: [{ name: trips_pg, kind: postgres, table: ${table}, timestamp_field: event_timestamp }]`,
        'feature_views:',
        '  - name: daily',
        '    entities: [driver]',
        '    source: trips_pg',
        '    schema:',
        '      - { name: rate, type: float64 }',
        '      - { name: trips, type: int64 }',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await client?.query(`DROP TABLE IF EXISTS "${table}"`);
    await client?.end();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a PostgreSQL source without its own connection from the metadata store database', async () => {
    const home = join(dir, 'home');
    const env = { SLIPWAY_BACKEND_STORE_URI: db.uri };
    const window = ['--start', '2026-01-01T00:00:00Z', '--end', '2026-01-02T00:00:00Z'];
    expect((await slipwayWith(env, home, 'features', 'apply', '--definitions', defs)).code).toBe(0);
    const res = await slipwayWith(
      env,
      home,
      'features',
      'materialize',
      '--definitions',
      defs,
      ...window,
      '--memory-limit',
      '64MiB',
    );
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('daily: 2 rows read, 2 written');
    const stored = (onlineRows(home) as Array<[string, string, string]>).map((r) => [r[1], JSON.parse(r[2])]);
    expect(stored).toEqual([
      ['driver_id=1', { rate: 0.25, trips: 11 }],
      ['driver_id=2', { rate: 0.75, trips: 20 }],
    ]);
    // The run is recorded in the PostgreSQL metadata store.
    const { rows } = await client.query(
      'SELECT view, status, rows_read::int AS rows_read FROM feature_materializations',
    );
    expect(rows).toEqual([{ view: 'daily', status: 'succeeded', rows_read: 2 }]);
    // And so does materialize-incremental, from where that run ended.
    const next = await slipwayWith(
      env,
      home,
      'features',
      'materialize-incremental',
      '--definitions',
      defs,
      '--end',
      '2026-01-06T00:00:00Z',
    );
    expect(next.stdout).toContain('daily: 1 rows read, 1 written');
    expect((onlineRows(home) as Array<[string, string]>).map((r) => r[1])).toEqual([
      'driver_id=1',
      'driver_id=2',
      'driver_id=3',
    ]);
  });

  it('refuses a --memory-limit that is not a size, naming the flag', async () => {
    const res = await slipway(
      join(dir, 'other'),
      'features',
      'materialize',
      '--definitions',
      defs,
      '--start',
      '2026-01-01T00:00:00Z',
      '--memory-limit',
      'lots',
    );
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain(
      "Invalid value for '--memory-limit': expected a size such as 512MiB or 2GB, got 'lots'",
    );
  });
});
