/**
 * The native feature and dataset routes' refusals: entity files only from the upload folder of the
 * artifact store (no server paths, no traversal), bad bodies and unknown datasets named in the
 * native error shape.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ControlPlane, startControlPlane } from '../../../test/helpers/control-plane.js';
import { loadFeatureRepo } from '../../features/definitions/load.js';

describe('native feature and dataset routes', () => {
  let plane: ControlPlane;
  let dir: string;
  const post = (url: string, payload: object) => plane.app.inject({ method: 'POST', url, payload });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-feature-routes-'));
    writeFileSync(join(dir, 'trips.csv'), 'driver_id,trips,event_timestamp\n1,3,2026-01-01T10:00:00Z\n');
    writeFileSync(
      join(dir, 'features.yaml'),
      [
        'project: rides',
        'entities: [{ name: driver, join_key: driver_id, value_type: int64 }]',
        'sources: [{ name: trips_csv, kind: file, path: ./trips.csv, format: csv, timestamp_field: event_timestamp }]',
        'feature_views: [{ name: daily, entities: [driver], source: trips_csv, ttl: 0, schema: [{ name: trips, type: int64 }] }]',
      ].join('\n'),
    );
    plane = await startControlPlane();
    await plane.platform.features.apply(await loadFeatureRepo(join(dir, 'features.yaml')));
  });
  afterAll(async () => {
    await plane.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['a server path', '/etc/passwd.csv'],
    ['a traversal out of the upload folder', 'datasets/_entities/../../../etc/passwd.csv'],
    ['another artifact folder', '0/run/artifacts/labels.csv'],
    ['a file that is not Parquet or CSV', 'datasets/_entities/labels.txt'],
  ])('refuses entity rows from %s with a 400', async (_what, entitiesArtifact) => {
    const res = await post('/api/v1/features/historical', { features: ['daily:trips'], entitiesArtifact });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('INVALID_PARAMETER_VALUE');
    expect(res.json().error.message).toMatch(/entitiesArtifact|path/);
  });

  it('refuses a body field it does not know (no server-side entities path)', async () => {
    const res = await post('/api/v1/features/historical', {
      features: ['daily:trips'],
      entitiesPath: join(dir, 'trips.csv'),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain('must NOT have additional properties');
  });

  it('names the field when entity rows are missing or malformed', async () => {
    const none = await post('/api/v1/features/historical', { features: ['daily:trips'] });
    expect(none.statusCode).toBe(400);
    expect(none.json().error.details.field).toBe('entityRows');
    const bad = await post('/api/v1/features/online', {
      features: ['daily:trips'],
      entityRows: [{ driver_id: [1] }],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('entityRows');
  });

  it('answers 404 for an unknown dataset or version, 400 for a version that is not a number', async () => {
    expect((await plane.app.inject('/api/v1/datasets/nope')).statusCode).toBe(404);
    await post('/api/v1/features/historical', {
      features: ['daily:trips'],
      entityRows: [{ driver_id: 1, event_timestamp: '2026-01-02T00:00:00Z' }],
    });
    const listed = await plane.app.inject('/api/v1/datasets');
    expect(listed.json().datasets.map((d: { name: string }) => d.name)).toEqual(['training-set']);
    expect((await plane.app.inject('/api/v1/datasets/training-set/versions/1')).json().rows).toBe(1);
    expect((await plane.app.inject('/api/v1/datasets/training-set/versions/2')).statusCode).toBe(404);
    const word = await plane.app.inject('/api/v1/datasets/training-set/versions/latest');
    expect(word.statusCode).toBe(400);
    expect(word.json().error.details.field).toBe('version');
  });
});
