/** V2 health, server metadata and per-model metadata / readiness / configuration routes. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { InferenceEngine, ModelStatus } from '../../../serving/types.js';
import { modelConfig, modelMetadata, V2_EXTENSIONS, versionRef } from './metadata.js';

export interface ModelRouteParams {
  model: string;
  version?: string;
}

type ModelRequest = FastifyRequest<{ Params: ModelRouteParams }>;

/** Both spellings of a model path: `/v2/models/{m}{suffix}` and `/v2/models/{m}/versions/{v}{suffix}`. */
export function modelPaths(suffix: string): string[] {
  return [`/v2/models/:model${suffix}`, `/v2/models/:model/versions/:version${suffix}`];
}

export function modelRoutes(app: FastifyInstance, engine: InferenceEngine, serverVersion: string): void {
  // Probes stay open when auth is on, like the app's own /healthz and /readyz.
  const probe = { config: { role: 'none' as const } };
  app.get('/v2/health/live', probe, async () => ({ live: true }));
  app.get('/v2/health/ready', probe, async (_req, reply) => {
    const ready = engine.isReady();
    return reply.status(ready ? 200 : 503).send({ ready });
  });
  const server = { name: 'slipway', version: serverVersion, extensions: V2_EXTENSIONS };
  app.get('/v2', async () => server);

  for (const path of modelPaths('')) {
    app.get(path, async (req: ModelRequest) => {
      const { model, version } = req.params;
      // getModel first: an unknown model is a 404 whatever version the path names.
      const status = engine.getModel(model);
      return modelMetadata(status, describedVersion(engine, status, version));
    });
  }

  for (const path of modelPaths('/ready')) {
    app.get(path, async (req: ModelRequest, reply: FastifyReply) => {
      const { model, version } = req.params;
      engine.getModel(model);
      // A named version (or label) is resolved first, so an unknown one is a 404 rather than "not ready".
      const ready =
        version === undefined
          ? engine.isReady(model)
          : engine.isReady(model, engine.getVersion(model, versionRef(version)).version);
      return reply.status(ready ? 200 : 503).send({ name: model, ready });
    });
  }

  for (const path of modelPaths('/config')) {
    app.get(path, async (req: ModelRequest) => {
      const { model, version } = req.params;
      return modelConfig(describedVersion(engine, engine.getModel(model), version));
    });
  }
}

/**
 * The version a metadata request describes. When no version answers (every one failed to load), the
 * newest known one stands in, so the caller learns why (its load error) instead of a bare 404.
 */
function describedVersion(engine: InferenceEngine, model: ModelStatus, version: string | undefined) {
  if (version === undefined && model.defaultVersion === undefined && model.versions.length > 0) {
    return model.versions[model.versions.length - 1];
  }
  return engine.getVersion(model.name, versionRef(version));
}
