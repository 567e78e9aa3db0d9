import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../../../test/helpers/control-plane.js';
import type { Platform } from '../../platform.js';

describe('native API: registered models and model versions', () => {
  let platform: Platform;
  let app: FastifyInstance;
  let close: (() => Promise<void>) | undefined;
  let runId: string;

  beforeAll(async () => {
    ({ platform, app, close } = await startControlPlane());
    runId = (await platform.tracking.createRun()).info.runId;
    await platform.artifacts.upload(runId, 'model/model.bin', Buffer.from('weights'));
  });
  afterAll(() => close?.());

  const api = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    app.inject({ method, url: `/api/v1${url}`, ...(payload ? { payload } : {}) });

  const register = async (name: string) => {
    await api('POST', '/models', { name });
    const res = await api('POST', `/models/${encodeURIComponent(name)}/versions`, {
      source: `runs:/${runId}/model`,
      runId,
    });
    expect(res.statusCode).toBe(201);
    return res.json();
  };

  it('creates a model, describes and renames it in one PATCH', async () => {
    const created = await api('POST', '/models', { name: 'churn', tags: [{ key: 'team', value: 'growth' }] });
    expect(created.statusCode).toBe(201);
    const patched = await api('PATCH', '/models/churn', { name: 'churn-v2', description: 'predicts churn' });
    expect(patched.json()).toMatchObject({ name: 'churn-v2', description: 'predicts churn' });
    expect((await api('GET', '/models/churn')).statusCode).toBe(404);
    expect((await api('GET', '/models/churn-v2')).json().tags).toEqual([{ key: 'team', value: 'growth' }]);
  });

  it('returns 400 for an empty PATCH', async () => {
    await api('POST', '/models', { name: 'empty-patch' });
    expect((await api('PATCH', '/models/empty-patch', {})).statusCode).toBe(400);
  });

  it('sets and deletes model tags', async () => {
    await api('POST', '/models', { name: 'tagged' });
    expect((await api('PUT', '/models/tagged/tags/owner', { value: 'ana' })).statusCode).toBe(204);
    expect((await api('GET', '/models/tagged')).json().tags).toEqual([{ key: 'owner', value: 'ana' }]);
    expect((await api('DELETE', '/models/tagged/tags/owner')).statusCode).toBe(204);
    expect((await api('GET', '/models/tagged')).json().tags).toEqual([]);
  });

  it('registers a version from a run and resolves its artifact URI', async () => {
    const version = await register('fraud');
    expect(version).toMatchObject({ name: 'fraud', version: '1', runId, currentStage: 'None' });
    expect(version.lineage.contentHash).toMatch(/^sha256:/);
    const uri = await api('GET', '/models/fraud/versions/1/download-uri');
    expect(uri.json()).toEqual({ artifactUri: `mlflow-artifacts:/0/${runId}/artifacts/model` });
  });

  it('sets an alias, reads the version by it and resolves references', async () => {
    await register('ranker');
    await api('POST', '/models/ranker/versions', { source: `runs:/${runId}/model` });
    expect((await api('PUT', '/models/ranker/aliases/champion', { version: '1' })).statusCode).toBe(204);
    expect((await api('GET', '/models/ranker/aliases/champion')).json().version).toBe('1');
    const byAlias = await api('GET', `/model-versions/resolve?ref=${encodeURIComponent('ranker@champion')}`);
    expect(byAlias.json().version).toBe('1');
    expect((await api('GET', '/model-versions/resolve?ref=ranker')).json().version).toBe('2');
    expect((await api('DELETE', '/models/ranker/aliases/champion')).statusCode).toBe(204);
    expect((await api('GET', '/models/ranker/aliases/champion')).statusCode).toBe(404);
  });

  it('transitions stages, describes, tags and deletes a version', async () => {
    await register('scorer');
    const staged = await api('POST', '/models/scorer/versions/1/stage', { stage: 'Production' });
    expect(staged.json().currentStage).toBe('Production');
    const described = await api('PATCH', '/models/scorer/versions/1', { description: 'first' });
    expect(described.json().description).toBe('first');
    expect((await api('PUT', '/models/scorer/versions/1/tags/validated', { value: 'yes' })).statusCode).toBe(
      204,
    );
    expect((await api('GET', '/models/scorer/versions/1')).json().tags).toEqual([
      { key: 'validated', value: 'yes' },
    ]);
    expect((await api('DELETE', '/models/scorer/versions/1/tags/validated')).statusCode).toBe(204);
    expect((await api('DELETE', '/models/scorer/versions/1')).statusCode).toBe(204);
    expect((await api('GET', '/models/scorer/versions/1')).statusCode).toBe(404);
  });

  it('returns 400 for an unknown stage', async () => {
    await register('staged');
    const res = await api('POST', '/models/staged/versions/1/stage', { stage: 'Canary' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.field).toBe('stage');
  });

  it('searches models and versions with a filter', async () => {
    await register('search-me');
    const models = (await api('GET', `/models?filter=${encodeURIComponent("name = 'search-me'")}`)).json();
    expect(models.items.map((m: { name: string }) => m.name)).toEqual(['search-me']);
    const versions = (
      await api('GET', `/model-versions?filter=${encodeURIComponent("name = 'search-me'")}`)
    ).json();
    expect(versions.items.map((v: { version: string }) => v.version)).toEqual(['1']);
  });

  it('keeps a model name with a slash as one encoded path segment', async () => {
    await register('team/model');
    const res = await api('GET', `/models/${encodeURIComponent('team/model')}/versions/1`);
    expect(res.json().name).toBe('team/model');
  });

  it('returns 404 when the model does not exist', async () => {
    for (const [method, url] of [
      ['GET', '/models/ghost'],
      ['GET', '/models/ghost/versions/1'],
      ['DELETE', '/models/ghost'],
      ['GET', '/models/ghost/aliases/champion'],
    ] as const) {
      const res = await api(method, url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code).toBe('RESOURCE_DOES_NOT_EXIST');
    }
  });

  it('returns 400 naming the field when a version has no source', async () => {
    await api('POST', '/models', { name: 'no-source' });
    const res = await api('POST', '/models/no-source/versions', { runId });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.field).toBe('source');
  });

  it('deletes a model', async () => {
    await api('POST', '/models', { name: 'doomed' });
    expect((await api('DELETE', '/models/doomed')).statusCode).toBe(204);
    expect((await api('GET', '/models/doomed')).statusCode).toBe(404);
  });
});
