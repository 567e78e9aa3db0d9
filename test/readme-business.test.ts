/**
 * Runs the README's business-metrics block as written, with only what a test must change:
 * `npx slipway` is this checkout's CLI (bin/slipway.js, which runs dist/: `npm test` builds it
 * first), the two servers get free ports instead of 8501 and 5000, and the model folder "served
 * above" is made here from the serving fixture.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanEnv,
  freePort,
  pointAtTestServers,
  ROOT,
  readmeBlock,
  requireBuiltCli,
  runScript,
  type ScriptResult,
} from './helpers/readme-script.js';

const SCRIPT_TIMEOUT_MS = 90_000;

describe('the README business-metrics block', () => {
  let dir: string;
  let result: ScriptResult;

  beforeAll(async () => {
    requireBuiltCli();
    dir = mkdtempSync(join(tmpdir(), 'slipway-readme-business-'));
    mkdirSync(join(dir, 'models', 'mymodel', '1'), { recursive: true });
    cpSync(
      join(ROOT, 'test/fixtures/serving/repository/mymodel/1/model.onnx'),
      join(dir, 'models', 'mymodel', '1', 'model.onnx'),
    );
    const script = pointAtTestServers(readmeBlock('business-metrics'), {
      server: await freePort(),
      serve: await freePort(),
    });
    result = await runScript(script, dir, cleanEnv(dir), SCRIPT_TIMEOUT_MS);
  }, SCRIPT_TIMEOUT_MS + 10_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs to the end, counting the unknown request id', () => {
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toContain(
      '{"model":"mymodel","accepted":4,"verified":true,"unknownRequestIds":1,"unknownRequestIdSample":["order-9"]}',
    );
  });

  it('serves the report as JSON and prints it as the README shows', () => {
    expect(result.stdout).toMatch(/"groups":\[\{"version":"1",.*"predictions":4,"requests":4,/);
    const rows = result.stdout
      .split('\n')
      .filter((l) => /^1\s/.test(l))
      .map((l) => l.split(/\s+/).filter((_c, i) => i !== 2)); // the p99 varies from run to run
    expect(rows).toEqual([
      ['1', '4', 'converted', '2', '2', '1', '0.5'],
      ['1', '4', 'order_value', '1', '42.5', '42.5', '0.25'],
    ]);
    expect(result.stdout).toContain('events with no logged prediction: converted 1');
  });
});
