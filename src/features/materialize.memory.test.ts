/**
 * Materialization under DuckDB's memory limit: a window larger than the limit spills to disk (in a
 * private folder, removed afterwards) and gives the same rows as an unlimited run; a limit that is
 * not a size, or one too small for the run, is refused naming `memoryLimit`.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteOnlineStore } from '../backends/online/sqlite-online-store.js';
import { materialize } from './materialize.js';
import { catalogOf, type FeatureCatalog } from './online-features.js';

const ENTITIES = 200_000;
const EVENTS = 5;
const T0 = Date.UTC(2026, 0, 1);

describe('materialize under a memory limit', () => {
  let dir: string;
  let catalog: FeatureCatalog;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-materialize-memory-'));
    // Event e of entity i: rate = e + i / 1e6, so the latest row of every entity is e = EVENTS - 1.
    // No created timestamp: the window orders by one key, the case DuckDB would turn into an
    // aggregate that cannot spill.
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    await conn.run(`COPY (
      SELECT i % ${ENTITIES} AS driver_id,
             (i // ${ENTITIES}) + (i % ${ENTITIES}) / 1e6 AS rate,
             (i // ${ENTITIES})::BIGINT AS trips,
             TIMESTAMP '2026-01-01' + INTERVAL (i // ${ENTITIES}) MINUTE AS event_timestamp
      FROM range(${ENTITIES * EVENTS}) t(i) ORDER BY random()) TO '${join(dir, 'rates.parquet')}' (FORMAT parquet)`);
    conn.closeSync();
    db.closeSync();
    catalog = catalogOf({
      project: 'p',
      entities: [{ name: 'driver', joinKeys: [{ name: 'driver_id', type: 'int64' }] }],
      sources: [
        {
          kind: 'file',
          name: 'rates',
          path: join(dir, 'rates.parquet'),
          format: 'parquet',
          timestampField: 'event_timestamp',
        },
      ],
      featureViews: [
        {
          name: 'driver_rates',
          entities: ['driver'],
          schema: [
            { name: 'rate', type: 'float64' },
            { name: 'trips', type: 'int64' },
          ],
          source: 'rates',
          ttlSeconds: 0,
          online: true,
          offline: true,
        },
      ],
      onDemandFeatureViews: [],
      featureServices: [],
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Materializes into a fresh in-memory store; returns the summary and a few entities' rows. */
  async function run(memoryLimit: string | undefined, spillDirectory?: string) {
    const store = new SqliteOnlineStore({ path: ':memory:' });
    await store.init();
    try {
      const [summary] = await materialize({
        catalog,
        store,
        start: T0,
        end: T0 + 86_400_000,
        memoryLimit,
        spillDirectory,
      });
      const keys = [0, 123_457, ENTITIES - 1].map((i) => `driver_id=${i}`);
      return { summary, rows: await store.read('driver_rates', keys, ['rate', 'trips']) };
    } finally {
      await store.close();
    }
  }

  it('spills a window larger than the limit to its own folder and writes the same rows as without a limit', async () => {
    const spillDirectory = join(dir, 'spill');
    mkdirSync(spillDirectory);
    // The spill folder is watched while DuckDB works (it runs off the event loop).
    let spilled = 0;
    const watch = setInterval(() => {
      for (const sub of readdirSync(spillDirectory)) {
        const path = join(spillDirectory, sub);
        if (existsSync(path)) spilled = Math.max(spilled, readdirSync(path).length);
      }
    }, 2);
    let limited: Awaited<ReturnType<typeof run>>;
    try {
      limited = await run('32MiB', spillDirectory);
    } finally {
      clearInterval(watch);
    }
    expect(spilled).toBeGreaterThan(0);
    expect(readdirSync(spillDirectory)).toEqual([]);

    expect(limited.summary).toMatchObject({ rowsRead: ENTITIES, rowsWritten: ENTITIES, rowsRefused: 0 });
    const last = EVENTS - 1;
    expect(limited.rows.map((r) => r?.values)).toEqual([
      { rate: last, trips: last },
      { rate: last + 0.123457, trips: last },
      { rate: last + (ENTITIES - 1) / 1e6, trips: last },
    ]);
    const unlimited = await run('4GiB');
    expect(limited.summary.statistics).toEqual(unlimited.summary.statistics);
    expect(limited.summary.report).toEqual(unlimited.summary.report);
    expect(limited.rows).toEqual(unlimited.rows);
  });

  it('refuses a memory limit that is not a size', async () => {
    await expect(run('lots')).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringMatching(/'memoryLimit'.*512MiB.*'lots'/),
    });
  });

  it('names the memory limit when a run needs more than it', async () => {
    await expect(run('2MiB')).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      details: { field: 'memoryLimit', got: '2MiB', view: 'driver_rates' },
    });
  });
});
