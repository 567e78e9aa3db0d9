/**
 * The MLflow model-registry endpoints beyond what the recorded client session covers (rename, update,
 * delete, search, get-latest-versions, tags, stage transitions, alias rules), checked against the
 * wire shapes of MLflow's REST API reference.
 */
import type { LightMyRequestResponse as Answer, FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../../../../test/helpers/control-plane.js';

type Json = Record<string, unknown>;
type Query = Record<string, string | string[]>;
interface WireVersion {
  name: string;
  version: string;
  current_stage: string;
  description?: string;
  tags?: { key: string; value: string }[];
  aliases?: string[];
}

describe('MLflow API: model registry', () => {
  let app: FastifyInstance;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ app, close } = await startControlPlane());
  });
  afterAll(() => close?.());

  const url = (path: string, query?: Query) => {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) for (const x of [v].flat()) qs.append(k, x);
    return `/api/2.0/mlflow${path}${query ? `?${qs}` : ''}`;
  };
  const send = (method: 'POST' | 'PATCH' | 'DELETE', path: string, payload: Json) =>
    app.inject({ method, url: url(path), payload });
  const get = (path: string, query: Query) => app.inject({ method: 'GET', url: url(path, query) });
  /** A DELETE whose parameters travel in the query string, with no body. */
  const del = (path: string, query: Query) => app.inject({ method: 'DELETE', url: url(path, query) });

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
  const versionsIn = (body: { model_versions?: WireVersion[] }) =>
    (body.model_versions ?? []).map((v) => v.version).sort();

  const model = async (name: string, versions = 0): Promise<void> => {
    ok(await send('POST', '/registered-models/create', { name }));
    for (let i = 0; i < versions; i++) await version(name);
  };
  const version = async (name: string): Promise<string> =>
    ok(await send('POST', '/model-versions/create', { name, source: `s3://bucket/${name}` })).model_version
      .version;
  const alias = (name: string, alias: string, version: string) =>
    send('POST', '/registered-models/alias', { name, alias, version });
  const getModel = (name: string) => get('/registered-models/get', { name });
  const getVersion = (name: string, version: string) => get('/model-versions/get', { name, version });
  const versionJson = async (name: string, v: string): Promise<WireVersion> =>
    ok(await getVersion(name, v)).model_version;
  const transition = (name: string, version: string, stage: string, archive = false) =>
    send('POST', '/model-versions/transition-stage', {
      name,
      version,
      stage,
      archive_existing_versions: archive,
    });

  describe('registered models', () => {
    it('renames a model, and its versions and aliases follow it', async () => {
      await model('old-name', 2);
      ok(await alias('old-name', 'champion', '2'));
      const renamed = ok(
        await send('POST', '/registered-models/rename', { name: 'old-name', new_name: 'new-name' }),
      );
      expect(renamed.registered_model).toMatchObject({
        name: 'new-name',
        aliases: [{ alias: 'champion', version: '2' }],
      });
      expectMissing(await getModel('old-name'));
      expect(await versionJson('new-name', '1')).toMatchObject({ name: 'new-name', version: '1' });
      const byAlias = ok(await get('/registered-models/alias', { name: 'new-name', alias: 'champion' }));
      expect(byAlias.model_version).toMatchObject({ name: 'new-name', version: '2', aliases: ['champion'] });
      expect(versionsIn(ok(await get('/model-versions/search', { filter: "name = 'new-name'" })))).toEqual([
        '1',
        '2',
      ]);
    });

    it('refuses to rename onto an existing model name', async () => {
      await model('keeper');
      await model('mover');
      const res = await send('POST', '/registered-models/rename', { name: 'mover', new_name: 'keeper' });
      expectError(res, 400, 'RESOURCE_ALREADY_EXISTS');
      ok(await getModel('mover'));
    });

    it('updates the description with PATCH', async () => {
      await model('described');
      const res = ok(
        await send('PATCH', '/registered-models/update', { name: 'described', description: 'churn' }),
      );
      expect(res.registered_model).toMatchObject({ name: 'described', description: 'churn' });
      expect(ok(await getModel('described')).registered_model.description).toBe('churn');
    });

    it('deletes a model given a JSON body to DELETE, after which get answers 404', async () => {
      await model('doomed', 1);
      expect(ok(await send('DELETE', '/registered-models/delete', { name: 'doomed' }))).toEqual({});
      expectMissing(await getModel('doomed'));
      expectMissing(await getVersion('doomed', '1'));
      expectMissing(await send('DELETE', '/registered-models/delete', { name: 'doomed' }));
    });

    it('searches by name LIKE over GET with order_by and paging', async () => {
      for (const name of ['fr-b', 'fr-a', 'fr-c', 'other']) await model(name);
      const query = { filter: "name LIKE 'fr%'", order_by: 'name DESC', max_results: '2' };
      const page1 = ok(await get('/registered-models/search', query));
      expect(page1.registered_models.map((m: Json) => m.name)).toEqual(['fr-c', 'fr-b']);
      expect(typeof page1.next_page_token).toBe('string');
      const page2 = ok(
        await get('/registered-models/search', { ...query, page_token: page1.next_page_token }),
      );
      expect(page2.registered_models.map((m: Json) => m.name)).toEqual(['fr-a']);
      expect(page2).not.toHaveProperty('next_page_token');
      expect(ok(await get('/registered-models/search', { filter: "name LIKE 'nothing%'" }))).toEqual({});
    });

    it('sets a model tag and deletes it with DELETE', async () => {
      await model('tagged');
      expect(
        ok(await send('POST', '/registered-models/set-tag', { name: 'tagged', key: 'team', value: 'risk' })),
      ).toEqual({});
      expect(ok(await getModel('tagged')).registered_model.tags).toEqual([{ key: 'team', value: 'risk' }]);
      ok(await send('DELETE', '/registered-models/delete-tag', { name: 'tagged', key: 'team' }));
      expect(ok(await getModel('tagged')).registered_model).not.toHaveProperty('tags');
    });
  });

  describe('stages and get-latest-versions', () => {
    beforeAll(async () => {
      await model('staged', 4);
      ok(await transition('staged', '1', 'Production'));
      ok(await transition('staged', '3', 'Staging'));
    });

    it('archives the previous Production version when archive_existing_versions is set', async () => {
      const res = ok(await transition('staged', '2', 'Production', true));
      expect(res.model_version).toMatchObject({ name: 'staged', version: '2', current_stage: 'Production' });
      expect((await versionJson('staged', '1')).current_stage).toBe('Archived');
      expect((await versionJson('staged', '3')).current_stage).toBe('Staging');
    });

    it('returns the latest version of every stage without stages, over POST and GET', async () => {
      const byPost = await send('POST', '/registered-models/get-latest-versions', { name: 'staged' });
      const byGet = await get('/registered-models/get-latest-versions', { name: 'staged' });
      for (const res of [byPost, byGet]) {
        const pairs = ok(res).model_versions.map((v: WireVersion) => [v.current_stage, v.version]);
        expect(pairs.sort()).toEqual([
          ['Archived', '1'],
          ['None', '4'],
          ['Production', '2'],
          ['Staging', '3'],
        ]);
      }
    });

    it('returns only the asked stages, over POST and GET', async () => {
      const path = '/registered-models/get-latest-versions';
      expect(versionsIn(ok(await send('POST', path, { name: 'staged', stages: ['Production'] })))).toEqual([
        '2',
      ]);
      expect(versionsIn(ok(await get(path, { name: 'staged', stages: ['Staging', 'None'] })))).toEqual([
        '3',
        '4',
      ]);
    });

    it('rejects an unknown stage with 400', async () => {
      expectError(await transition('staged', '4', 'Canary'), 400, 'INVALID_PARAMETER_VALUE');
    });
  });

  describe('model versions', () => {
    it('updates a version description with PATCH', async () => {
      await model('patched', 1);
      const res = ok(
        await send('PATCH', '/model-versions/update', { name: 'patched', version: '1', description: 'v1' }),
      );
      expect(res.model_version).toMatchObject({ name: 'patched', version: '1', description: 'v1' });
      expect((await versionJson('patched', '1')).description).toBe('v1');
    });

    it('deletes a version with DELETE and never reuses its number', async () => {
      await model('numbered', 2);
      expect(ok(await send('DELETE', '/model-versions/delete', { name: 'numbered', version: '2' }))).toEqual(
        {},
      );
      expectMissing(await getVersion('numbered', '2'));
      expect(await version('numbered')).toBe('3');
      expect(versionsIn(ok(await get('/model-versions/search', { filter: "name = 'numbered'" })))).toEqual([
        '1',
        '3',
      ]);
    });

    it('sets a version tag and deletes it with DELETE', async () => {
      await model('vtagged', 1);
      const ref = { name: 'vtagged', version: '1' };
      expect(ok(await send('POST', '/model-versions/set-tag', { ...ref, key: 'k', value: 'v' }))).toEqual({});
      expect((await versionJson('vtagged', '1')).tags).toEqual([{ key: 'k', value: 'v' }]);
      ok(await send('DELETE', '/model-versions/delete-tag', { ...ref, key: 'k' }));
      expect(await versionJson('vtagged', '1')).not.toHaveProperty('tags');
    });
  });

  describe('aliases', () => {
    it.each(['latest', 'v3', 'V12'])('refuses the reserved alias name %s with 400', async (name) => {
      await model(`reserved-${name}`, 1);
      expectError(await alias(`reserved-${name}`, name, '1'), 400, 'INVALID_PARAMETER_VALUE');
    });

    it('drops the aliases of a deleted version', async () => {
      await model('aliased', 2);
      ok(await alias('aliased', 'champion', '2'));
      ok(await alias('aliased', 'backup', '1'));
      ok(await send('DELETE', '/model-versions/delete', { name: 'aliased', version: '2' }));
      expect(ok(await getModel('aliased')).registered_model.aliases).toEqual([
        { alias: 'backup', version: '1' },
      ]);
      expectMissing(await get('/registered-models/alias', { name: 'aliased', alias: 'champion' }));
    });
  });

  describe('DELETE with parameters in the query string', () => {
    it('deletes tags, aliases, versions and models without a body', async () => {
      const name = 'querystring';
      await model(name, 2);
      ok(await send('POST', '/registered-models/set-tag', { name, key: 'k', value: 'v' }));
      ok(await send('POST', '/model-versions/set-tag', { name, version: '1', key: 'k', value: 'v' }));
      ok(await alias(name, 'champion', '1'));

      ok(await del('/registered-models/delete-tag', { name, key: 'k' }));
      ok(await del('/model-versions/delete-tag', { name, version: '1', key: 'k' }));
      ok(await del('/registered-models/alias', { name, alias: 'champion' }));
      const registered = ok(await getModel(name)).registered_model;
      expect(registered).not.toHaveProperty('tags');
      expect(registered).not.toHaveProperty('aliases');
      expect(await versionJson(name, '1')).not.toHaveProperty('tags');

      ok(await del('/model-versions/delete', { name, version: '2' }));
      expectMissing(await getVersion(name, '2'));
      ok(await del('/registered-models/delete', { name }));
      expectMissing(await getModel(name));
    });

    it('still answers 400 naming the field when a required parameter is missing', async () => {
      const res = await del('/registered-models/delete-tag', { name: 'x' });
      expectError(res, 400, 'INVALID_PARAMETER_VALUE');
      expect(res.json().message).toContain("'key'");
    });
  });
});
