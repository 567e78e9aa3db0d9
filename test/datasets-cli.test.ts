/**
 * Training sets as dataset versions from the command line (in-process `main`): `features
 * historical` registers what it writes and prints the version, `datasets list|show` read it back;
 * and `slipway server --feature-project` serves the registry's definitions, following an apply
 * made by another process without a restart.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../src/cli/server-command.js';
import { resolveConfig } from '../src/core/config.js';
import { runCli } from './helpers/run-cli.js';

/** Runs the CLI in this process; resolves to its output and exit code (undefined: success). */
const slipway = (...args: string[]) => runCli(args);

function definitions(features: string[]): string {
  return [
    'project: rides',
    'entities: [{ name: driver, join_key: driver_id, value_type: int64 }]',
    'sources: [{ name: trips_csv, kind: file, path: ./trips.csv, format: csv, timestamp_field: event_timestamp }]',
    `feature_views: [{ name: daily, entities: [driver], source: trips_csv, ttl: 0, schema: [${features
      .map((f) => `{ name: ${f}, type: int64 }`)
      .join(', ')}] }]`,
    "feature_services: [{ name: ranker_v1, features: ['daily:trips'] }]",
  ].join('\n');
}

describe('training sets as dataset versions from the CLI', () => {
  let dir: string;
  let home: string;
  let defs: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-datasets-cli-'));
    home = join(dir, 'home');
    writeFileSync(
      join(dir, 'trips.csv'),
      'driver_id,trips,fare,event_timestamp\n1,3,10,2026-01-01T10:00:00Z\n1,5,12,2026-01-02T10:00:00Z\n2,8,9,2026-01-01T12:00:00Z\n',
    );
    writeFileSync(
      join(dir, 'labels.csv'),
      'driver_id,event_timestamp,label\n1,2026-01-01T12:00:00Z,0\n1,2026-01-03T00:00:00Z,1\n2,2026-01-03T00:00:00Z,1\n',
    );
    defs = join(dir, 'features.yaml');
    writeFileSync(defs, definitions(['trips']));
    expect(
      (await slipway('features', 'apply', '--definitions', defs, '--home', home)).exitCode,
    ).toBeUndefined();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const historical = (...extra: string[]) =>
    slipway(
      'features',
      'historical',
      '--definitions',
      defs,
      '--entities',
      join(dir, 'labels.csv'),
      '--out',
      join(dir, 'train.parquet'),
      '--home',
      home,
      ...extra,
    );

  it('registers the training set and prints its dataset version; the same data keeps the version', async () => {
    const first = await historical('--service', 'ranker_v1');
    expect(first.err).toBe('');
    expect(first.out).toMatch(/^Wrote 3 rows × 4 columns to .*train\.parquet \(sha256:[0-9a-f]{64}\)\n/m);
    const line = /^dataset ranker_v1 v1 (sha256:[0-9a-f]{64})$/m.exec(first.out);
    expect(line).not.toBeNull();
    const again = await historical('--service', 'ranker_v1');
    expect(again.out).toContain(`dataset ranker_v1 v1 ${line?.[1]} (unchanged`);
    const list = await historical('--features', 'daily:trips', '--dataset', 'labels-2026');
    expect(list.out).toMatch(/^dataset labels-2026 v1 sha256:/m);
    const unnamed = await historical('--features', 'daily:trips');
    expect(unnamed.out).toMatch(/^dataset training-set v1 sha256:/m);
  });

  it('lists datasets and shows a dataset and one version', async () => {
    const list = await slipway('datasets', 'list', '--home', home);
    expect(list.out.split('\n')[0]).toMatch(/^NAME\s+LATEST\s+ROWS\s+DIGEST/);
    expect(list.out).toMatch(/ranker_v1\s+1\s+3\s+sha256:/);
    const json = JSON.parse((await slipway('datasets', 'list', '--home', home, '--json')).out);
    expect(json.map((d: { name: string }) => d.name)).toEqual(['labels-2026', 'ranker_v1', 'training-set']);

    const version = JSON.parse(
      (await slipway('datasets', 'show', 'ranker_v1/1', '--home', home, '--json')).out,
    );
    expect(version).toMatchObject({ name: 'ranker_v1', version: 1, rows: 3, featureService: 'ranker_v1' });
    const text = (await slipway('datasets', 'show', 'ranker_v1/1', '--home', home)).out;
    expect(text).toContain(version.digest);
    expect(text).toMatch(/trips\s+BIGINT/);
    expect((await slipway('datasets', 'show', 'ranker_v1', '--home', home)).out).toMatch(/Versions\nVERSION/);

    const missing = await slipway('datasets', 'show', 'ranker_v1/7', '--home', home);
    expect(missing.exitCode).toBe(1);
    expect(missing.err).toContain("Dataset 'ranker_v1/7' does not exist");
  });

  it('serves the registry’s definitions with server --feature-project and follows a later apply', async () => {
    // A separate server process: the apply below reaches it only through its registry check.
    const server = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('./src/cli/index.ts').then((m) => m.main(['node', 'slipway', 'server', '--port', '0', '--home', ${JSON.stringify(home)}, '--feature-project', 'rides']))`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SLIPWAY_LOG_LEVEL: 'warn' } },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let seen = '';
        server.stdout.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          const m = /Slipway listening on (http:\/\/\S+)/.exec(seen);
          if (m) resolve(m[1]);
        });
        server.on('exit', (code) => reject(new Error(`server exited with ${code}: ${seen}`)));
      });
      const post = async (path: string, body: object) => {
        const res = await fetch(`${url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      };
      const write = {
        feature_view_name: 'daily',
        df: { driver_id: [1], trips: [5], fare: [12], event_timestamp: ['2026-01-02T10:00:00Z'] },
      };
      const read = { features: ['daily:trips', 'daily:fare'], entities: { driver_id: [1] } };
      // Before the apply, 'fare' is not a feature of the view.
      expect((await post('/get-online-features', read)).status).toBe(404);

      writeFileSync(defs, definitions(['trips', 'fare']));
      expect(
        (await slipway('features', 'apply', '--definitions', defs, '--home', home)).exitCode,
      ).toBeUndefined();
      let res = await post('/get-online-features', read);
      // The server checks the registry every 2 s: wait for it (no timing asserted, only the outcome).
      for (let i = 0; i < 100 && res.status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 200));
        res = await post('/get-online-features', read);
      }
      expect(res.status).toBe(200);
      expect((await post('/write-to-online-store', write)).status).toBe(200);
      res = await post('/get-online-features', read);
      const results = res.body.results as Array<{ values: unknown[] }>;
      expect(res.body.metadata).toEqual({ feature_names: ['driver_id', 'trips', 'fare'] });
      expect(results.map((r) => r.values[0])).toEqual([1, 5, 12]);

      // The native API reads the same definitions and the same store.
      const native = await post('/api/v1/features/online', {
        features: ['daily:fare'],
        entityRows: [{ driver_id: 1 }],
      });
      expect((native.body.results as Array<{ values: unknown[] }>)[1].values).toEqual([12]);
    } finally {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
  });

  it('refuses --features FILE together with --feature-project', async () => {
    await expect(
      startServer(resolveConfig({ home, port: 0 }), { features: defs, featureProject: 'rides' }),
    ).rejects.toThrow(/either --features FILE or --feature-project NAME/);
  });
});
