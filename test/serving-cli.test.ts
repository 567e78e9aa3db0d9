/**
 * `slipway serve --model NAME@ALIAS` as users run it: a registry in a local home, the data plane in
 * its own process reading it in-process, bearer-token auth from SLIPWAY_AUTH_TOKENS.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/core/config.js';
import { Slipway } from '../src/sdk/index.js';
import { type ServingProcess, startServing } from './helpers/serving-process.js';

const features = Array.from({ length: 20 }, (_, k) => k / 20);

describe('slipway serve --model with auth tokens', () => {
  let home: string;
  let server: ServingProcess;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'slipway-serve-cli-'));
    const client = await Slipway.open(resolveConfig({ home }));
    const run = await client.runs.create({ experimentId: '0' });
    await client.runs.uploadArtifact(
      run.info.runId,
      'model/model.onnx',
      readFileSync('test/fixtures/serving/repository/logreg/1/model.onnx'),
    );
    await client.models.create({ name: 'fraud' });
    await client.models.createVersion({
      name: 'fraud',
      source: `runs:/${run.info.runId}/model`,
      runId: run.info.runId,
    });
    await client.models.setAlias('fraud', 'champion', '1');
    await client.close();
    server = await startServing({
      args: ['--model', 'fraud@champion', '--home', home],
      env: { SLIPWAY_AUTH_TOKENS: 'read:viewer-token,admin:admin-token' },
    });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  const predict = (token?: string) =>
    fetch(`${server.url}/v1/models/fraud/labels/champion:predict`, {
      method: 'POST',
      headers: token ? { authorization: `Bearer ${token}` } : {},
      body: JSON.stringify({ instances: [features] }),
    });

  it('announces what it serves', () => {
    expect(server.output()).toContain('Slipway serving fraud/1 on http://127.0.0.1:');
  });

  it('refuses inference without a token and answers with a read token', async () => {
    expect((await predict()).status).toBe(401);
    const ok = await predict('viewer-token');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-model-version')).toBe('1');
    const body = (await ok.json()) as { predictions: number[][] };
    expect(body.predictions[0][0]).toBeGreaterThan(0);
    expect(body.predictions[0][0]).toBeLessThan(1);
  });

  it('leaves the health probes open', async () => {
    for (const path of ['/readyz', '/v2/health/ready', '/v2/health/live', '/ping']) {
      expect((await fetch(`${server.url}${path}`)).status).toBe(200);
    }
    expect((await fetch(`${server.url}/v2/models/fraud`)).status).toBe(401);
  });

  it('lets only a write token unload models', async () => {
    const unload = (token: string) =>
      fetch(`${server.url}/v2/repository/models/fraud/unload`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await unload('viewer-token')).status).toBe(403);
    expect((await unload('admin-token')).status).toBe(200);
    expect((await predict('viewer-token')).status).toBe(404);
  });
});
