/** MLflow model-registry endpoints: /registered-models/* and /model-versions/*. */
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../../platform.js';
import type { Stage } from '../../../registry/types.js';
import { modelVersionJson, pageJson, registeredModelJson } from './render.js';
import { bool, input, int, obj, str, strList, tagList } from './schemas.js';

type WireTag = { key: string; value?: string };
type SearchQuery = { filter?: string; max_results?: number; order_by?: string[]; page_token?: string };
const searchSchema = obj({ filter: str, max_results: int, order_by: strList, page_token: str });
const toTags = (ts: WireTag[] | undefined) => (ts ?? []).map((t) => ({ key: t.key, value: t.value ?? '' }));

export function registeredModelRoutes(app: FastifyInstance, { registry }: Platform): void {
  app.post<{ Body: { name: string; tags?: WireTag[]; description?: string } }>(
    '/registered-models/create',
    { schema: input('POST', obj({ name: str, tags: tagList, description: str }, ['name'])) },
    async (req) => ({
      registered_model: registeredModelJson(
        await registry.createRegisteredModel({ ...req.body, tags: toTags(req.body.tags) }),
      ),
    }),
  );
  app.get<{ Querystring: { name: string } }>(
    '/registered-models/get',
    { schema: input('GET', obj({ name: str }, ['name'])) },
    async (req) => ({
      registered_model: registeredModelJson(await registry.getRegisteredModel(req.query.name)),
    }),
  );
  app.post<{ Body: { name: string; new_name: string } }>(
    '/registered-models/rename',
    { schema: input('POST', obj({ name: str, new_name: str }, ['name', 'new_name'])) },
    async (req) => ({
      registered_model: registeredModelJson(
        await registry.renameRegisteredModel(req.body.name, req.body.new_name),
      ),
    }),
  );
  app.patch<{ Body: { name: string; description?: string } }>(
    '/registered-models/update',
    { schema: input('PATCH', obj({ name: str, description: str }, ['name'])) },
    async (req) => ({
      registered_model: registeredModelJson(
        await registry.updateRegisteredModel(req.body.name, req.body.description ?? ''),
      ),
    }),
  );
  app.delete<{ Body: { name: string } }>(
    '/registered-models/delete',
    { schema: input('DELETE', obj({ name: str }, ['name'])) },
    async (req) => {
      await registry.deleteRegisteredModel(req.body.name);
      return {};
    },
  );
  app.get<{ Querystring: SearchQuery }>(
    '/registered-models/search',
    { schema: input('GET', searchSchema) },
    async (req) => {
      const page = await registry.searchRegisteredModels({
        filter: req.query.filter,
        maxResults: req.query.max_results,
        orderBy: req.query.order_by,
        pageToken: req.query.page_token,
      });
      return pageJson('registered_models', page.items.map(registeredModelJson), page.nextPageToken);
    },
  );

  const latest = async (name: string, stages?: string[]) => {
    const model = await registry.getRegisteredModel(name);
    const wanted = stages?.length ? new Set(stages.map((s) => s.toLowerCase())) : undefined;
    const versions = model.latestVersions.filter((v) => !wanted || wanted.has(v.currentStage.toLowerCase()));
    return pageJson('model_versions', versions.map(modelVersionJson));
  };
  const latestSchema = obj({ name: str, stages: strList }, ['name']);
  app.post<{ Body: { name: string; stages?: string[] } }>(
    '/registered-models/get-latest-versions',
    { schema: input('POST', latestSchema), config: { role: 'read' } },
    (req) => latest(req.body.name, req.body.stages),
  );
  app.get<{ Querystring: { name: string; stages?: string[] } }>(
    '/registered-models/get-latest-versions',
    { schema: input('GET', latestSchema) },
    (req) => latest(req.query.name, req.query.stages),
  );

  app.post<{ Body: { name: string; key: string; value: string } }>(
    '/registered-models/set-tag',
    { schema: input('POST', obj({ name: str, key: str, value: str }, ['name', 'key', 'value'])) },
    async (req) => {
      await registry.setRegisteredModelTag(req.body.name, { key: req.body.key, value: req.body.value });
      return {};
    },
  );
  app.delete<{ Body: { name: string; key: string } }>(
    '/registered-models/delete-tag',
    { schema: input('DELETE', obj({ name: str, key: str }, ['name', 'key'])) },
    async (req) => {
      await registry.deleteRegisteredModelTag(req.body.name, req.body.key);
      return {};
    },
  );

  app.post<{ Body: { name: string; alias: string; version: string } }>(
    '/registered-models/alias',
    { schema: input('POST', obj({ name: str, alias: str, version: str }, ['name', 'alias', 'version'])) },
    async (req) => {
      await registry.setAlias(req.body.name, req.body.alias, req.body.version);
      return {};
    },
  );
  app.delete<{ Body: { name: string; alias: string } }>(
    '/registered-models/alias',
    { schema: input('DELETE', obj({ name: str, alias: str }, ['name', 'alias'])) },
    async (req) => {
      await registry.deleteAlias(req.body.name, req.body.alias);
      return {};
    },
  );
  app.get<{ Querystring: { name: string; alias: string } }>(
    '/registered-models/alias',
    { schema: input('GET', obj({ name: str, alias: str }, ['name', 'alias'])) },
    async (req) => ({
      model_version: modelVersionJson(await registry.getVersionByAlias(req.query.name, req.query.alias)),
    }),
  );
}

type VersionRef = { name: string; version: string };
const versionRef = { name: str, version: str };

export function modelVersionRoutes(app: FastifyInstance, { registry }: Platform): void {
  app.post<{
    Body: {
      name: string;
      source: string;
      run_id?: string;
      tags?: WireTag[];
      run_link?: string;
      description?: string;
    };
  }>(
    '/model-versions/create',
    {
      schema: input(
        'POST',
        obj({ name: str, source: str, run_id: str, tags: tagList, run_link: str, description: str }, [
          'name',
          'source',
        ]),
      ),
    },
    async (req) => {
      const b = req.body;
      const v = await registry.createModelVersion({
        name: b.name,
        source: b.source,
        runId: b.run_id || undefined,
        runLink: b.run_link,
        description: b.description,
        tags: toTags(b.tags),
      });
      return { model_version: modelVersionJson(v) };
    },
  );
  app.get<{ Querystring: VersionRef }>(
    '/model-versions/get',
    { schema: input('GET', obj(versionRef, ['name', 'version'])) },
    async (req) => ({
      model_version: modelVersionJson(await registry.getModelVersion(req.query.name, req.query.version)),
    }),
  );
  app.patch<{ Body: VersionRef & { description?: string } }>(
    '/model-versions/update',
    { schema: input('PATCH', obj({ ...versionRef, description: str }, ['name', 'version'])) },
    async (req) => ({
      model_version: modelVersionJson(
        await registry.updateModelVersion(req.body.name, req.body.version, req.body.description ?? ''),
      ),
    }),
  );
  app.delete<{ Body: VersionRef }>(
    '/model-versions/delete',
    { schema: input('DELETE', obj(versionRef, ['name', 'version'])) },
    async (req) => {
      await registry.deleteModelVersion(req.body.name, req.body.version);
      return {};
    },
  );
  app.get<{ Querystring: SearchQuery }>(
    '/model-versions/search',
    { schema: input('GET', searchSchema) },
    async (req) => {
      const page = await registry.searchModelVersions({
        filter: req.query.filter,
        maxResults: req.query.max_results,
        orderBy: req.query.order_by,
        pageToken: req.query.page_token,
      });
      return pageJson('model_versions', page.items.map(modelVersionJson), page.nextPageToken);
    },
  );
  app.get<{ Querystring: VersionRef }>(
    '/model-versions/get-download-uri',
    { schema: input('GET', obj(versionRef, ['name', 'version'])) },
    async (req) => ({ artifact_uri: await registry.getDownloadUri(req.query.name, req.query.version) }),
  );
  app.post<{ Body: VersionRef & { stage: Stage; archive_existing_versions?: boolean } }>(
    '/model-versions/transition-stage',
    {
      schema: input(
        'POST',
        obj({ ...versionRef, stage: str, archive_existing_versions: bool }, ['name', 'version', 'stage']),
      ),
    },
    async (req) => {
      const b = req.body;
      const v = await registry.transitionStage(
        b.name,
        b.version,
        b.stage,
        b.archive_existing_versions ?? false,
      );
      return { model_version: modelVersionJson(v) };
    },
  );
  app.post<{ Body: VersionRef & { key: string; value: string } }>(
    '/model-versions/set-tag',
    {
      schema: input(
        'POST',
        obj({ ...versionRef, key: str, value: str }, ['name', 'version', 'key', 'value']),
      ),
    },
    async (req) => {
      await registry.setModelVersionTag(req.body.name, req.body.version, {
        key: req.body.key,
        value: req.body.value,
      });
      return {};
    },
  );
  app.delete<{ Body: VersionRef & { key: string } }>(
    '/model-versions/delete-tag',
    { schema: input('DELETE', obj({ ...versionRef, key: str }, ['name', 'version', 'key'])) },
    async (req) => {
      await registry.deleteModelVersionTag(req.body.name, req.body.version, req.body.key);
      return {};
    },
  );
}
