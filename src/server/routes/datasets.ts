/** `/datasets`: dataset versions (training sets) — the latest of each, one dataset's versions, one version. */
import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../../platform.js';
import { params } from './schemas.js';

type NameParams = { name: string };

/** Routes of the dataset resource. Names are single path segments; versions are 1, 2, 3… */
export function datasetRoutes({ datasets }: Platform): FastifyPluginAsync {
  return async (app) => {
    app.get('/datasets', async () => ({ datasets: await datasets.list() }));

    app.get<{ Params: NameParams }>('/datasets/:name', { schema: { params: params('name') } }, (req) =>
      datasets.get(req.params.name),
    );

    app.get<{ Params: NameParams }>(
      '/datasets/:name/versions',
      { schema: { params: params('name') } },
      async (req) => ({ versions: await datasets.versions(req.params.name) }),
    );

    app.get<{ Params: NameParams & { version: string } }>(
      '/datasets/:name/versions/:version',
      { schema: { params: params('name', 'version') } },
      (req) => {
        const { name, version } = req.params;
        // A non-numeric version reaches the registry as NaN, which it refuses naming the field.
        return datasets.get(name, /^\d+$/.test(version) ? Number(version) : Number.NaN);
      },
    );
  };
}
