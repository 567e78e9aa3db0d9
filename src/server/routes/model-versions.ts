/**
 * `/models/:name/versions` and `/model-versions`: register, read, describe, stage, tag and delete
 * model versions; search them; resolve a reference (`name@alias`, `name/3`, `name`) to one.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Tag } from '../../core/types.js';
import type { Platform } from '../../platform.js';
import type { ModelSignature } from '../../registry/types.js';
import {
  bool,
  int,
  nonEmpty,
  obj,
  params,
  type SearchQuery,
  searchQuery,
  str,
  tagList,
  tagValueBody,
} from './schemas.js';

type VersionParams = { name: string; version: string };
type CreateBody = {
  source: string;
  runId?: string;
  description?: string;
  tags?: Tag[];
  signature?: ModelSignature;
};

const tensorSpec = obj({ name: str, dtype: str, shape: { type: 'array', items: int } }, [
  'name',
  'dtype',
  'shape',
]);
const signature = obj(
  { inputs: { type: 'array', items: tensorSpec }, outputs: { type: 'array', items: tensorSpec } },
  ['inputs', 'outputs'],
);
const versionParams = params('name', 'version');
const versionPath = '/models/:name/versions/:version';

/** Routes of the model-version resource. */
export function modelVersionRoutes({ registry }: Platform): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Params: { name: string }; Body: CreateBody }>(
      '/models/:name/versions',
      {
        schema: {
          params: params('name'),
          body: obj({ source: nonEmpty, runId: nonEmpty, description: str, tags: tagList, signature }, [
            'source',
          ]),
        },
      },
      async (req, reply) =>
        reply.status(201).send(await registry.createModelVersion({ ...req.body, name: req.params.name })),
    );

    app.get<{ Params: VersionParams }>(versionPath, { schema: { params: versionParams } }, (req) =>
      registry.getModelVersion(req.params.name, req.params.version),
    );

    app.patch<{ Params: VersionParams; Body: { description: string } }>(
      versionPath,
      { schema: { params: versionParams, body: obj({ description: str }, ['description']) } },
      (req) => registry.updateModelVersion(req.params.name, req.params.version, req.body.description),
    );

    app.delete<{ Params: VersionParams }>(
      versionPath,
      { schema: { params: versionParams } },
      async (req, reply) => {
        await registry.deleteModelVersion(req.params.name, req.params.version);
        return reply.status(204).send();
      },
    );

    app.post<{ Params: VersionParams; Body: { stage: string; archiveExistingVersions?: boolean } }>(
      `${versionPath}/stage`,
      {
        schema: {
          params: versionParams,
          body: obj({ stage: nonEmpty, archiveExistingVersions: bool }, ['stage']),
        },
      },
      (req) => {
        const { name, version } = req.params;
        return registry.transitionStage(
          name,
          version,
          req.body.stage,
          req.body.archiveExistingVersions ?? false,
        );
      },
    );

    app.put<{ Params: VersionParams & { key: string }; Body: { value: string } }>(
      `${versionPath}/tags/:key`,
      { schema: { params: params('name', 'version', 'key'), body: tagValueBody } },
      async (req, reply) => {
        const { name, version, key } = req.params;
        await registry.setModelVersionTag(name, version, { key, value: req.body.value });
        return reply.status(204).send();
      },
    );

    app.delete<{ Params: VersionParams & { key: string } }>(
      `${versionPath}/tags/:key`,
      { schema: { params: params('name', 'version', 'key') } },
      async (req, reply) => {
        await registry.deleteModelVersionTag(req.params.name, req.params.version, req.params.key);
        return reply.status(204).send();
      },
    );

    app.get<{ Params: VersionParams }>(
      `${versionPath}/download-uri`,
      { schema: { params: versionParams } },
      async (req) => ({
        artifactUri: await registry.getDownloadUri(req.params.name, req.params.version),
      }),
    );

    app.get<{ Querystring: SearchQuery }>(
      '/model-versions',
      { schema: { querystring: searchQuery() } },
      (req) => registry.searchModelVersions(req.query),
    );

    app.get<{ Querystring: { ref: string } }>(
      '/model-versions/resolve',
      { schema: { querystring: obj({ ref: nonEmpty }, ['ref']) } },
      (req) => registry.resolve(req.query.ref),
    );
  };
}
