/** MLflow experiment endpoints: /experiments/{create,get,get-by-name,search,update,delete,restore,set-experiment-tag}. */
import type { FastifyInstance } from 'fastify';
import type { ViewType } from '../../../core/types.js';
import type { Platform } from '../../../platform.js';
import { experimentJson, pageJson } from './render.js';
import { input, int, obj, str, strList, tagList, viewType } from './schemas.js';

interface SearchBody {
  max_results?: number;
  page_token?: string;
  filter?: string;
  order_by?: string[];
  view_type?: ViewType;
}

export function experimentRoutes(app: FastifyInstance, { tracking }: Platform): void {
  app.post<{ Body: { name: string; artifact_location?: string; tags?: { key: string; value: string }[] } }>(
    '/experiments/create',
    { schema: input('POST', obj({ name: str, artifact_location: str, tags: tagList }, ['name'])) },
    async (req) => {
      const e = await tracking.createExperiment({
        name: req.body.name,
        artifactLocation: req.body.artifact_location,
        tags: req.body.tags?.map((t) => ({ key: t.key, value: t.value ?? '' })),
      });
      return { experiment_id: e.experimentId };
    },
  );

  app.get<{ Querystring: { experiment_id: string } }>(
    '/experiments/get',
    { schema: input('GET', obj({ experiment_id: str }, ['experiment_id'])) },
    async (req) => ({ experiment: experimentJson(await tracking.getExperiment(req.query.experiment_id)) }),
  );

  app.get<{ Querystring: { experiment_name: string } }>(
    '/experiments/get-by-name',
    { schema: input('GET', obj({ experiment_name: str }, ['experiment_name'])) },
    async (req) => ({
      experiment: experimentJson(await tracking.getExperimentByName(req.query.experiment_name)),
    }),
  );

  const searchSchema = obj({
    max_results: int,
    page_token: str,
    filter: str,
    order_by: strList,
    view_type: viewType,
  });
  const search = async (q: SearchBody) => {
    const page = await tracking.searchExperiments({
      maxResults: q.max_results,
      pageToken: q.page_token,
      filter: q.filter,
      orderBy: q.order_by,
      view: q.view_type,
    });
    return pageJson('experiments', page.items.map(experimentJson), page.nextPageToken);
  };
  app.post<{ Body: SearchBody }>(
    '/experiments/search',
    { schema: input('POST', searchSchema), config: { role: 'read' } },
    (req) => search(req.body ?? {}),
  );
  app.get<{ Querystring: SearchBody }>('/experiments/search', { schema: input('GET', searchSchema) }, (req) =>
    search(req.query),
  );

  app.post<{ Body: { experiment_id: string; new_name: string } }>(
    '/experiments/update',
    { schema: input('POST', obj({ experiment_id: str, new_name: str }, ['experiment_id'])) },
    async (req) => {
      if (req.body.new_name !== undefined)
        await tracking.renameExperiment(req.body.experiment_id, req.body.new_name);
      return {};
    },
  );

  const idOnly = { schema: input('POST', obj({ experiment_id: str }, ['experiment_id'])) };
  app.post<{ Body: { experiment_id: string } }>('/experiments/delete', idOnly, async (req) => {
    await tracking.deleteExperiment(req.body.experiment_id);
    return {};
  });
  app.post<{ Body: { experiment_id: string } }>('/experiments/restore', idOnly, async (req) => {
    await tracking.restoreExperiment(req.body.experiment_id);
    return {};
  });

  app.post<{ Body: { experiment_id: string; key: string; value: string } }>(
    '/experiments/set-experiment-tag',
    {
      schema: input(
        'POST',
        obj({ experiment_id: str, key: str, value: str }, ['experiment_id', 'key', 'value']),
      ),
    },
    async (req) => {
      await tracking.setExperimentTag(req.body.experiment_id, { key: req.body.key, value: req.body.value });
      return {};
    },
  );
}
