/** `/experiments`: create, read, search, rename, delete, restore and tag experiments. */
import type { FastifyPluginAsync } from 'fastify';
import type { Tag } from '../../core/types.js';
import type { Platform } from '../../platform.js';
import {
  nonEmpty,
  obj,
  params,
  type SearchQuery,
  searchQuery,
  str,
  tagList,
  tagValueBody,
} from './schemas.js';

type IdParams = { id: string };

/** Routes of the experiment resource. */
export function experimentRoutes({ tracking }: Platform): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: { name: string; artifactLocation?: string; tags?: Tag[] } }>(
      '/experiments',
      { schema: { body: obj({ name: nonEmpty, artifactLocation: str, tags: tagList }, ['name']) } },
      async (req, reply) => reply.status(201).send(await tracking.createExperiment(req.body)),
    );

    app.get<{ Querystring: SearchQuery }>(
      '/experiments',
      { schema: { querystring: searchQuery(true) } },
      (req) => tracking.searchExperiments(req.query),
    );

    app.get<{ Params: { name: string } }>(
      '/experiments/by-name/:name',
      { schema: { params: params('name') } },
      (req) => tracking.getExperimentByName(req.params.name),
    );

    app.get<{ Params: IdParams }>('/experiments/:id', { schema: { params: params('id') } }, (req) =>
      tracking.getExperiment(req.params.id),
    );

    app.patch<{ Params: IdParams; Body: { name: string } }>(
      '/experiments/:id',
      { schema: { params: params('id'), body: obj({ name: nonEmpty }, ['name']) } },
      async (req, reply) => {
        await tracking.renameExperiment(req.params.id, req.body.name);
        return reply.status(204).send();
      },
    );

    app.delete<{ Params: IdParams }>(
      '/experiments/:id',
      { schema: { params: params('id') } },
      async (req, reply) => {
        await tracking.deleteExperiment(req.params.id);
        return reply.status(204).send();
      },
    );

    app.post<{ Params: IdParams }>(
      '/experiments/:id/restore',
      { schema: { params: params('id') } },
      async (req, reply) => {
        await tracking.restoreExperiment(req.params.id);
        return reply.status(204).send();
      },
    );

    app.put<{ Params: IdParams & { key: string }; Body: { value: string } }>(
      '/experiments/:id/tags/:key',
      { schema: { params: params('id', 'key'), body: tagValueBody } },
      async (req, reply) => {
        await tracking.setExperimentTag(req.params.id, { key: req.params.key, value: req.body.value });
        return reply.status(204).send();
      },
    );
  };
}
