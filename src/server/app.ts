/**
 * The control-plane HTTP app: native API under /api/v1, the MLflow-compatible API, health.
 * Handlers only translate; every domain call goes through the Platform's services.
 */
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type client from 'prom-client';
import { httpStatusOf } from '../core/errors.js';
import type { ModelMonitor } from '../monitoring/monitor/index.js';
import type { Platform } from '../platform.js';
import type { Engine } from '../serving/engine.js';
import { installAuth } from './auth.js';
import { type FeatureServing, feastApi } from './compat/feast/index.js';
import { mlflowApi } from './compat/mlflow/index.js';
import { toSlipwayError } from './errors.js';
import { installOverloadProtection, type OverloadLimits } from './overload.js';
import { nativeApi } from './routes/index.js';
import { servingRoutes } from './serving-app.js';
import { installValidation } from './validation.js';

export interface ServerOptions {
  /** Pino logger options, or false for silence (tests). */
  logger?: boolean | { level: string };
  /** Overload limits (503 + Retry-After beyond them); unset fields keep the defaults in overload.ts. */
  overload?: Partial<OverloadLimits>;
  /** Serve models in-process too: the data-plane routes (TF Serving, KServe V2, TorchServe, /metrics). */
  serving?: Engine;
  /** Serve online features: Feast's feature-server routes. */
  features?: FeatureServing;
  /** The inference log's root folder, read by the monitoring routes (drift reports). */
  inferenceLogDir?: string;
  /** Writes out what the in-process inference log has buffered (before reports and request-id checks). */
  flushInferenceLog?: () => Promise<void>;
  /** The monitoring loop (`--monitoring FILE`): alerts, SLOs, skew and evaluate routes. */
  monitor?: ModelMonitor;
  /** Without in-process serving: a registry served on `/metrics` (the monitor's gauges). */
  metricsRegistry?: client.Registry;
}

/**
 * Builds the app over an opened platform (does not listen).
 *
 * @example
 * const app = await createServer(await openPlatform(config));
 * await app.listen({ host: config.host, port: config.port });
 */
export async function createServer(platform: Platform, opts: ServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? { level: platform.config.logLevel },
    bodyLimit: platform.config.maxJsonBytes,
    // Per-request log lines cost more than a metric write; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    // Run ids, names and artifact paths may be long.
    routerOptions: { maxParamLength: 2000 },
  });
  installValidation(app);
  installAuth(app, platform.config.auth.tokens);

  // Native error shape by default; protocol adapters set their own handler in their scope.
  app.setErrorHandler((err, req, reply) => {
    const e = toSlipwayError(err);
    const status = httpStatusOf(e.code);
    if (status >= 500) req.log.error({ err }, 'request failed');
    if (status === 429 || status === 503) reply.header('Retry-After', '1');
    return reply.status(status).send({ error: { code: e.code, message: e.message, details: e.details } });
  });
  // Overload protection (overload.ts): fast 503 + Retry-After for every route and 404, probes aside.
  await installOverloadProtection(app, opts.overload);
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({
      error: {
        code: 'ENDPOINT_NOT_FOUND',
        message: `No endpoint ${req.method} ${req.url.split('?')[0]}`,
        details: {},
      },
    }),
  );

  app.get('/healthz', { config: { role: 'none' } }, async () => ({ status: 'ok' }));
  app.get('/health', { config: { role: 'none' } }, async () => 'OK');
  app.get('/readyz', { config: { role: 'none' } }, async (_req, reply) => {
    const ok = await platform.ping();
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'unavailable' });
  });

  const { inferenceLogDir, flushInferenceLog, monitor } = opts;
  await app.register(nativeApi(platform, { inferenceLogDir, flushInferenceLog, monitor }), {
    prefix: '/api/v1',
  });
  await app.register(mlflowApi(platform));
  if (opts.serving) await servingRoutes(app, opts.serving);
  else if (opts.metricsRegistry) {
    const registry = opts.metricsRegistry;
    app.get('/metrics', { config: { role: 'read' } }, async (_req, reply) => {
      reply.header('content-type', registry.contentType);
      return registry.metrics();
    });
  }
  if (opts.features) await app.register(feastApi(opts.features));
  return app;
}
