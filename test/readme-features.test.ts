/**
 * Runs the README's feature-store walkthrough (definitions → training set → online features) and its
 * "Serve a model from entity keys" block as written, one after the other in a temp folder, with only
 * what a test must change: `npx slipway` is this checkout's CLI (bin/slipway.js, which runs dist/:
 * `npm test` builds it first), `../test/fixtures` is this checkout's fixtures, the two servers get
 * free ports instead of 5000 and 8501, and the servers started with `&` are stopped at the end.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanEnv,
  freePort,
  jsonLine,
  pointAtTestServers,
  ROOT,
  readmeBlock,
  requireBuiltCli,
  runScript,
  type ScriptResult,
  substitute,
} from './helpers/readme-script.js';

/** The whole script may not run longer than this (it takes ~15 s on 2 shared cores). */
const SCRIPT_TIMEOUT_MS = 90_000;

/** The two README blocks as one bash script, pointed at this checkout and at the given ports. */
function walkthroughScript(ports: { server: number; serve: number }): string {
  const script = `${readmeBlock('features-walkthrough')}\n${readmeBlock('features-serving')}`;
  // The walkthrough's ../test/fixtures/ is this checkout's.
  return pointAtTestServers(
    substitute(script, /\.\.\/test\/fixtures\//g, `${join(ROOT, 'test', 'fixtures')}/`),
    ports,
  );
}

describe('the README feature-store walkthrough', () => {
  let dir: string;
  let result: ScriptResult;

  beforeAll(async () => {
    requireBuiltCli();
    dir = mkdtempSync(join(tmpdir(), 'slipway-readme-features-'));
    const script = walkthroughScript({ server: await freePort(), serve: await freePort() });
    result = await runScript(script, dir, cleanEnv(dir), SCRIPT_TIMEOUT_MS);
  }, SCRIPT_TIMEOUT_MS + 10_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs to the end as typed', () => {
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stderr).not.toMatch(/error/i);
  });

  it('plans and applies the definitions into the project under ./.slipway', () => {
    expect(result.stdout).toContain('+ feature_view daily (v1)');
    expect(result.stdout).toContain('+ feature_service ranker_v1 (v1)');
    expect(result.stdout).toContain('Plan for project rides: 4 to add, 0 to change, 0 to remove');
    expect(result.stdout).toContain('Applied 4 definition version(s).');
    expect(existsSync(join(dir, 'fs', '.slipway', 'slipway.db'))).toBe(true);
  });

  it('writes the training set and registers it as dataset ranker_v1 v1', () => {
    const wrote = /^Wrote 2 rows × 4 columns to train\.parquet \((sha256:[0-9a-f]{64})\)$/m.exec(
      result.stdout,
    );
    expect(wrote).not.toBeNull();
    expect(result.stdout).toMatch(new RegExp(`^dataset ranker_v1 v1 ${wrote?.[1]}$`, 'm'));
    expect(result.stdout).toMatch(/^ranker_v1\s+1\s+2\s+sha256:[0-9a-f]{64}\s/m); // datasets list
    expect(result.stdout).toMatch(/^Features:\s+daily:trips$/m); // datasets show ranker_v1/1
    expect(existsSync(join(dir, 'fs', 'train.parquet'))).toBe(true);
  });

  it('materializes the window, then incrementally nothing new, and shows the view in stats', () => {
    expect(result.stdout).toMatch(/^daily: 2 rows read, 2 written\b/m);
    expect(result.stdout).toMatch(/^daily: 0 rows read, 0 written\b/m);
    expect(result.stdout).toMatch(/^rides\s+daily\s+1\s+succeeded\s/m);
  });

  it('answers online features for drivers 1, 2 and 3 with their statuses', () => {
    const online = jsonLine<{
      metadata: { feature_names: string[] };
      results: Array<{ values: unknown[]; statuses: string[] }>;
    }>(result.stdout, '{"metadata"');
    expect(online.metadata.feature_names).toEqual(['driver_id', 'trips']);
    expect(online.results[0].values).toEqual([1, 2, 3]);
    expect(online.results[1].values).toEqual([5, 8, null]);
    expect(online.results[1].statuses).toEqual(['PRESENT', 'PRESENT', 'NOT_FOUND']);
    expect(result.stdout).toMatch(/^\{"written":1\}$/m);
  });

  it('serves the model from entity keys: predictions, KServe V2 and a 400 for an unknown driver', () => {
    expect(result.stdout).toMatch(/^\{"predictions":\[\[3\.5\],\[5\]\]\}$/m);
    // Driver 3 has trips = 1 only through the write above: 0.5 · 1 + 1.
    const kserve = jsonLine<{ model_name: string; outputs: Array<{ name: string; data: number[] }> }>(
      result.stdout,
      '{"model_name"',
    );
    expect(kserve.model_name).toBe('ranker');
    expect(kserve.outputs[0]).toMatchObject({ name: 'score', data: [1.5] });
    expect(result.stdout).toMatch(
      /^\{"error":"Missing features of service 'ranker_v1' for driver_id=42: daily:trips NOT_FOUND[^\n]*\} 400$/m,
    );
  });
});
