/**
 * The data-plane HTTP app (`slipway serve`): TF Serving, KServe V2 and TorchServe protocols over one
 * inference engine, plus /metrics and health probes. The control plane (`slipway server`) mounts
 * the same routes through `servingRoutes` when it serves models in-process.
 */
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { AuthToken } from '../core/config.js';
import type { Engine } from '../serving/engine.js';
import { installAuth } from './auth.js';
import { kserveV2Api } from './compat/kserve-v2/index.js';
import { tfServingApi } from './compat/tf-serving/index.js';
import { torchServeApi } from './compat/torchserve/index.js';
import { installOverloadProtection, type OverloadLimits } from './overload.js';

export interface ServingServerOptions {
  logger?: boolean | { level: string };
  /** Largest request body (default 64 MiB: a batch of binary tensors can be big). */
  bodyLimit?: number;
  auth?: readonly AuthToken[];
  overload?: Partial<OverloadLimits>;
}

/**
 * Registers every serving protocol on `app`. Inference routes need only the `read` role (they change
 * nothing); repository load/unload need `write`.
 */
export async function servingRoutes(app: FastifyInstance, engine: Engine): Promise<void> {
  app.addHook('onRoute', (route) => {
    // TF Serving's `/v1/models/*` wildcard carries only inference verbs (:predict, :classify, :regress).
    if (/^\/v1\/models\/\*$|\/infer$|^\/predictions|\/repository\/index$/.test(route.url)) {
      route.config = { ...(route.config as object), role: 'read' };
    }
  });
  await app.register(tfServingApi(engine));
  await app.register(kserveV2Api(engine));
  await app.register(torchServeApi(engine));
  app.get('/metrics', { config: { role: 'read' } }, async (_req, reply) => {
    reply.header('content-type', engine.metrics.contentType);
    return engine.metrics.metrics();
  });
}

/**
 * The data-plane app over an opened engine (does not listen).
 *
 * @example
 * const engine = await openInferenceEngine({ repository: './models' });
 * const app = await createServingServer(engine);
 * await app.listen({ port: 8501 });
 */
export async function createServingServer(
  engine: Engine,
  opts: ServingServerOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? { level: 'info' },
    bodyLimit: opts.bodyLimit ?? 64 * 1024 * 1024,
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { maxParamLength: 500 },
  });
  installAuth(app, opts.auth ?? []);
  await installOverloadProtection(app, opts.overload);
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({ error: `No endpoint ${req.method} ${req.url.split('?')[0]}` }),
  );
  app.get('/healthz', { config: { role: 'none' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { role: 'none' } }, async (_req, reply) => {
    const ready = engine.isReady();
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'loading' });
  });
  await servingRoutes(app, engine);
  return app;
}
