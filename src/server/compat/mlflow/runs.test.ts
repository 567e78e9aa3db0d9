/**
 * The MLflow run endpoints beyond what the recorded client session covers (delete, restore,
 * delete-tag, log-inputs, log-model, renames, non-finite metrics, batch atomicity, type errors,
 * artifacts/list), checked against the wire shapes of MLflow's REST API reference.
 */
import type { LightMyRequestResponse as Answer, FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../../../../test/helpers/control-plane.js';
import type { Platform } from '../../../platform.js';

type Json = Record<string, unknown>;
type KeyValue = { key: string; value: string };
interface WireRun {
  info: { run_id: string; run_name: string; lifecycle_stage: string; artifact_uri: string };
  data: { metrics?: Json[]; params?: KeyValue[]; tags?: KeyValue[] };
  inputs: { dataset_inputs?: { dataset: Json; tags?: KeyValue[] }[] };
}

describe('MLflow API: runs', () => {
  let platform: Platform;
  let app: FastifyInstance;
  let close: (() => Promise<void>) | undefined;
  let experimentId: string;

  beforeAll(async () => {
    ({ platform, app, close } = await startControlPlane());
    experimentId = (await platform.tracking.createExperiment({ name: 'runs-suite' })).experimentId;
  });
  afterAll(() => close?.());

  const post = (path: string, payload: Json) =>
    app.inject({ method: 'POST', url: `/api/2.0/mlflow${path}`, payload });
  const get = (path: string, query: Record<string, string>) =>
    app.inject({ method: 'GET', url: `/api/2.0/mlflow${path}?${new URLSearchParams(query)}` });

  const createRun = async (runName?: string): Promise<string> => {
    const res = await post('/runs/create', { experiment_id: experimentId, run_name: runName, start_time: 1 });
    return ok(res).run.info.run_id;
  };
  const getRun = async (runId: string): Promise<WireRun> => {
    return ok(await get('/runs/get', { run_id: runId })).run;
  };
  const tagOf = (run: WireRun, key: string) => run.data.tags?.find((t) => t.key === key)?.value;
  /** The JSON body of a 200 answer. */
  const ok = (res: Answer) => {
    expect(res.statusCode).toBe(200);
    return res.json();
  };
  const expectError = (res: Answer, status: number, code: string) => {
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual({ error_code: code, message: expect.any(String) });
  };
  const expectMissing = (res: Answer) => expectError(res, 404, 'RESOURCE_DOES_NOT_EXIST');
  const byPath = (files: { path: string }[]) => [...files].sort((a, b) => (a.path < b.path ? -1 : 1));

  it('deletes and restores a run, which run_view_type then filters', async () => {
    const runId = await createRun('to-delete');
    const search = async (run_view_type: string) => {
      const res = await post('/runs/search', { experiment_ids: [experimentId], run_view_type });
      return ((res.json().runs ?? []) as WireRun[]).map((r) => r.info.run_id);
    };
    expect((await post('/runs/delete', { run_id: runId })).json()).toEqual({});
    expect((await getRun(runId)).info.lifecycle_stage).toBe('deleted');
    expect(await search('ACTIVE_ONLY')).not.toContain(runId);
    expect(await search('DELETED_ONLY')).toEqual([runId]);
    expect(await search('ALL')).toContain(runId);
    expectError(await post('/runs/set-tag', { run_id: runId, key: 'k', value: 'v' }), 400, 'INVALID_STATE');

    expect((await post('/runs/restore', { run_id: runId })).json()).toEqual({});
    expect((await getRun(runId)).info.lifecycle_stage).toBe('active');
    expect(await search('ACTIVE_ONLY')).toContain(runId);
    expect(await search('DELETED_ONLY')).toEqual([]);
  });

  it('deletes a tag, and answers 404 for a tag the run does not have', async () => {
    const runId = await createRun();
    await post('/runs/set-tag', { run_id: runId, key: 'owner', value: 'ana' });
    expect(tagOf(await getRun(runId), 'owner')).toBe('ana');
    expect((await post('/runs/delete-tag', { run_id: runId, key: 'owner' })).json()).toEqual({});
    expect(tagOf(await getRun(runId), 'owner')).toBeUndefined();
    expectMissing(await post('/runs/delete-tag', { run_id: runId, key: 'owner' }));
  });

  it('logs a dataset input that runs/get shows under inputs.dataset_inputs in snake_case', async () => {
    const runId = await createRun();
    const dataset = {
      name: 'iris',
      digest: 'abc123',
      source_type: 'local',
      source: '{"uri": "/data/iris.csv"}',
      schema: '{"mlflow_colspec": []}',
    };
    const res = await post('/runs/log-inputs', {
      run_id: runId,
      datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset }],
    });
    expect(ok(res)).toEqual({});
    expect((await getRun(runId)).inputs).toEqual({
      dataset_inputs: [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset }],
    });
  });

  it('omits dataset_inputs from a run that logged none', async () => {
    expect((await getRun(await createRun())).inputs).toEqual({});
  });

  it('accumulates every logged model in the mlflow.log-model.history tag', async () => {
    const runId = await createRun();
    const model = (path: string) => ({
      run_id: runId,
      artifact_path: path,
      utc_time_created: '2024-10-01 12:00:00.000000',
      flavors: { onnx: {} },
    });
    for (const path of ['model', 'model-2']) {
      const res = await post('/runs/log-model', { run_id: runId, model_json: JSON.stringify(model(path)) });
      expect(ok(res)).toEqual({});
    }
    const history = JSON.parse(tagOf(await getRun(runId), 'mlflow.log-model.history') ?? '[]');
    expect(history).toEqual([model('model'), model('model-2')]);
  });

  it('rejects a model_json that is not a JSON object with 400, leaving the history alone', async () => {
    const runId = await createRun();
    for (const model_json of ['not json', '[1]']) {
      const res = await post('/runs/log-model', { run_id: runId, model_json });
      expectError(res, 400, 'INVALID_PARAMETER_VALUE');
      expect(res.json().message).toContain("'model_json'");
    }
    expect(tagOf(await getRun(runId), 'mlflow.log-model.history')).toBeUndefined();
  });

  it('refuses log-model with 400 when the history tag was overwritten with something not a list', async () => {
    const runId = await createRun();
    ok(await post('/runs/set-tag', { run_id: runId, key: 'mlflow.log-model.history', value: 'oops' }));
    const res = await post('/runs/log-model', { run_id: runId, model_json: '{"artifact_path":"m"}' });
    expectError(res, 400, 'INVALID_STATE');
    expect(tagOf(await getRun(runId), 'mlflow.log-model.history')).toBe('oops');
  });

  it('renames a run with runs/update, and the mlflow.runName tag follows', async () => {
    const runId = await createRun('first-name');
    const update = { run_name: 'second-name', status: 'FINISHED', end_time: 5 };
    const res = ok(await post('/runs/update', { run_id: runId, ...update }));
    expect(res.run_info).toMatchObject({ run_id: runId, ...update });
    const run = await getRun(runId);
    expect(run.info.run_name).toBe('second-name');
    expect(tagOf(run, 'mlflow.runName')).toBe('second-name');
  });

  it('keeps the run name when runs/update sends only a status', async () => {
    const runId = await createRun('steady');
    await post('/runs/update', { run_uuid: runId, status: 'KILLED' });
    const run = await getRun(runId);
    expect(run.info.run_name).toBe('steady');
    expect(tagOf(run, 'mlflow.runName')).toBe('steady');
  });

  it('accepts the metric value "NaN" and returns it as the string "NaN"', async () => {
    const runId = await createRun();
    ok(await post('/runs/log-metric', { run_id: runId, key: 'loss', value: 'NaN', timestamp: 7, step: 1 }));
    const gain = { key: 'gain', value: 'Infinity', timestamp: 8 };
    ok(await post('/runs/log-batch', { run_id: runId, metrics: [gain] }));
    const history = await get('/metrics/get-history', { run_id: runId, metric_key: 'loss' });
    expect(history.json()).toEqual({ metrics: [{ key: 'loss', value: 'NaN', timestamp: 7, step: 1 }] });
    const metrics = (await getRun(runId)).data.metrics ?? [];
    expect(metrics).toContainEqual({ key: 'loss', value: 'NaN', timestamp: 7, step: 1 });
    expect(metrics).toContainEqual({ ...gain, step: 0 });
  });

  it('rejects a log-batch that changes a param with 400 and stores none of its metrics', async () => {
    const runId = await createRun();
    await post('/runs/log-parameter', { run_id: runId, key: 'lr', value: '0.1' });
    const res = await post('/runs/log-batch', {
      run_id: runId,
      metrics: [{ key: 'acc', value: 0.9, timestamp: 1, step: 0 }],
      params: [{ key: 'lr', value: '0.2' }],
      tags: [{ key: 'batch', value: 'yes' }],
    });
    expectError(res, 400, 'INVALID_PARAMETER_VALUE');
    const run = await getRun(runId);
    expect(run.data.params).toEqual([{ key: 'lr', value: '0.1' }]);
    expect(run.data.metrics).toBeUndefined();
    expect(tagOf(run, 'batch')).toBeUndefined();
    expect((await get('/metrics/get-history', { run_id: runId, metric_key: 'acc' })).json()).toEqual({});
  });

  describe('wrongly typed fields', () => {
    let runId: string;
    beforeAll(async () => {
      runId = await createRun();
    });

    const [batch, metric] = ['/runs/log-batch', '/runs/log-metric'];
    it.each([
      ['a number as a param value', '/runs/log-parameter', { key: 'p', value: 5 }, 'value'],
      ['a string as a metric timestamp', metric, { key: 'm', value: 1, timestamp: 'x' }, 'timestamp'],
      ['a word as a metric value', metric, { key: 'm', value: 'lots', timestamp: 1 }, 'value'],
      ['a number as a tag value', '/runs/set-tag', { key: 't', value: 1 }, 'value'],
      [
        'a string batch timestamp',
        batch,
        { metrics: [{ key: 'm', value: 1, timestamp: 'x' }] },
        'metrics[0].timestamp',
      ],
      [
        'a word as a batch metric value',
        batch,
        { metrics: [{ key: 'm', value: 'x', timestamp: 1 }] },
        'metrics[0].value',
      ],
      ['a number as a batch param value', batch, { params: [{ key: 'p', value: 3 }] }, 'params[0].value'],
      ['an unknown run status', '/runs/update', { status: 'DONE' }, 'status'],
    ])('returns 400 naming the field for %s', async (_what, path, body, field) => {
      const res = await post(path, { run_id: runId, ...body });
      expectError(res, 400, 'INVALID_PARAMETER_VALUE');
      expect(res.json().message).toContain(`'${field}'`);
    });

    it('stored nothing from the rejected requests', async () => {
      const run = await getRun(runId);
      expect(run.data.metrics).toBeUndefined();
      expect(run.data.params).toBeUndefined();
      expect(tagOf(run, 't')).toBeUndefined();
    });
  });

  it('returns 404 RESOURCE_DOES_NOT_EXIST for a run that does not exist', async () => {
    const missing = '0123456789abcdef0123456789abcdef';
    expectMissing(await get('/runs/get', { run_id: missing }));
    expectMissing(await post('/runs/log-parameter', { run_id: missing, key: 'a', value: 'b' }));
    expectMissing(await post('/runs/delete', { run_id: missing }));
    expectMissing(await post('/runs/update', { run_id: missing, status: 'FINISHED' }));
    expectMissing(await get('/artifacts/list', { run_id: missing }));
  });

  describe('artifacts/list', () => {
    let runId: string;
    beforeAll(async () => {
      runId = await createRun();
      await platform.artifacts.upload(runId, 'model/MLmodel', Buffer.from('flavors: {}\n'));
      await platform.artifacts.upload(runId, 'model/data/weights.bin', Buffer.from('weights'));
      await platform.artifacts.upload(runId, 'notes.txt', Buffer.from('hi'));
    });

    it('lists the run root with its root_uri, directories without a size', async () => {
      const body = ok(await get('/artifacts/list', { run_id: runId }));
      expect(body.root_uri).toBe((await getRun(runId)).info.artifact_uri);
      expect(byPath(body.files)).toEqual([
        { path: 'model', is_dir: true },
        { path: 'notes.txt', is_dir: false, file_size: 2 },
      ]);
    });

    it('lists a folder with paths relative to the run root, not to the folder', async () => {
      const folder = ok(await get('/artifacts/list', { run_uuid: runId, path: 'model' }));
      expect(byPath(folder.files)).toEqual([
        { path: 'model/MLmodel', is_dir: false, file_size: 12 },
        { path: 'model/data', is_dir: true },
      ]);
      const nested = ok(await get('/artifacts/list', { run_id: runId, path: 'model/data/' }));
      expect(nested.files).toEqual([{ path: 'model/data/weights.bin', is_dir: false, file_size: 7 }]);
    });

    it('omits files for an empty folder but still names the root_uri', async () => {
      const body = ok(await get('/artifacts/list', { run_id: runId, path: 'nothing-here' }));
      expect(body).toEqual({ root_uri: (await getRun(runId)).info.artifact_uri });
    });
  });
});
