import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteOnlineStore } from '../../../backends/online/sqlite-online-store.js';
import { catalogOf } from '../../../features/online-features.js';
import type { FeatureRepo } from '../../../features/types.js';
import { feastApi } from './index.js';

const HOUR = 3600_000;
const now = Date.now();

const repo: FeatureRepo = {
  project: 'demo',
  entities: [{ name: 'driver', joinKeys: [{ name: 'driver_id', type: 'int64' }] }],
  sources: [
    {
      kind: 'file',
      name: 'driver_file',
      path: 'drivers.parquet',
      format: 'parquet',
      timestampField: 'event_timestamp',
    },
    { kind: 'push', name: 'driver_push', batchSource: 'driver_file' },
  ],
  featureViews: [
    {
      name: 'driver_stats',
      entities: ['driver'],
      schema: [
        { name: 'conv_rate', type: 'float64', constraints: { min: 0, max: 1 } },
        { name: 'trips', type: 'int64' },
        { name: 'tier', type: 'string', constraints: { allowedValues: ['gold', 'silver'] } },
      ],
      source: 'driver_push',
      ttlSeconds: 2 * 3600,
      online: true,
      offline: true,
    },
  ],
  onDemandFeatureViews: [
    {
      name: 'adjusted',
      requestSchema: [{ name: 'boost', type: 'float64' }],
      sources: ['driver_stats:conv_rate'],
      schema: [{ name: 'boosted_rate', type: 'float64' }],
      transform: (row) => ({
        boosted_rate: row.conv_rate === null ? null : (row.conv_rate as number) * (row.boost as number),
      }),
    },
  ],
  featureServices: [{ name: 'ranker_v1', features: ['driver_stats:conv_rate', 'adjusted:boosted_rate'] }],
};

describe('Feast feature server API', () => {
  let app: FastifyInstance;
  const store = new SqliteOnlineStore({ path: ':memory:' });
  const post = (url: string, payload: object) => app.inject({ method: 'POST', url, payload });

  beforeAll(async () => {
    await store.init();
    app = Fastify();
    await app.register(feastApi({ catalog: () => catalogOf(repo), store }));
    const push = await post('/push', {
      push_source_name: 'driver_push',
      df: {
        driver_id: [1001, 1002, 1003],
        conv_rate: [0.5, 0.25, null],
        trips: [10, 3, 7],
        tier: ['gold', 'silver', 'gold'],
        event_timestamp: [now - HOUR, now - 10 * HOUR, now - HOUR],
      },
    });
    expect(push.statusCode).toBe(200);
    expect(push.json()).toEqual({ written: 3, views: ['driver_stats'] });
  });
  afterAll(async () => {
    await app.close();
    await store.close();
  });

  it('answers column-major values, statuses and timestamps, join keys first', async () => {
    const res = await post('/get-online-features', {
      features: ['driver_stats:conv_rate', 'driver_stats:trips'],
      entities: { driver_id: [1001, 1002, 1003, 9999] },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.metadata.feature_names).toEqual(['driver_id', 'conv_rate', 'trips']);
    expect(body.results[0].values).toEqual([1001, 1002, 1003, 9999]);
    expect(body.results[1].values).toEqual([0.5, null, null, null]);
    expect(body.results[1].statuses).toEqual(['PRESENT', 'OUTSIDE_MAX_AGE', 'NULL_VALUE', 'NOT_FOUND']);
    expect(body.results[2].values).toEqual([10, null, 7, null]);
    expect(body.results[1].event_timestamps[0]).toBe(new Date(now - HOUR).toISOString());
  });

  it('serves a feature service with an on-demand transform and full feature names', async () => {
    const res = await post('/get-online-features', {
      feature_service: 'ranker_v1',
      entities: { driver_id: [1001] },
      request_data: { boost: [2] },
      full_feature_names: true,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().metadata.feature_names).toEqual([
      'driver_id',
      'driver_stats__conv_rate',
      'adjusted__boosted_rate',
    ]);
    expect(res.json().results[2].values).toEqual([1]);
  });

  it('never regresses a value to an older push', async () => {
    await post('/push', {
      push_source_name: 'driver_push',
      df: { driver_id: [1001], conv_rate: [0.1], event_timestamp: [now - 5 * HOUR] },
    });
    const res = await post('/get-online-features', {
      features: ['driver_stats:conv_rate'],
      entities: { driver_id: [1001] },
    });
    expect(res.json().results[1].values).toEqual([0.5]);
  });

  it('rejects a push that violates the schema, listing each violation and writing nothing', async () => {
    const res = await post('/push', {
      push_source_name: 'driver_push',
      df: {
        driver_id: [1001, 1002],
        conv_rate: [1.5, 'high'],
        tier: ['bronze', 'gold'],
        event_timestamp: [now, now],
      },
    });
    expect(res.statusCode).toBe(400);
    const detail = res.json().detail as string;
    expect(detail).toContain('conv_rate[0]: 1.5 > max 1');
    expect(detail).toContain('conv_rate[1]: expected float64, got "high"');
    expect(detail).toContain('tier[0]: "bronze" is not one of ["gold","silver"]');
    const after = await post('/get-online-features', {
      features: ['driver_stats:conv_rate'],
      entities: { driver_id: [1001] },
    });
    expect(after.json().results[1].values).toEqual([0.5]);
  });

  it('names unknown features, views, services and join keys, listing the valid ones', async () => {
    const cases: Array<[object, number, string]> = [
      [
        { features: ['driver_stats:speed'], entities: { driver_id: [1] } },
        404,
        'its features are conv_rate, trips, tier',
      ],
      [
        { features: ['drivers:conv_rate'], entities: { driver_id: [1] } },
        404,
        'known views are adjusted, driver_stats',
      ],
      [{ feature_service: 'nope', entities: { driver_id: [1] } }, 404, 'known services are ranker_v1'],
      [{ features: ['driver_stats:trips'], entities: { drver_id: [1] } }, 400, "join key 'driver_id'"],
      [{ features: ['driver_stats:trips'], entities: { driver_id: [1, 2], x: [1] } }, 400, 'entities.x'],
    ];
    for (const [payload, status, text] of cases) {
      const res = await post('/get-online-features', payload);
      expect(res.statusCode).toBe(status);
      expect(res.json().detail).toContain(text);
    }
    const push = await post('/push', { push_source_name: 'driver_file', df: {} });
    expect(push.statusCode).toBe(404);
    expect(push.json().detail).toContain('known push sources are driver_push');
  });

  it('writes rows straight to a view with write-to-online-store', async () => {
    const res = await post('/write-to-online-store', {
      feature_view_name: 'driver_stats',
      df: { driver_id: [2001], trips: [42], event_timestamp: [new Date(now).toISOString()] },
    });
    expect(res.json()).toEqual({ written: 1 });
    const read = await post('/get-online-features', {
      features: ['driver_stats:trips'],
      entities: { driver_id: [2001] },
    });
    expect(read.json().results[1].values).toEqual([42]);
  });
});
