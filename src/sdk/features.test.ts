/**
 * The feature store through the SDK, over HTTP and in-process alike: online reads and training sets
 * from the definitions applied to the registry, training sets registered as dataset versions (same
 * data → same version), datasets logged as run inputs. Both clients must give the same results.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../../test/helpers/control-plane.js';
import { isSlipwayError } from '../core/errors.js';
import { datasetInput } from '../datasets/dataset-input.js';
import { loadFeatureRepo } from '../features/definitions/load.js';
import { entityKeyOf } from '../features/entity-key.js';
import { hashFile } from '../features/offline/result.js';
import type { Platform } from '../platform.js';
import { Slipway } from './index.js';
import type { LocalClient } from './local-client.js';
import type { SlipwayClient } from './types.js';

/** A feature repo with a CSV source and an on-demand transform module, written into `dir`. */
function writeRepo(dir: string): string {
  writeFileSync(
    join(dir, 'trips.csv'),
    'driver_id,trips,event_timestamp\n1,3,2026-01-01T10:00:00Z\n1,5,2026-01-02T10:00:00Z\n2,8,2026-01-01T12:00:00Z\n',
  );
  writeFileSync(
    join(dir, 'transforms.ts'),
    'export const perHour = (row: Record<string, unknown>) => ({ trips_per_hour: Number(row.trips) / Number(row.hours) });\n',
  );
  const defs = join(dir, 'features.yaml');
  writeFileSync(
    defs,
    [
      'project: rides',
      'entities: [{ name: driver, join_key: driver_id, value_type: int64 }]',
      'sources: [{ name: trips_csv, kind: file, path: ./trips.csv, format: csv, timestamp_field: event_timestamp }]',
      'feature_views: [{ name: daily, entities: [driver], source: trips_csv, ttl: 0, schema: [{ name: trips, type: int64 }] }]',
      'on_demand_feature_views:',
      '  - { name: rates, module: ./transforms.ts, export: perHour, request_schema: [{ name: hours, type: float64 }], sources: ["daily:trips"], schema: [{ name: trips_per_hour, type: float64 }] }',
      "feature_services: [{ name: ranker_v1, features: ['daily:trips'] }]",
    ].join('\n'),
  );
  return defs;
}

async function prepare(platform: Platform, dir: string): Promise<void> {
  await platform.features.apply(await loadFeatureRepo(writeRepo(dir)));
  const store = await platform.onlineStore();
  await store.write('daily', [
    {
      entityKey: entityKeyOf(['driver_id'], { driver_id: 1 }),
      values: { trips: 5 },
      eventTimestamp: Date.UTC(2026, 0, 2, 10),
    },
  ]);
}

interface Opened {
  client: SlipwayClient;
  dir: string;
  close(): Promise<void>;
}

async function openHttp(): Promise<Opened> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-sdk-features-'));
  const plane = await startControlPlane({ listen: true });
  await prepare(plane.platform, dir);
  const client = Slipway.connect(plane.url);
  return {
    client,
    dir,
    close: async () => {
      await plane.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function openLocal(): Promise<Opened> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-sdk-features-'));
  const client = await Slipway.open({ home: join(dir, 'home') });
  await prepare((client as LocalClient).platform, dir);
  return {
    client,
    dir,
    close: async () => {
      await client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const LABELS = [
  { driver_id: 1, event_timestamp: '2026-01-01T12:00:00Z', label: 0 },
  { driver_id: 1, event_timestamp: '2026-01-03T00:00:00Z', label: 1 },
  { driver_id: 2, event_timestamp: '2026-01-03T00:00:00Z', label: 1 },
];

/** What each client returned, compared at the end. */
const seen: Record<string, { digest: string; online: unknown }> = {};

describe.each([
  ['HTTP', openHttp],
  ['local', openLocal],
])('feature store through the %s client', (name, open) => {
  let o: Opened;
  beforeAll(async () => {
    o = await open();
  });
  afterAll(() => o.close());

  it('reads online features for entity rows, request fields going to on-demand views', async () => {
    const res = await o.client.features.getOnlineFeatures({
      features: ['daily:trips', 'rates:trips_per_hour'],
      entityRows: [
        { driver_id: 1, hours: 2 },
        { driver_id: 7, hours: 1 },
      ],
    });
    expect(res.metadata.feature_names).toEqual(['driver_id', 'trips', 'trips_per_hour']);
    expect(res.results[1]).toMatchObject({ values: [5, null], statuses: ['PRESENT', 'NOT_FOUND'] });
    expect(res.results[2].values[0]).toBe(2.5);
    const service = await o.client.features.getOnlineFeatures({
      project: 'rides',
      featureService: 'ranker_v1',
      entities: { driver_id: [1] },
    });
    expect(service.results[1].values).toEqual([5]);
    seen[name] = { ...seen[name], online: { res, service } };
  });

  it('refuses an unknown feature and an unknown project, naming them', async () => {
    const err = await o.client.features
      .getOnlineFeatures({ features: ['daily:nope'], entityRows: [{ driver_id: 1 }] })
      .catch((e: unknown) => e);
    expect(isSlipwayError(err) && err.code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect((err as Error).message).toContain('nope');
    const project = await o.client.features
      .getOnlineFeatures({ project: 'trains', features: ['daily:trips'], entityRows: [{ driver_id: 1 }] })
      .catch((e: unknown) => e);
    expect((project as Error).message).toContain("'trains'");
  });

  it('writes a training set, registers it as a dataset version and returns the same version for the same data', async () => {
    const out = join(o.dir, 'out', 'train.parquet');
    const set = await o.client.features.getHistoricalFeatures({
      featureService: 'ranker_v1',
      entityRows: LABELS,
      out,
    });
    expect(set.path).toBe(out);
    expect(set.digest).toBe(await hashFile(out));
    expect(set.rows).toBe(3);
    expect(set.dataset).toMatchObject({ name: 'ranker_v1', version: 1, digest: set.digest, rows: 3 });
    expect(set.dataset.schema).toMatchObject({ driver_id: 'BIGINT', trips: 'BIGINT' });
    expect(set.dataset.features).toEqual(['daily:trips']);

    const again = await o.client.features.getHistoricalFeatures({
      featureService: 'ranker_v1',
      entityRows: LABELS,
      out,
    });
    expect(again).toMatchObject({ created: false, dataset: { version: 1 } });
    const fewer = await o.client.features.getHistoricalFeatures({
      featureService: 'ranker_v1',
      entityRows: LABELS.slice(0, 2),
      out: join(o.dir, 'out', 'small.parquet'),
    });
    expect(fewer).toMatchObject({ created: true, rows: 2, dataset: { name: 'ranker_v1', version: 2 } });
    seen[name] = { ...seen[name], digest: set.digest };
  });

  it('reads entity rows from a local CSV file, under a named dataset', async () => {
    const csv = join(o.dir, 'labels.csv');
    writeFileSync(csv, 'driver_id,event_timestamp\n1,2026-01-01T12:00:00Z\n1,2026-01-03T00:00:00Z\n');
    const set = await o.client.features.getHistoricalFeatures({
      features: ['daily:trips'],
      entitiesPath: csv,
      out: join(o.dir, 'csv.parquet'),
      dataset: 'csv-labels',
    });
    expect(set).toMatchObject({ rows: 2, dataset: { name: 'csv-labels', version: 1 } });
  });

  it('lists and reads dataset versions, and logs one as a run input', async () => {
    const listed = await o.client.datasets.list();
    expect(listed.map((d) => [d.name, d.version])).toEqual([
      ['csv-labels', 1],
      ['ranker_v1', 2],
    ]);
    expect((await o.client.datasets.versions('ranker_v1')).map((v) => v.rows)).toEqual([3, 2]);
    const v1 = await o.client.datasets.get('ranker_v1', 1);
    expect(v1.digest).toBe(seen[name].digest);
    const missing = await o.client.datasets.get('ranker_v1', 9).catch((e: unknown) => e);
    expect(isSlipwayError(missing) && missing.code).toBe('RESOURCE_DOES_NOT_EXIST');

    const run = await o.client.runs.create({ experimentId: '0' });
    await o.client.runs.logInputs(run.info.runId, [datasetInput(v1)]);
    const inputs = (await o.client.runs.get(run.info.runId)).inputs.datasetInputs;
    expect(inputs).toHaveLength(1);
    expect(inputs[0].dataset).toMatchObject({
      name: 'ranker_v1',
      digest: v1.digest.replace('sha256:', ''),
      sourceType: 'slipway',
    });
    expect(inputs[0].tags).toContainEqual({ key: 'mlflow.data.context', value: 'training' });
  });
});

describe('both ways in', () => {
  it('give the same online values and the same training-set content hash', () => {
    expect(seen.HTTP.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(seen.HTTP.digest).toBe(seen.local.digest);
    expect(seen.HTTP.online).toEqual(seen.local.online);
  });
});
