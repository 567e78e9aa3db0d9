import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteOnlineStore } from '../../backends/online/sqlite-online-store.js';
import { materialize } from '../materialize.js';
import { catalogOf, getOnlineFeatures } from '../online-features.js';
import type { FeatureRepo, FeatureScalar } from '../types.js';
import { resolveHistoricalFeatures } from './feature-refs.js';
import { getHistoricalFeatures } from './historical.js';

const T = (h: number) => Date.UTC(2026, 0, 1, h);
const iso = (h: number) => new Date(T(h)).toISOString();
const dir = mkdtempSync(join(tmpdir(), 'slipway-on-demand-'));

const repo: FeatureRepo = {
  project: 'rides',
  entities: [{ name: 'driver', joinKeys: [{ name: 'driver_id', type: 'int64' }] }],
  sources: [
    {
      kind: 'file',
      name: 'driver_src',
      path: join(dir, 'drivers.csv'),
      format: 'csv',
      timestampField: 'event_timestamp',
    },
  ],
  featureViews: [
    {
      name: 'driver_stats',
      entities: ['driver'],
      schema: [
        { name: 'conv_rate', type: 'float64' },
        { name: 'trips', type: 'int64' },
        { name: 'last_trip', type: 'timestamp' },
      ],
      source: 'driver_src',
      ttlSeconds: 0,
      online: true,
      offline: true,
    },
  ],
  onDemandFeatureViews: [
    {
      name: 'trip_score',
      requestSchema: [{ name: 'distance', type: 'float64' }],
      sources: ['driver_stats:conv_rate', 'driver_stats:trips', 'driver_stats:last_trip'],
      schema: [
        { name: 'score', type: 'float64' },
        { name: 'busy', type: 'bool' },
        { name: 'summary', type: 'string' },
      ],
      // Reads inputs under both names the contract gives them, and is sensitive to their JS types.
      transform: (row) => {
        if (row['distance'] === -1) throw new Error('negative distance');
        const trips = row['driver_stats__trips'];
        return {
          score:
            row['conv_rate'] === null ? null : (row['conv_rate'] as number) * (row['distance'] as number),
          busy: trips === null ? null : (trips as number) > 15,
          summary: `${typeof trips}:${trips}|${typeof row['last_trip']}:${row['last_trip']}`,
        };
      },
    },
  ],
  featureServices: [],
};

beforeAll(() => {
  const csv = [
    'driver_id,event_timestamp,conv_rate,trips,last_trip',
    `1,${iso(1)},0.5,10,${iso(0)}`,
    `1,${iso(3)},0.25,20,${iso(2)}`,
    `2,${iso(2)},,7,`,
  ];
  writeFileSync(join(dir, 'drivers.csv'), `${csv.join('\n')}\n`);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const entities = [
  { driver_id: 1, event_timestamp: iso(5), distance: 4 },
  { driver_id: 2, event_timestamp: iso(5), distance: 3 },
  { driver_id: 3, event_timestamp: iso(5), distance: 2 }, // no stored features
  { driver_id: 1, event_timestamp: iso(2), distance: 8 }, // sees the 01:00 row only
];

describe('on-demand views in training sets', () => {
  it('gives the same values as an online read for the same entity and time (no training/serving skew)', async () => {
    const plan = resolveHistoricalFeatures(repo, ['driver_stats:trips', 'trip_score:*']);
    const { rows, columns } = await getHistoricalFeatures({ entities: { rows: entities }, ...plan });
    expect(columns.map((c) => c.name)).toEqual([
      'driver_id',
      'event_timestamp',
      'distance',
      'trips',
      'score',
      'busy',
      'summary',
    ]);
    expect(rows!.map((r) => [r['driver_id'], r['trips'], r['score'], r['busy']])).toEqual([
      [1, 20, 1, true],
      [2, 7, null, false],
      [3, null, null, null],
      [1, 10, 4, false],
    ]);

    const catalog = catalogOf(repo);
    const store = new SqliteOnlineStore({ path: ':memory:' });
    await store.init();
    try {
      await materialize({ catalog, store, start: T(0), end: T(4) });
      const first3 = entities.slice(0, 3);
      const online = await getOnlineFeatures(
        catalog,
        store,
        {
          features: ['trip_score:*'],
          entities: { driver_id: first3.map((e) => e.driver_id) },
          requestData: { distance: first3.map((e) => e.distance) },
        },
        T(5),
      );
      const onlineRows = first3.map((_, i) => {
        const row: Record<string, FeatureScalar> = {};
        online.metadata.feature_names.forEach((name, k) => {
          row[name] = online.results[k].values[i];
        });
        return row;
      });
      for (const [i, row] of onlineRows.entries()) {
        expect({ score: row['score'], busy: row['busy'], summary: row['summary'] }).toEqual({
          score: rows![i]['score'],
          busy: rows![i]['busy'],
          summary: rows![i]['summary'],
        });
      }
      // Inputs reached the transform as the online store holds them: integers and epoch ms as numbers.
      expect(rows![0]['summary']).toBe(`number:20|number:${T(2)}`);
    } finally {
      await store.close();
    }
  });

  it('writes Parquet in entity order with a stable content hash, leaving out inputs nobody asked for', async () => {
    const plan = resolveHistoricalFeatures(repo, ['trip_score:score']);
    const run = (name: string) =>
      getHistoricalFeatures({ entities: { rows: entities }, ...plan, output: join(dir, name) });
    const a = await run('a.parquet');
    const b = await run('b.parquet');
    expect(a.contentHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(b.contentHash).toBe(a.contentHash);
    expect(a.columns.map((c) => c.name)).toEqual(['driver_id', 'event_timestamp', 'distance', 'score']);
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const read = await conn.runAndReadAll(`SELECT driver_id, score FROM '${join(dir, 'a.parquet')}'`);
    expect(read.getRowsJS()).toEqual([
      [1n, 1],
      [2n, null],
      [3n, null],
      [1n, 4],
    ]);
    conn.closeSync();
    db.closeSync();
  });

  it('names a request field the entity rows lack', async () => {
    const plan = resolveHistoricalFeatures(repo, ['trip_score:score']);
    const rows = entities.map(({ distance: _, ...rest }) => rest);
    await expect(getHistoricalFeatures({ entities: { rows }, ...plan })).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringMatching(
        /no column 'distance' \(request field of on-demand view 'trip_score'\); its columns: driver_id, event_timestamp/,
      ),
    });
  });

  it('names the view and the entity row when a transform throws', async () => {
    const plan = resolveHistoricalFeatures(repo, ['trip_score:score']);
    const rows = entities.map((e, i) => (i === 2 ? { ...e, distance: -1 } : e));
    await expect(getHistoricalFeatures({ entities: { rows }, ...plan })).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      message: "On-demand view 'trip_score' failed on entity row 2: negative distance",
    });
  });
});
