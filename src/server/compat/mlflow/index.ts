/**
 * The MLflow-compatible API, as the stock MLflow 2.17 client uses it: the same paths under
 * /api/2.0/mlflow and /ajax-api/2.0/mlflow, and the artifact proxy under /api/2.0/mlflow-artifacts.
 * Errors render as MLflow's `{error_code, message}`.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { httpStatusOf } from '../../../core/errors.js';
import type { Platform } from '../../../platform.js';
import { toSlipwayError } from '../../errors.js';
import { mlflowArtifactRoutes } from './artifacts.js';
import { experimentRoutes } from './experiments.js';
import { modelVersionRoutes, registeredModelRoutes } from './registry.js';
import { runRoutes } from './runs.js';

function mlflowErrors(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => {
    const e = toSlipwayError(err);
    const status = httpStatusOf(e.code);
    if (status >= 500) req.log.error({ err }, 'request failed');
    if (status === 429 || status === 503) reply.header('Retry-After', '1');
    return reply.status(status).send({ error_code: e.code, message: e.message });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({
      error_code: 'ENDPOINT_NOT_FOUND',
      message: `No endpoint ${req.method} ${req.url.split('?')[0]}`,
    }),
  );
}

export function mlflowApi(platform: Platform): FastifyPluginAsync {
  return async (app) => {
    const api: FastifyPluginAsync = async (scope) => {
      mlflowErrors(scope);
      // Some clients send DELETE parameters in the query string rather than a JSON body.
      scope.addHook('preValidation', async (req) => {
        if (req.method === 'DELETE' && (req.body === undefined || req.body === null)) req.body = req.query;
      });
      experimentRoutes(scope, platform);
      runRoutes(scope, platform);
      registeredModelRoutes(scope, platform);
      modelVersionRoutes(scope, platform);
    };
    await app.register(api, { prefix: '/api/2.0/mlflow' });
    await app.register(api, { prefix: '/ajax-api/2.0/mlflow' });
    const artifacts: FastifyPluginAsync = async (scope) => {
      mlflowErrors(scope);
      await mlflowArtifactRoutes(scope, platform);
    };
    await app.register(artifacts, { prefix: '/api/2.0/mlflow-artifacts' });
    await app.register(artifacts, { prefix: '/ajax-api/2.0/mlflow-artifacts' });
  };
}
