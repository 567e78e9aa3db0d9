import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/cli/config-loader.js';
import { startServer } from '../src/cli/server-command.js';
import { queryInferenceLog } from '../src/monitoring/inference-log/index.js';
import { runCli as cli } from './helpers/run-cli.js';

const REPOSITORY = resolve('test/fixtures/serving/repository');
const tmp: string[] = [];
const newDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  tmp.push(d);
  return d;
};
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

async function predict(url: string, model: string, instances: number[][]) {
  const res = await fetch(`${url}/v1/models/${model}:predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ instances }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { predictions: number[][] }).predictions;
}

describe('--inference-log', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('slipway serve records TF Serving predictions into a log queryable with DuckDB', async () => {
    const home = newDir('slipway-serve-log-');
    const logDir = join(home, 'inference-log');
    const { out, err, stop } = await cli(
      [
        'serve',
        '--port',
        '0',
        '--model-repository',
        REPOSITORY,
        '--instances',
        '1',
        '--log-level',
        'error',
        '--home',
        home,
        '--inference-log',
        logDir,
        '--inference-log-sample-rate',
        '1',
        '--inference-log-retention',
        '7d',
      ],
      home,
    );
    const url = /on (http:\/\/\S+)/.exec(out)?.[1];
    expect(url, out + err).toBeDefined();
    const sent = [
      [1, 2, 3],
      [0.5, -1, 4],
    ];
    const answered = await predict(url!, 'mymodel', sent);
    await stop!();

    const q = await queryInferenceLog({ dir: logDir, model: 'mymodel' });
    const rows = await q.rows('SELECT in_x_0, in_x_1, in_x_2, out_y FROM inference_log ORDER BY row_index');
    q.close();
    expect(rows).toEqual([
      { in_x_0: 1, in_x_1: 2, in_x_2: 3, out_y: answered[0][0] },
      { in_x_0: 0.5, in_x_1: -1, in_x_2: 4, out_y: answered[1][0] },
    ]);
  });

  it('slipway server logs its in-process models too', async () => {
    const home = newDir('slipway-server-log-');
    const logDir = join(home, 'log');
    const config = loadConfig({ flags: { port: 0, home }, env: {}, cwd: home });
    const server = await startServer(config, {
      repository: REPOSITORY,
      inferenceLog: { dir: logDir, sampleRate: 1 },
    });
    try {
      await predict(server.url, 'mymodel', [[1, 1, 1]]);
    } finally {
      await server.close();
    }
    const q = await queryInferenceLog({ dir: logDir, model: 'mymodel' });
    expect(await q.count()).toBe(1);
    q.close();
  });

  it('refuses a bad sample rate or retention with the flag named', async () => {
    const home = newDir('slipway-serve-log-bad-');
    for (const [flag, value, expected] of [
      ['--inference-log-sample-rate', '2', 'expected a number from 0 to 1'],
      ['--inference-log-retention', 'forever', "expected an age like '7d'"],
    ]) {
      const r = await cli(
        ['serve', '--port', '0', '--model-repository', REPOSITORY, '--inference-log', home, flag, value],
        home,
      );
      expect(r.exitCode).toBe(1);
      expect(r.err).toContain(`Invalid value for '${flag}': ${expected}`);
      expect(r.stop).toBeUndefined();
    }
  });
});
