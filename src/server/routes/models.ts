/** `/models`: registered models — create, read, search, rename/describe, delete, tags and aliases. */
import type { FastifyPluginAsync } from 'fastify';
import type { Tag } from '../../core/types.js';
import type { Platform } from '../../platform.js';
import type { RegisteredModel } from '../../registry/types.js';
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

type NameParams = { name: string };

/** Routes of the registered-model resource. Names are single, percent-encoded path segments. */
export function modelRoutes({ registry }: Platform): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: { name: string; description?: string; tags?: Tag[] } }>(
      '/models',
      { schema: { body: obj({ name: nonEmpty, description: str, tags: tagList }, ['name']) } },
      async (req, reply) => reply.status(201).send(await registry.createRegisteredModel(req.body)),
    );

    app.get<{ Querystring: SearchQuery }>('/models', { schema: { querystring: searchQuery() } }, (req) =>
      registry.searchRegisteredModels(req.query),
    );

    app.get<{ Params: NameParams }>('/models/:name', { schema: { params: params('name') } }, (req) =>
      registry.getRegisteredModel(req.params.name),
    );

    app.patch<{ Params: NameParams; Body: { name?: string; description?: string } }>(
      '/models/:name',
      {
        schema: {
          params: params('name'),
          body: { ...obj({ name: nonEmpty, description: str }), minProperties: 1 },
        },
      },
      async (req) => {
        // Rename first, so a description given with a new name lands on the renamed model.
        const { name: newName, description } = req.body;
        let name = req.params.name;
        let model: RegisteredModel | undefined;
        if (newName !== undefined && newName !== name) {
          model = await registry.renameRegisteredModel(name, newName);
          name = newName;
        }
        if (description !== undefined) model = await registry.updateRegisteredModel(name, description);
        return model ?? registry.getRegisteredModel(name);
      },
    );

    app.delete<{ Params: NameParams }>(
      '/models/:name',
      { schema: { params: params('name') } },
      async (req, reply) => {
        await registry.deleteRegisteredModel(req.params.name);
        return reply.status(204).send();
      },
    );

    app.put<{ Params: NameParams & { key: string }; Body: { value: string } }>(
      '/models/:name/tags/:key',
      { schema: { params: params('name', 'key'), body: tagValueBody } },
      async (req, reply) => {
        await registry.setRegisteredModelTag(req.params.name, { key: req.params.key, value: req.body.value });
        return reply.status(204).send();
      },
    );

    app.delete<{ Params: NameParams & { key: string } }>(
      '/models/:name/tags/:key',
      { schema: { params: params('name', 'key') } },
      async (req, reply) => {
        await registry.deleteRegisteredModelTag(req.params.name, req.params.key);
        return reply.status(204).send();
      },
    );

    app.put<{ Params: NameParams & { alias: string }; Body: { version: string } }>(
      '/models/:name/aliases/:alias',
      { schema: { params: params('name', 'alias'), body: obj({ version: nonEmpty }, ['version']) } },
      async (req, reply) => {
        await registry.setAlias(req.params.name, req.params.alias, req.body.version);
        return reply.status(204).send();
      },
    );

    app.delete<{ Params: NameParams & { alias: string } }>(
      '/models/:name/aliases/:alias',
      { schema: { params: params('name', 'alias') } },
      async (req, reply) => {
        await registry.deleteAlias(req.params.name, req.params.alias);
        return reply.status(204).send();
      },
    );

    app.get<{ Params: NameParams & { alias: string } }>(
      '/models/:name/aliases/:alias',
      { schema: { params: params('name', 'alias') } },
      (req) => registry.getVersionByAlias(req.params.name, req.params.alias),
    );
  };
}
