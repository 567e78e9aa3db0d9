/**
 * `slipway features historical --project P` (in-process `main`): the training set is built from the
 * definitions applied to the registry, not from a file; exactly one of --definitions and --project;
 * an unknown project or service is refused naming what exists.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

/** Runs the CLI in this process; resolves to its output and exit code (undefined: success). */
const slipway = (...args: string[]) => runCli(args);

/** A `rides` project whose one service is `service` (over daily:trips). */
function definitions(service: string): string {
  return [
    'project: rides',
    'entities: [{ name: driver, join_key: driver_id, value_type: int64 }]',
    'sources: [{ name: trips_csv, kind: file, path: ./trips.csv, format: csv, timestamp_field: event_timestamp }]',
    'feature_views: [{ name: daily, entities: [driver], source: trips_csv, ttl: 0, schema: [{ name: trips, type: int64 }] }]',
    `feature_services: [{ name: ${service}, features: ['daily:trips'] }]`,
  ].join('\n');
}

describe('slipway features historical --project', () => {
  let dir: string;
  let home: string;
  let defs: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-historical-project-'));
    home = join(dir, 'home');
    writeFileSync(
      join(dir, 'trips.csv'),
      'driver_id,trips,event_timestamp\n1,3,2026-01-01T10:00:00Z\n1,5,2026-01-02T10:00:00Z\n2,8,2026-01-01T12:00:00Z\n',
    );
    writeFileSync(
      join(dir, 'labels.csv'),
      'driver_id,event_timestamp,label\n1,2026-01-01T12:00:00Z,0\n1,2026-01-03T00:00:00Z,1\n3,2026-01-03T00:00:00Z,1\n',
    );
    defs = join(dir, 'features.yaml');
    writeFileSync(defs, definitions('ranker_v1'));
    expect(
      (await slipway('features', 'apply', '--definitions', defs, '--home', home)).exitCode,
    ).toBeUndefined();
    // The file moves on without being applied: --project must still see ranker_v1, the file must not.
    writeFileSync(defs, definitions('ranker_v2'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const historical = (...extra: string[]) =>
    slipway(
      'features',
      'historical',
      '--entities',
      join(dir, 'labels.csv'),
      '--out',
      join(dir, 'train.parquet'),
      '--home',
      home,
      ...extra,
    );

  it('builds the training set from the definitions applied to the registry', async () => {
    const res = await historical('--project', 'rides', '--service', 'ranker_v1');
    expect(res.err).toBe('');
    expect(res.exitCode).toBeUndefined();
    expect(res.out).toMatch(/^Wrote 3 rows × 4 columns to .*train\.parquet \(sha256:[0-9a-f]{64}\)$/m);
    expect(res.out).toMatch(/^dataset ranker_v1 v1 sha256:[0-9a-f]{64}$/m);
    const version = JSON.parse(
      (await slipway('datasets', 'show', 'ranker_v1/1', '--home', home, '--json')).out,
    );
    expect(version).toMatchObject({ project: 'rides', featureService: 'ranker_v1', rows: 3 });
  });

  it('gives the same data as --definitions of the same features (same dataset version)', async () => {
    const fromFile = await historical(
      '--definitions',
      defs,
      '--features',
      'daily:trips',
      '--dataset',
      'same',
    );
    const fromRegistry = await historical(
      '--project',
      'rides',
      '--features',
      'daily:trips',
      '--dataset',
      'same',
    );
    expect(fromFile.out).toMatch(/^dataset same v1 sha256:/m);
    const digest = /^dataset same v1 (sha256:[0-9a-f]{64})$/m.exec(fromFile.out)?.[1];
    expect(fromRegistry.out).toContain(`dataset same v1 ${digest} (unchanged`);
  });

  it('refuses an unknown project, listing the known ones', async () => {
    const res = await historical('--project', 'nope', '--service', 'ranker_v1');
    expect(res.exitCode).toBe(1);
    expect(res.err).toContain("Feature project 'nope' has no applied definitions; known projects: rides");
  });

  it("refuses a service the project does not have, listing the project's services", async () => {
    const res = await historical('--project', 'rides', '--service', 'ranker_v2');
    expect(res.exitCode).toBe(1);
    expect(res.err).toContain("Invalid value for '--service': expected one of ranker_v1, got 'ranker_v2'");
  });

  it('takes exactly one of --definitions and --project', async () => {
    const both = await historical('--definitions', defs, '--project', 'rides', '--service', 'ranker_v1');
    expect(both.exitCode).toBe(1);
    expect(both.err).toContain('expected exactly one of --definitions FILE or --project NAME');
    expect(both.err).toContain("got '--definitions ");
    const neither = await historical('--service', 'ranker_v1');
    expect(neither.exitCode).toBe(1);
    expect(neither.err).toContain('expected exactly one of --definitions FILE or --project NAME');
    expect(neither.err).toContain('got nothing');
  });
});
