/**
 * Catalogs served from the registry: built from applied definitions (transforms imported from their
 * modules), refreshed after an apply in this process at once and after another process's apply on
 * the next check, on SQLite and PostgreSQL.
 */
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlBackends } from '../../test/helpers/sql-backends.js';
import { SqliteOnlineStore } from '../backends/online/sqlite-online-store.js';
import { openSqlDatabase, type SqlDatabase } from '../backends/sql/connect.js';
import { SqlFeatureRegistryStore } from '../backends/sql/feature-registry-store.js';
import { entity, featureRepo, featureView, fileSource, onDemandFeatureView } from './definitions/define.js';
import { loadFeatureRepo } from './definitions/load.js';
import { registerTransformRef } from './definitions/spec.js';
import { entityKeyOf } from './entity-key.js';
import { FeatureRegistry } from './feature-registry.js';
import { getOnlineFeatures } from './online-features.js';
import { RegistryCatalog, RegistryCatalogs } from './registry-catalog.js';

const RIDES = resolve('test/fixtures/features/definitions/rides.yaml');

function tripsRepo(project: string, features: string[]) {
  const driver = entity({ name: 'driver', joinKey: 'driver_id', valueType: 'int64' });
  const source = fileSource({ name: 'trips_src', path: '/data/trips.parquet', timestampField: 'ts' });
  return featureRepo({
    project,
    entities: [driver],
    sources: [source],
    featureViews: [
      featureView({
        name: 'trips',
        entities: [driver],
        source,
        ttl: 0,
        schema: features.map((name) => ({ name, type: 'int64' as const })),
      }),
    ],
  });
}

async function errorOf(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Error,
  );
}

describe.each(sqlBackends('catalog'))('registry catalog on %s', (_backend, makeDatabase) => {
  let dispose: () => Promise<void>;
  let sql: SqlDatabase;
  let other: SqlDatabase;
  let features: FeatureRegistry;
  const opened: Array<{ close(): unknown }> = [];

  beforeAll(async () => {
    const db = await makeDatabase();
    dispose = db.dispose;
    sql = await openSqlDatabase(db.uri);
    other = await openSqlDatabase(db.uri);
    features = new FeatureRegistry(new SqlFeatureRegistryStore(sql));
  });
  afterAll(async () => {
    for (const c of opened) await c.close();
    await sql.close();
    await other.close();
    await dispose();
  });

  it('serves applied definitions, running on-demand transforms imported from their module', async () => {
    await features.apply(await loadFeatureRepo(RIDES));
    const catalog = await RegistryCatalog.open(features, 'rides', { pollIntervalMs: 0 });
    opened.push(catalog);
    expect([...catalog.catalog().views.keys()].sort()).toEqual(['customer_profile', 'driver_stats', 'trips']);
    const store = new SqliteOnlineStore({ path: ':memory:' });
    await store.init();
    opened.push(store);
    await store.write('driver_stats', [
      {
        entityKey: entityKeyOf(['driver_id'], { driver_id: 1001 }),
        values: { conv_rate: 0.5 },
        eventTimestamp: Date.now(),
      },
    ]);
    const res = await getOnlineFeatures(catalog.catalog(), store, {
      features: ['conv_adjusted:conv_rate_adjusted'],
      entities: { driver_id: [1001] },
      requestData: { surge: [1.5] },
    });
    expect(res.results.at(-1)?.values).toEqual([0.75]);
  });

  it('shows an apply made in this process at once, and another process’s apply on the next check', async () => {
    await features.apply(tripsRepo('live', ['count']));
    const catalog = await RegistryCatalog.open(features, 'live', { pollIntervalMs: 0 });
    opened.push(catalog);
    expect(
      catalog
        .catalog()
        .views.get('trips')
        ?.schema.map((f) => f.name),
    ).toEqual(['count']);

    await features.apply(tripsRepo('live', ['count', 'fare']));
    expect(
      catalog
        .catalog()
        .views.get('trips')
        ?.schema.map((f) => f.name),
    ).toEqual(['count', 'fare']);

    // Another connection stands for another process: no in-process notification reaches us.
    const elsewhere = new FeatureRegistry(new SqlFeatureRegistryStore(other));
    await elsewhere.apply(tripsRepo('live', ['count', 'fare', 'tips']));
    expect(catalog.catalog().views.get('trips')?.schema).toHaveLength(2);
    expect(await catalog.refresh()).toBe(true);
    expect(
      catalog
        .catalog()
        .views.get('trips')
        ?.schema.map((f) => f.name),
    ).toEqual(['count', 'fare', 'tips']);
    expect(await catalog.refresh()).toBe(false);
  });

  it('names the view and the module when a transform module is missing', async () => {
    const repo = tripsRepo('broken', ['count']);
    const view = onDemandFeatureView({
      name: 'doubled',
      sources: ['trips:count'],
      schema: [{ name: 'count2', type: 'int64' }],
      transform: (row) => ({ count2: Number(row.count) * 2 }),
    });
    const module = join(tmpdir(), 'slipway-no-such-dir', 'transforms.ts');
    registerTransformRef(view, { module, export: 'double' });
    repo.onDemandFeatureViews.push(view);
    await features.apply(repo);
    const err = await errorOf(RegistryCatalog.open(features, 'broken', { pollIntervalMs: 0 }));
    expect(err.message).toContain("on-demand feature view 'doubled'");
    expect(err.message).toContain(module);
  });

  it('picks the only project by default and lists the projects when there are several', async () => {
    const catalogs = new RegistryCatalogs(features, { pollIntervalMs: 0 });
    opened.push(catalogs);
    const err = await errorOf(catalogs.get());
    expect(err.code).toBe('INVALID_PARAMETER_VALUE');
    expect(err.message).toContain('broken, live, rides');
    expect((await catalogs.get('live')).project).toBe('live');
    const missing = await errorOf(catalogs.get('nope'));
    expect(missing.code).toBe('RESOURCE_DOES_NOT_EXIST');
  });
});
