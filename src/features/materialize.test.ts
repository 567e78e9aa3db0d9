import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteOnlineStore } from '../backends/online/sqlite-online-store.js';
import { materialize } from './materialize.js';
import { catalogOf, type FeatureCatalog } from './online-features.js';
import type { FeatureRepo } from './types.js';

const T = (h: number) => Date.UTC(2026, 0, 1, h);
const iso = (h: number) => new Date(T(h)).toISOString();

describe('materialize', () => {
  let dir: string;
  let catalog: FeatureCatalog;
  const store = new SqliteOnlineStore({ path: ':memory:' });
  const read = async (id: number) =>
    (await store.read('driver_stats', [`driver_id=${id}`], ['conv_rate', 'trips']))[0];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-materialize-'));
    const csv = [
      'driver_id,conv_rate,trips,event_timestamp,created',
      `1,0.1,1,${iso(1)},${iso(1)}`,
      `1,0.2,2,${iso(3)},${iso(3)}`,
      `1,0.9,9,${iso(3)},${iso(2)}`, // same event time, created earlier: loses the tie
      `2,0.5,5,${iso(2)},${iso(2)}`,
      `2,0.7,7,${iso(8)},${iso(8)}`, // after the first window
      `3,,4,${iso(2)},${iso(2)}`, // null feature value
    ].join('\n');
    writeFileSync(join(dir, 'drivers.csv'), `${csv}\n`);
    writeFileSync(join(dir, 'broken.parquet'), 'not parquet');
    const repo: FeatureRepo = {
      project: 't',
      entities: [{ name: 'driver', joinKeys: [{ name: 'driver_id', type: 'int64' }] }],
      sources: [
        {
          kind: 'file',
          name: 'drivers',
          path: join(dir, 'drivers.csv'),
          format: 'csv',
          timestampField: 'event_timestamp',
          createdTimestampField: 'created',
        },
        {
          kind: 'file',
          name: 'broken',
          path: join(dir, 'broken.parquet'),
          format: 'parquet',
          timestampField: 'ts',
        },
      ],
      featureViews: [
        {
          name: 'driver_stats',
          entities: ['driver'],
          schema: [
            { name: 'conv_rate', type: 'float64' },
            { name: 'trips', type: 'int64' },
          ],
          source: 'drivers',
          ttlSeconds: 0,
          online: true,
          offline: true,
        },
        {
          name: 'bad',
          entities: ['driver'],
          schema: [{ name: 'x', type: 'float64' }],
          source: 'broken',
          ttlSeconds: 0,
          online: true,
          offline: true,
        },
      ],
      onDemandFeatureViews: [],
      featureServices: [],
    };
    catalog = catalogOf(repo);
    await store.init();
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the latest row per entity in the window, ties broken by created timestamp', async () => {
    const progress: number[] = [];
    const [summary] = await materialize({
      catalog,
      store,
      views: ['driver_stats'],
      start: T(0),
      end: T(6),
      batchSize: 1,
      onProgress: (p) => progress.push(p.rowsRead),
    });
    expect(summary).toMatchObject({ view: 'driver_stats', rowsRead: 3, rowsWritten: 3 });
    expect(progress).toEqual([1, 2, 3]);
    expect(await read(1)).toMatchObject({ values: { conv_rate: 0.2, trips: 2 }, eventTimestamp: T(3) });
    expect(await read(2)).toMatchObject({ values: { conv_rate: 0.5, trips: 5 }, eventTimestamp: T(2) });
    expect((await read(3))?.values).toEqual({ conv_rate: null, trips: 4 });
  });

  it('writes nothing when re-run, and only newer rows on the next window', async () => {
    const [again] = await materialize({ catalog, store, views: ['driver_stats'], start: T(0), end: T(6) });
    expect(again).toMatchObject({ rowsRead: 3, rowsWritten: 0 });
    const [next] = await materialize({ catalog, store, views: ['driver_stats'], start: T(6), end: T(12) });
    expect(next).toMatchObject({ rowsRead: 1, rowsWritten: 1 });
    expect((await read(2))?.values.conv_rate).toBe(0.7);
  });

  it('names a corrupt source file', async () => {
    await expect(materialize({ catalog, store, views: ['bad'], start: T(0), end: T(6) })).rejects.toThrow(
      /broken\.parquet/,
    );
  });

  it('refuses an empty window', async () => {
    await expect(materialize({ catalog, store, start: T(6), end: T(6) })).rejects.toThrow(
      /Invalid value for 'end'/,
    );
  });
});

describe('materialize: validation and statistics', () => {
  let dir: string;
  const store = new SqliteOnlineStore({ path: ':memory:' });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-materialize-validate-'));
    await store.init();
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A view `v` of (rate float64 in [0, 1], trips int64 ≥ 0, tier string) over `csv`'s rows. */
  function catalogFor(name: string, lines: string[], constraints = true): FeatureCatalog {
    const path = join(dir, `${name}.csv`);
    writeFileSync(path, `id,rate,trips,tier,ts\n${lines.join('\n')}\n`);
    return catalogOf({
      project: 't',
      entities: [{ name: 'e', joinKeys: [{ name: 'id', type: 'int64' }] }],
      sources: [{ kind: 'file', name: 'src', path, format: 'csv', timestampField: 'ts' }],
      featureViews: [
        {
          name,
          entities: ['e'],
          schema: [
            { name: 'rate', type: 'float64', constraints: constraints ? { min: 0, max: 1 } : undefined },
            { name: 'trips', type: 'int64', constraints: constraints ? { nullable: false } : undefined },
            {
              name: 'tier',
              type: 'string',
              constraints: constraints ? { allowedValues: ['gold', 'silver'], maxNullShare: 0.5 } : undefined,
            },
          ],
          source: 'src',
          ttlSeconds: 0,
          online: true,
          offline: true,
        },
      ],
      onDemandFeatureViews: [],
      featureServices: [],
    });
  }
  const readAll = async (view: string, ids: number[]) =>
    (
      await store.read(
        view,
        ids.map((i) => `id=${i}`),
        ['rate', 'trips', 'tier'],
      )
    ).map((r) => r?.values ?? null);

  it('refuses whole batches with a violation, writes the other batches, and reports the refused rows', async () => {
    const catalog = catalogFor('bad_batches', [
      `1,0.1,1,gold,${iso(1)}`,
      `2,0.2,2,gold,${iso(1)}`,
      `3,1.5,3,gold,${iso(1)}`, // rate > max: batch {3, 4} refused
      `4,0.4,4,silver,${iso(1)}`,
      `5,0.5,5,gold,${iso(1)}`,
      `6,0.6,,bronze,${iso(1)}`, // trips null (not nullable) and tier not allowed: batch {5, 6} refused
      `7,0.7,7,gold,${iso(1)}`,
      `3,0.3,3,gold,${iso(0)}`, // an older, valid row of 3: never read (not the latest)
    ]);
    const [s] = await materialize({ catalog, store, start: T(0), end: T(6), batchSize: 2 });
    expect(s).toMatchObject({ rowsRead: 7, rowsWritten: 3, rowsRefused: 4, newestEventTimestamp: T(1) });
    expect(await readAll('bad_batches', [1, 2, 3, 4, 5, 6, 7])).toEqual([
      { rate: 0.1, trips: 1, tier: 'gold' },
      { rate: 0.2, trips: 2, tier: 'gold' },
      null,
      null,
      null,
      null,
      { rate: 0.7, trips: 7, tier: 'gold' },
    ]);
    expect(s.report).toMatchObject({ rowsChecked: 7, rowsRefused: 4, batchesChecked: 4, batchesRefused: 2 });
    expect(s.report.violations).toEqual([
      {
        feature: 'rate',
        rule: 'max',
        count: 1,
        samples: [{ entityKey: 'id=3', value: 1.5, message: 'rate[0]: 1.5 > max 1' }],
      },
      {
        feature: 'trips',
        rule: 'nullable',
        count: 1,
        samples: [
          { entityKey: 'id=6', value: null, message: 'trips[1]: null, but the feature is not nullable' },
        ],
      },
      {
        feature: 'tier',
        rule: 'allowed_values',
        count: 1,
        samples: [
          {
            entityKey: 'id=6',
            value: 'bronze',
            message: 'tier[1]: "bronze" is not one of ["gold","silver"]',
          },
        ],
      },
    ]);
  });

  it('judges max_null_share per batch', async () => {
    const catalog = catalogFor('null_share', [
      `1,0.1,1,,${iso(1)}`,
      `2,0.2,2,gold,${iso(1)}`, // batch 1: 50 % null tiers, allowed
      `3,0.3,3,,${iso(1)}`,
      `4,0.4,4,,${iso(1)}`, // batch 2: 100 % null tiers, refused
    ]);
    const [s] = await materialize({ catalog, store, start: T(0), end: T(6), batchSize: 2 });
    expect(s).toMatchObject({ rowsWritten: 2, rowsRefused: 2 });
    expect(s.report.violations).toEqual([
      {
        feature: 'tier',
        rule: 'max_null_share',
        count: 1,
        samples: [{ value: 1, message: 'tier: 100.0 % nulls > max_null_share 50 %' }],
      },
    ]);
  });

  it('computes statistics of the rows read equal to a brute-force computation', async () => {
    // Deterministic pseudo-random rows: several events per entity, some nulls.
    let seed = 7;
    const rand = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const rows: Array<{
      id: number;
      rate: number | null;
      trips: number | null;
      tier: string | null;
      h: number;
    }> = [];
    for (let i = 0; i < 600; i++) {
      rows.push({
        id: Math.floor(rand() * 150),
        rate: rand() < 0.2 ? null : Math.round(rand() * 1e6) / 1e6,
        trips: rand() < 0.1 ? null : Math.floor(rand() * 1000) - 100,
        tier: rand() < 0.3 ? null : rand() < 0.5 ? 'gold' : 'silver',
        h: i, // distinct event times: the latest row per entity is unique
      });
    }
    const at = (h: number) => new Date(T(0) + h * 60_000).toISOString();
    const catalog = catalogFor(
      'stats',
      rows.map((r) => `${r.id},${r.rate ?? ''},${r.trips ?? ''},${r.tier ?? ''},${at(r.h)}`),
      false,
    );
    const [s] = await materialize({ catalog, store, start: T(0), end: T(24), batchSize: 64 });
    const latest = new Map<number, (typeof rows)[number]>();
    for (const r of rows) if ((latest.get(r.id)?.h ?? -1) < r.h) latest.set(r.id, r);
    const picked = [...latest.values()];
    expect(s.statistics.rows).toBe(picked.length);
    for (const name of ['rate', 'trips'] as const) {
      const values = picked.map((r) => r[name]).filter((v): v is number => v !== null);
      const f = s.statistics.features.find((x) => x.feature === name);
      expect(f?.nulls).toBe(picked.length - values.length);
      expect(f?.nullShare).toBeCloseTo((picked.length - values.length) / picked.length, 12);
      expect(f?.min).toBe(Math.min(...values));
      expect(f?.max).toBe(Math.max(...values));
      expect(f?.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 9);
    }
    const tier = s.statistics.features.find((x) => x.feature === 'tier');
    expect(tier).toMatchObject({
      nulls: picked.filter((r) => r.tier === null).length,
      min: null,
      mean: null,
    });
  });
});
