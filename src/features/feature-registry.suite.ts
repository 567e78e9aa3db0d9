/**
 * The feature-registry behaviour every metadata backend must show, exercised through
 * `FeatureRegistry`. Backend test files run it with stores over their engine:
 * `describeFeatureRegistry('SQLite', makeStores)`. Each test uses its own project.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../core/clock.js';
import {
  entity,
  featureRepo,
  featureService,
  featureView,
  fileSource,
  onDemandFeatureView,
} from './definitions/define.js';
import { FeatureRegistry, type FeatureRegistryStore } from './feature-registry.js';
import type { Feature, FeatureRepo } from './types.js';

/**
 * A store over one backend. `connect` opens another connection to the same database, where two
 * connections can work concurrently within one process (not SQLite: better-sqlite3 waits for a
 * lock synchronously, blocking the event loop the holder needs to finish).
 */
export interface FeatureRegistryFixture {
  store: FeatureRegistryStore;
  connect?(): Promise<FeatureRegistryStore>;
  cleanup(): Promise<void>;
}

export type MakeFeatureRegistry = () => Promise<FeatureRegistryFixture>;

const project = () => `p_${randomBytes(4).toString('hex')}`;

const TRIPS_SCHEMA: Feature[] = [
  { name: 'avg_fare', type: 'float32' },
  { name: 'trip_count', type: 'int64', constraints: { min: 0 } },
];

/** A small repo; `trips` options vary the trips view (what most tests change) and drop the service. */
function repoOf(
  name: string,
  trips: { schema?: Feature[]; ttl?: string; withService?: boolean } = {},
): FeatureRepo {
  const driver = entity({ name: 'driver', joinKey: 'driver_id', valueType: 'int64' });
  const source = fileSource({ name: 'trips_source', path: '/data/trips.parquet', timestampField: 'ts' });
  const view = featureView({
    name: 'trips',
    entities: [driver],
    source,
    ttl: trips.ttl ?? '1d',
    schema: trips.schema ?? TRIPS_SCHEMA,
  });
  const fare = onDemandFeatureView({
    name: 'fare_per_trip',
    sources: ['trips:avg_fare'],
    requestSchema: [{ name: 'discount', type: 'float64' }],
    schema: [{ name: 'discounted_fare', type: 'float64' }],
    transform: (row) => ({ discounted_fare: Number(row.trips__avg_fare) - Number(row.discount) }),
  });
  return featureRepo({
    project: name,
    entities: [driver],
    sources: [source],
    featureViews: [view],
    onDemandFeatureViews: [fare],
    featureServices:
      trips.withService === false ? [] : [featureService({ name: 'pricing', features: ['trips:avg_fare'] })],
  });
}

export function describeFeatureRegistry(name: string, make: MakeFeatureRegistry): void {
  describe(`feature registry on ${name}`, () => {
    let fx: FeatureRegistryFixture;
    let now = 1_700_000_000_000;
    const clock: Clock = { now: () => now++ };
    const registry = () => new FeatureRegistry(fx.store, clock);

    beforeAll(async () => {
      fx = await make();
    });
    afterAll(async () => {
      await fx?.cleanup();
    });

    it('stores version 1 of every object on the first apply', async () => {
      const p = project();
      const { plan, applied } = await registry().apply(repoOf(p));
      expect(plan.counts).toEqual({ added: 5, changed: 0, unchanged: 0, removed: 0 });
      expect(applied.map((a) => `${a.kind}:${a.name}:v${a.version}:${a.action}`)).toEqual([
        'entity:driver:v1:added',
        'data_source:trips_source:v1:added',
        'feature_view:trips:v1:added',
        'on_demand_feature_view:fare_per_trip:v1:added',
        'feature_service:pricing:v1:added',
      ]);
      const current = await registry().list(p);
      expect(current.map((d) => [d.kind, d.name, d.version, d.deleted])).toEqual([
        ['data_source', 'trips_source', 1, false],
        ['entity', 'driver', 1, false],
        ['feature_service', 'pricing', 1, false],
        ['feature_view', 'trips', 1, false],
        ['on_demand_feature_view', 'fare_per_trip', 1, false],
      ]);
      const view = await registry().get(p, 'feature_view', 'trips');
      expect(view?.spec).toMatchObject({ name: 'trips', ttlSeconds: 86_400, schema: TRIPS_SCHEMA });
      expect(view?.createdAt).toBeGreaterThanOrEqual(1_700_000_000_000);
    });

    it('stores an on-demand view as its declared inputs and outputs, without code', async () => {
      const p = project();
      await registry().apply(repoOf(p));
      const stored = await registry().get(p, 'on_demand_feature_view', 'fare_per_trip');
      expect(stored?.spec).toEqual({
        name: 'fare_per_trip',
        requestSchema: [{ name: 'discount', type: 'float64' }],
        sources: ['trips:avg_fare'],
        schema: [{ name: 'discounted_fare', type: 'float64' }],
        transform: {},
      });
    });

    it('changes nothing when the same repo is applied again', async () => {
      const p = project();
      await registry().apply(repoOf(p));
      const again = await registry().apply(repoOf(p));
      expect(again.applied).toEqual([]);
      expect(again.plan.counts).toEqual({ added: 0, changed: 0, unchanged: 5, removed: 0 });
      expect(await registry().history(p, 'feature_view', 'trips')).toHaveLength(1);
    });

    it('stores a changed view as version 2 and keeps version 1 in its history', async () => {
      const p = project();
      await registry().apply(repoOf(p));
      const { plan, applied } = await registry().apply(repoOf(p, { ttl: '2d' }));
      expect(applied).toEqual([{ kind: 'feature_view', name: 'trips', version: 2, action: 'changed' }]);
      expect(plan.changes.find((c) => c.name === 'trips')?.diff).toEqual([
        { summary: 'ttlSeconds 86400 → 172800', breaking: false },
      ]);
      const history = await registry().history(p, 'feature_view', 'trips');
      expect(history.map((d) => [d.version, d.spec.ttlSeconds, d.changes])).toEqual([
        [1, 86_400, []],
        [2, 172_800, ['ttlSeconds 86400 → 172800']],
      ]);
      expect((await registry().get(p, 'feature_view', 'trips'))?.version).toBe(2);
      expect((await registry().get(p, 'feature_view', 'trips', 1))?.spec.ttlSeconds).toBe(86_400);
      expect(await registry().get(p, 'feature_view', 'trips', 3)).toBeUndefined();
    });

    it('reports removed objects and hides them from the current definitions', async () => {
      const p = project();
      await registry().apply(repoOf(p));
      const { plan, applied } = await registry().apply(repoOf(p, { withService: false }));
      expect(applied).toEqual([{ kind: 'feature_service', name: 'pricing', version: 1, action: 'removed' }]);
      expect(plan.changes.find((c) => c.name === 'pricing')).toMatchObject({
        action: 'removed',
        breaking: true,
      });
      expect((await registry().list(p)).map((d) => d.name)).not.toContain('pricing');
      expect(await registry().get(p, 'feature_service', 'pricing')).toBeUndefined();
      const history = await registry().history(p, 'feature_service', 'pricing');
      expect(history).toMatchObject([{ version: 1, deleted: true }]);
      expect(history[0].deletedAt).toBeGreaterThan(history[0].createdAt);

      const back = await registry().apply(repoOf(p));
      expect(back.applied).toEqual([
        { kind: 'feature_service', name: 'pricing', version: 2, action: 'added' },
      ]);
      expect((await registry().get(p, 'feature_service', 'pricing'))?.version).toBe(2);
    });

    it('flags a changed feature type and a removed feature as breaking, and records it', async () => {
      const p = project();
      await registry().apply(repoOf(p));
      const schema: Feature[] = [{ name: 'avg_fare', type: 'float64' }];
      const { plan } = await registry().apply(repoOf(p, { schema }));
      const trips = plan.changes.find((c) => c.name === 'trips');
      expect(plan.breaking).toBe(true);
      expect(trips?.reasons).toEqual(['schema.avg_fare type float32 → float64', 'schema.trip_count removed']);
      expect((await registry().get(p, 'feature_view', 'trips'))?.breaking).toBe(true);
    });

    it('keeps projects apart', async () => {
      const [a, b] = [project(), project()];
      await registry().apply(repoOf(a));
      expect(await registry().list(b)).toEqual([]);
      expect((await registry().apply(repoOf(b))).plan.counts.added).toBe(5);
    });

    it('never stores a version twice when the same change is applied concurrently', async () => {
      const p = project();
      await registry().apply(repoOf(p));
      const results = await Promise.all(
        Array.from({ length: 4 }, () => registry().apply(repoOf(p, { ttl: '3d' }))),
      );
      expect(results.filter((r) => r.applied.length > 0)).toHaveLength(1);
      expect((await registry().history(p, 'feature_view', 'trips')).map((d) => d.version)).toEqual([1, 2]);
    });

    it('gives concurrent different changes consecutive versions', async () => {
      const p = project();
      await registry().apply(repoOf(p));
      const other = fx.connect ? new FeatureRegistry(await fx.connect(), clock) : registry();
      const ttls = ['2d', '3d', '4d', '5d', '6d', '7d'];
      await Promise.all(ttls.map((ttl, i) => (i % 2 ? other : registry()).apply(repoOf(p, { ttl }))));
      const history = await registry().history(p, 'feature_view', 'trips');
      expect(history.map((d) => d.version)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(new Set(history.slice(1).map((d) => d.spec.ttlSeconds)).size).toBe(6);
    });
  });
}
