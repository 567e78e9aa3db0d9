import { describe, expect, it } from 'vitest';
import type { FeatureRepo } from '../types.js';
import { resolveHistoricalFeatures, resolveHistoricalViews } from './feature-refs.js';

const repo: FeatureRepo = {
  project: 'rides',
  entities: [
    { name: 'driver', joinKeys: [{ name: 'driver_id', type: 'int64' }] },
    { name: 'city', joinKeys: [{ name: 'city_id', type: 'string' }] },
  ],
  sources: [
    { kind: 'file', name: 'hourly_src', path: 'hourly.parquet', format: 'parquet', timestampField: 'ts' },
    { kind: 'file', name: 'pushed_history', path: 'pushed/', format: 'parquet', timestampField: 'ts' },
    { kind: 'push', name: 'pushed', batchSource: 'pushed_history' },
    { kind: 'postgres', name: 'pg', table: 'trips', timestampField: 'ts' },
  ],
  featureViews: [
    {
      name: 'driver_hourly',
      entities: ['driver'],
      schema: [
        { name: 'conv_rate', type: 'float64' },
        { name: 'trips', type: 'int64' },
      ],
      source: 'hourly_src',
      ttlSeconds: 3600,
      online: true,
      offline: true,
    },
    {
      name: 'driver_city',
      entities: ['driver', 'city'],
      schema: [{ name: 'rides', type: 'int64' }],
      source: 'pushed',
      ttlSeconds: 0,
      online: true,
      offline: true,
    },
    {
      name: 'pg_view',
      entities: ['driver'],
      schema: [{ name: 'x', type: 'int64' }],
      source: 'pg',
      ttlSeconds: 0,
      online: true,
      offline: true,
    },
  ],
  onDemandFeatureViews: [
    {
      name: 'trip_ratio',
      requestSchema: [{ name: 'distance', type: 'float64' }],
      sources: ['pg_view:x'],
      schema: [{ name: 'per_km', type: 'float64' }],
      transform: (row) => ({ per_km: Number(row['x']) / Number(row['distance']) }),
    },
  ],
  featureServices: [{ name: 'model_v1', features: ['driver_city:rides', 'driver_hourly:*'] }],
};

describe('resolveHistoricalViews', () => {
  it('groups references by view in first-mention order, expanding view:* and dropping repeats', () => {
    const views = resolveHistoricalViews(repo, [
      'driver_hourly:trips',
      'driver_city:rides',
      'driver_hourly:*',
    ]);
    expect(views.map((v) => [v.view.name, v.source.name, v.joinKeys, v.features])).toEqual([
      ['driver_hourly', 'hourly_src', ['driver_id'], ['trips', 'conv_rate']],
      ['driver_city', 'pushed_history', ['driver_id', 'city_id'], ['rides']],
    ]);
  });

  it('reads a feature service', () => {
    expect(resolveHistoricalViews(repo, repo.featureServices[0]).map((v) => v.view.name)).toEqual([
      'driver_city',
      'driver_hourly',
    ]);
  });

  it('says what is wrong with a reference', () => {
    expect(() => resolveHistoricalViews(repo, ['driver_hourly'])).toThrow(/'view:feature' or 'view:\*'/);
    expect(() => resolveHistoricalViews(repo, ['nope:x'])).toThrow(/feature view 'nope' does not exist/);
    expect(() => resolveHistoricalViews(repo, ['driver_hourly:speed'])).toThrow(/has no feature 'speed'/);
    expect(() => resolveHistoricalViews(repo, ['trip_ratio:per_km'])).toThrow(/resolveHistoricalFeatures/);
  });

  it('plans a PostgreSQL source like a file source', () => {
    const [plan] = resolveHistoricalViews(repo, ['pg_view:x']);
    expect(plan.source).toMatchObject({ kind: 'postgres', table: 'trips' });
  });
});

describe('resolveHistoricalFeatures', () => {
  it('plans on-demand views and joins the stored views they read without asking for their features', () => {
    const { views, onDemand } = resolveHistoricalFeatures(repo, ['driver_hourly:trips', 'trip_ratio:*']);
    expect(views.map((v) => [v.view.name, v.features])).toEqual([
      ['driver_hourly', ['trips']],
      ['pg_view', []],
    ]);
    expect(onDemand.map((o) => [o.view.name, o.features])).toEqual([['trip_ratio', ['per_km']]]);
  });
});
