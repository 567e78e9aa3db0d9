import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../../test/helpers/control-plane.js';
import { isSlipwayError } from '../core/errors.js';
import { Slipway } from './index.js';
import type { SlipwayClient } from './types.js';

const FIXTURE = join(import.meta.dirname, '../../test/fixtures/models/logreg.onnx');
const MODEL_BYTES = existsSync(FIXTURE) ? readFileSync(FIXTURE) : Buffer.from('not really a model');

interface Opened {
  client: SlipwayClient;
  close(): Promise<void>;
}

async function openHttp(): Promise<Opened> {
  const plane = await startControlPlane({ listen: true });
  const client = Slipway.connect(`${plane.url}/`);
  return {
    client,
    close: async () => {
      await client.close();
      await plane.close();
    },
  };
}

async function openLocal(): Promise<Opened> {
  const home = mkdtempSync(join(tmpdir(), 'slipway-sdk-local-'));
  const client = await Slipway.open({ home });
  return {
    client,
    close: async () => {
      await client.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Rejects with a SlipwayError of `code` (matched by code, as callers of either client do). */
async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isSlipwayError(err), String(err)).toBe(true);
  expect((err as { code: string }).code).toBe(code);
}

describe.each([
  ['the HTTP client', openHttp],
  ['the local client', openLocal],
])('the SDK through %s', (_name, open) => {
  let opened: Opened;
  let c: SlipwayClient;
  let experimentId: string;
  let runId: string;

  beforeAll(async () => {
    opened = await open();
    c = opened.client;
  });
  afterAll(() => opened.close());

  it('creates an experiment and a run with tags', async () => {
    const exp = await c.experiments.create({ name: 'sdk-scenario', tags: [{ key: 'team', value: 'ml' }] });
    experimentId = exp.experimentId;
    expect((await c.experiments.getByName('sdk-scenario')).experimentId).toBe(experimentId);
    const run = await c.runs.create({
      experimentId,
      runName: 'baseline',
      tags: [{ key: 'kind', value: 'lr' }],
    });
    runId = run.info.runId;
    expect(run.info.runName).toBe('baseline');
    expect(run.data.tags).toContainEqual({ key: 'kind', value: 'lr' });
  });

  it('logs metrics and params and reads the metric history', async () => {
    await c.runs.logParam(runId, 'lr', '0.1');
    await c.runs.logMetric(runId, 'loss', 0.8, { step: 0 });
    await c.runs.logMetric(runId, 'loss', 0.4, { step: 1 });
    await c.runs.logBatch(runId, {
      metrics: [{ key: 'auc', value: 0.93, timestamp: Date.now(), step: 0 }],
      params: [{ key: 'depth', value: '4' }],
      tags: [{ key: 'note', value: 'ok' }],
    });
    const history = await c.runs.getMetricHistory(runId, 'loss');
    expect(history.items.map((m) => [m.step, m.value])).toEqual([
      [0, 0.8],
      [1, 0.4],
    ]);
    const run = await c.runs.get(runId);
    expect(run.data.params).toEqual(
      expect.arrayContaining([
        { key: 'lr', value: '0.1' },
        { key: 'depth', value: '4' },
      ]),
    );
    await expectCode(c.runs.logParam(runId, 'lr', '0.2'), 'INVALID_PARAMETER_VALUE');
  });

  it('searches runs with a filter', async () => {
    const other = await c.runs.create({ experimentId, runName: 'other' });
    await c.runs.logMetric(other.info.runId, 'auc', 0.5);
    const page = await c.runs.search({ experimentIds: [experimentId], filter: 'metrics.auc > 0.9' });
    expect(page.items.map((r) => r.info.runId)).toEqual([runId]);
    const experiments = await c.experiments.search({ filter: "name = 'sdk-scenario'" });
    expect(experiments.items.map((e) => e.experimentId)).toEqual([experimentId]);
  });

  it('uploads, lists and downloads an artifact folder', async () => {
    await c.runs.uploadArtifact(runId, 'model/model.onnx', MODEL_BYTES);
    await c.runs.uploadArtifact(runId, 'model/README.md', 'logistic regression');
    await c.runs.uploadArtifact(
      runId,
      'model/extra/notes.txt',
      Readable.from([Buffer.from('streamed '), Buffer.from('body')]),
    );
    expect(await c.runs.listArtifacts(runId)).toEqual([{ path: 'model', isDir: true }]);
    const files = await c.runs.listArtifacts(runId, 'model');
    expect(files.map((f) => f.path)).toEqual(['README.md', 'extra', 'model.onnx']);
    expect(await c.runs.downloadArtifact(runId, 'model/model.onnx')).toEqual(MODEL_BYTES);
    expect((await c.runs.downloadArtifact(runId, 'model/extra/notes.txt')).toString()).toBe('streamed body');
    await expectCode(c.runs.downloadArtifact(runId, 'model/missing'), 'RESOURCE_DOES_NOT_EXIST');
    await expectCode(c.runs.uploadArtifact(runId, '../escape.txt', 'x'), 'INVALID_PARAMETER_VALUE');
  });

  it('registers a model from the run and works with aliases and stages', async () => {
    await c.models.create({ name: 'churn', description: 'churn model' });
    const v1 = await c.models.createVersion({ name: 'churn', source: `runs:/${runId}/model`, runId });
    expect(v1.version).toBe('1');
    expect(v1.lineage.artifactUri).toBe(`mlflow-artifacts:/${experimentId}/${runId}/artifacts/model`);
    if (existsSync(FIXTURE))
      expect(v1.lineage.signature?.inputs[0]).toMatchObject({ name: 'input', dtype: 'float32' });
    expect(await c.models.getDownloadUri('churn', '1')).toBe(v1.lineage.artifactUri);

    await c.models.setAlias('churn', 'champion', '1');
    expect((await c.models.getVersionByAlias('churn', 'champion')).version).toBe('1');
    expect((await c.models.resolve('churn@champion')).version).toBe('1');
    expect((await c.models.get('churn')).aliases).toEqual([{ alias: 'champion', version: '1' }]);

    const staged = await c.models.transitionStage('churn', '1', 'Staging');
    expect(staged.currentStage).toBe('Staging');
    const found = await c.models.searchVersions({ filter: "name = 'churn'" });
    expect(found.items.map((v) => v.version)).toEqual(['1']);

    await c.models.deleteVersion('churn', '1');
    await expectCode(c.models.getVersion('churn', '1'), 'RESOURCE_DOES_NOT_EXIST');
  });

  it('renames and describes a model', async () => {
    await c.models.create({ name: 'to-rename' });
    expect((await c.models.rename('to-rename', 'renamed')).name).toBe('renamed');
    expect((await c.models.update('renamed', { description: 'now described' })).description).toBe(
      'now described',
    );
    await c.models.setTag('renamed', 'k', 'v');
    expect((await c.models.search({ filter: "name = 'renamed'" })).items[0].tags).toEqual([
      { key: 'k', value: 'v' },
    ]);
  });

  it('ends, deletes and restores a run', async () => {
    const info = await c.runs.end(runId);
    expect(info.status).toBe('FINISHED');
    expect(info.endTime).toEqual(expect.any(Number));
    await c.runs.delete(runId);
    expect((await c.runs.get(runId)).info.lifecycleStage).toBe('deleted');
    await c.runs.restore(runId);
    expect((await c.runs.get(runId)).info.lifecycleStage).toBe('active');
  });

  it('reports unknown ids as RESOURCE_DOES_NOT_EXIST', async () => {
    await expectCode(c.runs.get('0123456789abcdef0123456789abcdef'), 'RESOURCE_DOES_NOT_EXIST');
    await expectCode(c.experiments.get('987654'), 'RESOURCE_DOES_NOT_EXIST');
    await expectCode(c.models.get('ghost'), 'RESOURCE_DOES_NOT_EXIST');
  });
});

describe('the HTTP client', () => {
  it('sends its token and surfaces the server error', async () => {
    const { url, close } = await startControlPlane({
      config: { auth: { tokens: [{ token: 'reader', role: 'read' }] } },
      listen: true,
    });
    try {
      await expectCode(Slipway.connect(url).experiments.get('0'), 'UNAUTHENTICATED');
      const reader = Slipway.connect(url, { token: 'reader' });
      expect((await reader.experiments.get('0')).name).toBe('Default');
      await expectCode(reader.runs.create({ experimentId: '0' }), 'PERMISSION_DENIED');
    } finally {
      await close();
    }
  });

  it('reports an unreachable server as TEMPORARILY_UNAVAILABLE', async () => {
    await expectCode(Slipway.connect('http://127.0.0.1:1').experiments.get('0'), 'TEMPORARILY_UNAVAILABLE');
  });
});
