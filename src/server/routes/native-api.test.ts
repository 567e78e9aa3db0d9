import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../../../test/helpers/control-plane.js';
import type { Platform } from '../../platform.js';

describe('native API: experiments and runs', () => {
  let app: FastifyInstance;
  let platform: Platform;
  let close: () => Promise<void>;
  let experimentId: string;
  let runId: string;

  beforeAll(async () => {
    ({ app, platform, close } = await startControlPlane());
    const exp = await app.inject({ method: 'POST', url: '/api/v1/experiments', payload: { name: 'churn' } });
    experimentId = exp.json().experimentId;
    const run = await app.inject({ method: 'POST', url: '/api/v1/runs', payload: { experimentId } });
    runId = run.json().info.runId;
  });
  afterAll(() => close());

  const api = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    app.inject({ method, url: `/api/v1${url}`, ...(payload ? { payload } : {}) });

  it('creates an experiment and reads it by id and by name', async () => {
    const created = await api('POST', '/experiments', {
      name: 'fraud',
      tags: [{ key: 'team', value: 'risk' }],
    });
    expect(created.statusCode).toBe(201);
    const { experimentId: id } = created.json();
    expect((await api('GET', `/experiments/${id}`)).json()).toMatchObject({
      name: 'fraud',
      lifecycleStage: 'active',
    });
    expect((await api('GET', '/experiments/by-name/fraud')).json().experimentId).toBe(id);
  });

  it('renames, tags, deletes and restores an experiment', async () => {
    const { experimentId: id } = (await api('POST', '/experiments', { name: 'old-name' })).json();
    expect((await api('PATCH', `/experiments/${id}`, { name: 'new-name' })).statusCode).toBe(204);
    expect((await api('PUT', `/experiments/${id}/tags/owner`, { value: 'ana' })).statusCode).toBe(204);
    expect((await api('DELETE', `/experiments/${id}`)).statusCode).toBe(204);
    const deleted = await api('GET', '/experiments?view=DELETED_ONLY');
    expect(deleted.json().items.map((e: { name: string }) => e.name)).toEqual(['new-name']);
    expect((await api('POST', `/experiments/${id}/restore`)).statusCode).toBe(204);
    expect((await api('GET', `/experiments/${id}`)).json()).toMatchObject({
      name: 'new-name',
      lifecycleStage: 'active',
      tags: [{ key: 'owner', value: 'ana' }],
    });
  });

  it('pages through experiments with maxResults and pageToken', async () => {
    const first = (await api('GET', '/experiments?maxResults=1&orderBy=name')).json();
    expect(first.items).toHaveLength(1);
    expect(first.nextPageToken).toEqual(expect.any(String));
    const second = (
      await api('GET', `/experiments?maxResults=1&orderBy=name&pageToken=${first.nextPageToken}`)
    ).json();
    expect(second.items[0].name).not.toBe(first.items[0].name);
  });

  it('returns 400 naming the field when a required field is missing', async () => {
    const res = await api('POST', '/experiments', {});
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'INVALID_PARAMETER_VALUE', details: { field: 'name' } });
  });

  it('returns 400 naming the field when a field has the wrong type', async () => {
    const res = await api('POST', `/runs/${runId}/batch`, {
      metrics: [{ key: 'auc', value: 'high', timestamp: 1, step: 0 }],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.field).toBe('metrics[0].value');
    const query = await api('GET', '/experiments?maxResults=many');
    expect(query.statusCode).toBe(400);
    expect(query.json().error.details.field).toBe('maxResults');
  });

  it('returns 400 for an unknown field', async () => {
    const res = await api('PATCH', `/runs/${runId}`, { state: 'FINISHED' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('returns 400 for malformed JSON', async () => {
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/runs/${runId}/params`,
      headers: { 'content-type': 'application/json' },
      payload: '{"key": "lr",',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('BAD_REQUEST');
  });

  it('returns 404 when the experiment does not exist', async () => {
    const res = await api('GET', '/experiments/424242');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('returns 404 when the run does not exist', async () => {
    for (const [method, url, body] of [
      ['GET', '/runs/0123456789abcdef0123456789abcdef', undefined],
      ['POST', '/runs/0123456789abcdef0123456789abcdef/metrics', { key: 'auc', value: 1 }],
      ['GET', '/runs/0123456789abcdef0123456789abcdef/metrics/auc/history', undefined],
    ] as const) {
      const res = await api(method, url, body);
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code).toBe('RESOURCE_DOES_NOT_EXIST');
    }
  });

  it('returns 404 with the native shape for an unknown endpoint', async () => {
    const res = await api('GET', '/nothing-here');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('ENDPOINT_NOT_FOUND');
  });

  it('creates a run with tags and a parent', async () => {
    const res = await api('POST', '/runs', {
      experimentId,
      runName: 'child',
      tags: [{ key: 'stage', value: 'dev' }],
      parentRunId: runId,
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().info.runName).toBe('child');
    expect(res.json().data.tags).toEqual(
      expect.arrayContaining([
        { key: 'stage', value: 'dev' },
        { key: 'mlflow.parentRunId', value: runId },
      ]),
    );
  });

  it('logs metrics, params and tags and reads the metric history', async () => {
    await api('POST', `/runs/${runId}/metrics`, { key: 'loss', value: 0.9, timestamp: 10, step: 0 });
    await api('POST', `/runs/${runId}/metrics`, { key: 'loss', value: 0.5, timestamp: 20, step: 1 });
    expect((await api('POST', `/runs/${runId}/params`, { key: 'lr', value: '0.01' })).statusCode).toBe(204);
    expect((await api('PUT', `/runs/${runId}/tags/note`, { value: 'first' })).statusCode).toBe(204);
    const history = (await api('GET', `/runs/${runId}/metrics/loss/history`)).json();
    expect(history.items.map((m: { value: number }) => m.value)).toEqual([0.9, 0.5]);
    const run = (await api('GET', `/runs/${runId}`)).json();
    expect(run.data.metrics).toEqual([{ key: 'loss', value: 0.5, timestamp: 20, step: 1 }]);
    expect(run.data.params).toEqual([{ key: 'lr', value: '0.01' }]);
    expect((await api('DELETE', `/runs/${runId}/tags/note`)).statusCode).toBe(204);
    expect((await api('DELETE', `/runs/${runId}/tags/note`)).statusCode).toBe(404);
  });

  it('returns 400 when a param is changed', async () => {
    await api('POST', `/runs/${runId}/params`, { key: 'depth', value: '3' });
    const res = await api('POST', `/runs/${runId}/params`, { key: 'depth', value: '4' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('writes none of a batch when one of its params conflicts', async () => {
    await api('POST', `/runs/${runId}/params`, { key: 'seed', value: '1' });
    const res = await api('POST', `/runs/${runId}/batch`, {
      metrics: [{ key: 'atomic', value: 1, timestamp: 1, step: 0 }],
      params: [{ key: 'seed', value: '2' }],
      tags: [{ key: 'atomic-tag', value: 'x' }],
    });
    expect(res.statusCode).toBe(400);
    const run = await platform.tracking.getRun(runId);
    expect(run.data.metrics.find((m) => m.key === 'atomic')).toBeUndefined();
    expect(run.data.tags.find((t) => t.key === 'atomic-tag')).toBeUndefined();
    expect((await api('GET', `/runs/${runId}/metrics/atomic/history`)).json().items).toEqual([]);
  });

  it('requires timestamp and step on batch metrics', async () => {
    const res = await api('POST', `/runs/${runId}/batch`, { metrics: [{ key: 'x', value: 1, step: 0 }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.field).toBe('metrics[0].timestamp');
  });

  it('logs dataset inputs', async () => {
    const dataset = { name: 'train', digest: 'abc', sourceType: 'local', source: 'file:///d.parquet' };
    const res = await api('POST', `/runs/${runId}/inputs`, { datasets: [{ dataset, tags: [] }] });
    expect(res.statusCode).toBe(204);
    expect((await api('GET', `/runs/${runId}`)).json().inputs.datasetInputs[0].dataset).toMatchObject(
      dataset,
    );
  });

  it('updates, searches, deletes and restores runs', async () => {
    const { info } = (await api('POST', '/runs', { experimentId, runName: 'to-finish' })).json();
    const updated = await api('PATCH', `/runs/${info.runId}`, { status: 'FINISHED', endTime: 1234 });
    expect(updated.json()).toMatchObject({ status: 'FINISHED', endTime: 1234 });
    const search = await api('POST', '/runs/search', {
      experimentIds: [experimentId],
      filter: "attributes.status = 'FINISHED'",
    });
    expect(search.json().items.map((r: { info: { runId: string } }) => r.info.runId)).toEqual([info.runId]);
    expect((await api('DELETE', `/runs/${info.runId}`)).statusCode).toBe(204);
    expect((await api('GET', `/runs/${info.runId}`)).json().info.lifecycleStage).toBe('deleted');
    expect((await api('POST', `/runs/${info.runId}/restore`)).statusCode).toBe(204);
    expect((await api('GET', `/runs/${info.runId}`)).json().info.lifecycleStage).toBe('active');
  });

  it('returns 400 for a run search without experiment ids or with a bad filter', async () => {
    expect((await api('POST', '/runs/search', { experimentIds: [] })).statusCode).toBe(400);
    const bad = await api('POST', '/runs/search', {
      experimentIds: [experimentId],
      filter: 'metrics.auc >>> 1',
    });
    expect(bad.statusCode).toBe(400);
  });
});

describe('native API: auth', () => {
  let app: FastifyInstance;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const tokens = [
      { token: 'r', role: 'read' as const },
      { token: 'w', role: 'write' as const },
    ];
    ({ app, close } = await startControlPlane({ config: { auth: { tokens } } }));
  });
  afterAll(() => close());

  const as = (token: string | undefined, method: 'GET' | 'POST', url: string, payload?: object) =>
    app.inject({ method, url, payload, headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('returns 401 without a token', async () => {
    const res = await as(undefined, 'GET', '/api/v1/experiments');
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('UNAUTHENTICATED');
  });

  it('lets a read token read but not write', async () => {
    expect((await as('r', 'GET', '/api/v1/experiments/0')).statusCode).toBe(200);
    expect((await as('r', 'POST', '/api/v1/runs/search', { experimentIds: ['0'] })).statusCode).toBe(200);
    const res = await as('r', 'POST', '/api/v1/runs', { experimentId: '0' });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('PERMISSION_DENIED');
  });

  it('lets a write token write', async () => {
    expect((await as('w', 'POST', '/api/v1/runs', { experimentId: '0' })).statusCode).toBe(201);
  });

  it('leaves /healthz open', async () => {
    expect((await as(undefined, 'GET', '/healthz')).statusCode).toBe(200);
  });
});
