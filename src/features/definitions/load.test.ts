import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeatureRepo } from '../types.js';
import { parseDuration } from './duration.js';
import { loadFeatureRepo } from './load.js';
import { definitionsOf } from './spec.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/features/definitions/', import.meta.url));

/** The repo with each transform replaced by "some function", for comparing two loads. */
const withoutCode = (repo: FeatureRepo) => ({
  ...repo,
  onDemandFeatureViews: repo.onDemandFeatureViews.map((v) => ({ ...v, transform: expect.any(Function) })),
});

describe('loadFeatureRepo', () => {
  let dir: string;
  const write = async (name: string, text: string) => {
    await writeFile(join(dir, name), text);
    return join(dir, name);
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-defs-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the YAML repo and the TypeScript repo to equal definitions apart from the transform', async () => {
    const fromYaml = await loadFeatureRepo(join(FIXTURES, 'rides.yaml'));
    const fromTs = await loadFeatureRepo(join(FIXTURES, 'rides.ts'));
    expect(fromYaml).toEqual(withoutCode(fromTs));
    expect(fromTs).toEqual(withoutCode(fromYaml));
    expect(fromYaml.featureViews.map((v) => [v.name, v.ttlSeconds, v.online])).toEqual([
      ['driver_stats', 86_400, true],
      ['trips', 3_600, false],
      ['customer_profile', 0, true],
    ]);
  });

  it('resolves relative file-source paths against the folder of the definitions file', async () => {
    const repo = await loadFeatureRepo(join(FIXTURES, 'rides.yaml'));
    const paths = Object.fromEntries(repo.sources.map((s) => [s.name, s.kind === 'file' ? s.path : s.kind]));
    expect(paths).toEqual({
      driver_hourly: join(FIXTURES, 'data/driver_hourly.parquet'),
      trips_table: 'postgres',
      driver_push: 'push',
      customer_csv: join(FIXTURES, 'data/customers'),
    });
  });

  it('leaves absolute paths and URIs as written', async () => {
    const file = await write(
      'uris.yaml',
      `project: p
sources:
  - { name: a, kind: file, path: /data/a.csv, timestamp_field: ts }
  - { name: b, kind: file, path: 's3://bucket/b/*.parquet', timestamp_field: ts }
`,
    );
    const repo = await loadFeatureRepo(file);
    expect(repo.sources).toEqual([
      { kind: 'file', name: 'a', path: '/data/a.csv', format: 'csv', timestampField: 'ts' },
      { kind: 'file', name: 'b', path: 's3://bucket/b/*.parquet', format: 'parquet', timestampField: 'ts' },
    ]);
  });

  it('imports the transform a YAML on-demand view names and records where it came from', async () => {
    const repo = await loadFeatureRepo(join(FIXTURES, 'rides.yaml'));
    const view = repo.onDemandFeatureViews[0];
    expect(view.transform({ driver_stats__conv_rate: 0.5, surge: 1.5 })).toEqual({
      conv_rate_adjusted: 0.75,
    });
    const spec = definitionsOf(repo).find((d) => d.kind === 'on_demand_feature_view')?.spec;
    expect(spec).toMatchObject({
      transform: { module: join(FIXTURES, 'transforms.ts'), export: 'adjustConvRate' },
    });
  });

  it('records a TypeScript definitions file as the module of its transforms', async () => {
    const repo = await loadFeatureRepo(join(FIXTURES, 'rides.ts'));
    const spec = definitionsOf(repo).find((d) => d.kind === 'on_demand_feature_view')?.spec;
    expect(spec).toMatchObject({ transform: { module: join(FIXTURES, 'rides.ts') } });
  });

  it('rejects an unknown YAML field, naming the object and the field', async () => {
    const file = await write(
      'typo.yaml',
      `project: p
sources:
  - { name: trips, kind: file, path: t.parquet, timestmap_field: ts }
`,
    );
    await expect(loadFeatureRepo(file)).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringMatching(/source 'trips' has unknown field 'timestmap_field'/),
    });
  });

  it('reports a YAML syntax error with its line', async () => {
    const file = await write('broken.yaml', 'project: p\nentities: [\n  - oops: {\n');
    await expect(loadFeatureRepo(file)).rejects.toThrow(/not valid YAML at line \d/);
  });

  it('rejects a TTL that is not a duration', async () => {
    const file = await write(
      'ttl.yaml',
      `project: p
sources: [{ name: s, kind: push }]
feature_views:
  - { name: v, source: s, ttl: 1 day, schema: [{ name: f, type: int64 }] }
`,
    );
    await expect(loadFeatureRepo(file)).rejects.toThrow(
      /Feature view 'v' field 'ttl' must be .* got "1 day"/,
    );
  });

  it('validates what it loads', async () => {
    const file = await write(
      'refs.yaml',
      `project: p
entities: [{ name: driver, join_key: driver_id, value_type: int64 }]
sources: [{ name: s, kind: push }]
feature_views:
  - { name: v, entities: [drivr], source: s, schema: [{ name: f, type: int64 }] }
`,
    );
    await expect(loadFeatureRepo(file)).rejects.toThrow(
      "Feature view 'v' names unknown entity 'drivr': known entities are driver",
    );
  });

  it('fails with RESOURCE_DOES_NOT_EXIST for a missing file and names the accepted extensions', async () => {
    await expect(loadFeatureRepo(join(dir, 'missing.yaml'))).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
    });
    await expect(loadFeatureRepo(join(dir, 'repo.json'))).rejects.toThrow(/must end in \.yaml, \.yml, \.ts/);
  });

  it('rejects a module whose default export is not a feature repo', async () => {
    const file = await write('empty.mjs', 'export const x = 1;\n');
    await expect(loadFeatureRepo(file)).rejects.toThrow(/must default-export a feature repo/);
  });
});

describe('parseDuration', () => {
  it('reads seconds, unit strings and combinations of units', () => {
    const where = "Feature view 'v' field 'ttl'";
    expect(parseDuration(0, where)).toBe(0);
    expect(parseDuration(90, where)).toBe(90);
    expect(parseDuration('3600s', where)).toBe(3_600);
    expect(parseDuration('1d', where)).toBe(86_400);
    expect(parseDuration('1d12h', where)).toBe(129_600);
    expect(parseDuration('2w', where)).toBe(1_209_600);
  });

  it('rejects negative, fractional and unknown-unit values', () => {
    for (const bad of [-1, 1.5, '5y', '', 'soon'])
      expect(() => parseDuration(bad, "Feature view 'v' field 'ttl'")).toThrow(
        /Feature view 'v' field 'ttl'/,
      );
  });
});
