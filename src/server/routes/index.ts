/** The native REST API (mounted under `/api/v1`): one route file per resource, camelCase JSON. */
import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../../platform.js';
import { datasetRoutes } from './datasets.js';
import { eventRoutes } from './events.js';
import { experimentRoutes } from './experiments.js';
import { featureViewRoutes } from './feature-views.js';
import { featureRoutes } from './features.js';
import { labelRoutes } from './labels.js';
import { modelVersionRoutes } from './model-versions.js';
import { modelRoutes } from './models.js';
import { type MonitoringRouteOptions, monitoringRoutes } from './monitoring.js';
import { runArtifactRoutes } from './run-artifacts.js';
import { runRoutes } from './runs.js';

/**
 * The native API as a Fastify plugin. Each resource registers in its own scope, so a scope's
 * settings (the raw-body parsers of artifact uploads) never leak into the others.
 *
 * @example
 * await app.register(nativeApi(platform), { prefix: '/api/v1' });
 */
export function nativeApi(platform: Platform, monitoring: MonitoringRouteOptions = {}): FastifyPluginAsync {
  return async (app) => {
    await app.register(experimentRoutes(platform));
    await app.register(runRoutes(platform));
    await app.register(runArtifactRoutes(platform));
    await app.register(modelRoutes(platform));
    await app.register(modelVersionRoutes(platform));
    await app.register(featureRoutes(platform));
    await app.register(datasetRoutes(platform));
    await app.register(featureViewRoutes(platform));
    await app.register(monitoringRoutes(platform, monitoring));
    await app.register(labelRoutes(platform, monitoring));
    await app.register(eventRoutes(platform, monitoring));
  };
}
