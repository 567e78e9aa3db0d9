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
