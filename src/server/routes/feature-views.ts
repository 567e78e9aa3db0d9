/**
 * `/features/views`: each online feature view's freshness (version, last materialization, rows),
 * and one view's statistics and latest validation report, from the materialization log.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../../platform.js';
import { nonEmpty, obj, params } from './schemas.js';

type ProjectQuery = { project?: string };

/** Routes of the feature-view resource (read-only). */
export function featureViewRoutes({ materializations }: Platform): FastifyPluginAsync {
  return async (app) => {
    const querystring = obj({ project: nonEmpty });

    app.get<{ Querystring: ProjectQuery }>('/features/views', { schema: { querystring } }, async (req) => ({
      views: await materializations.views(req.query.project),
    }));

    app.get<{ Params: { name: string }; Querystring: ProjectQuery }>(
      '/features/views/:name',
      { schema: { params: params('name'), querystring } },
      (req) => materializations.view(req.params.name, req.query.project),
    );
  };
}
