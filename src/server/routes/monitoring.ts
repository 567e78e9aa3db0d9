/**
 * `/monitoring`: drift of a model's served traffic. `GET /monitoring/drift?model=REF&window=24h`
 * (or `from`/`to`, optional `reference` as a dataset NAME/VERSION) returns the same JSON as `slipway monitor report --json`,
 * read from the inference log the server was started with (`slipway server --inference-log DIR`).
 */
import type { FastifyPluginAsync } from 'fastify';
import { invalidParameter } from '../../core/errors.js';
import { buildDriftReport } from '../../monitoring/report/index.js';
import type { Platform } from '../../platform.js';
import { nonEmpty, obj } from './schemas.js';

/** Where the monitoring routes read from. */
export interface MonitoringRouteOptions {
  /** The inference log's root folder; without it, drift requests are refused naming the flag. */
  inferenceLogDir?: string;
}

interface DriftQuery {
  model: string;
  window?: string;
  from?: string;
  to?: string;
  reference?: string;
}

const driftQuery = obj(
  { model: nonEmpty, window: nonEmpty, from: nonEmpty, to: nonEmpty, reference: nonEmpty },
  ['model'],
);

/** Routes of the monitoring resource. */
export function monitoringRoutes(platform: Platform, opts: MonitoringRouteOptions = {}): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: DriftQuery }>(
      '/monitoring/drift',
      { schema: { querystring: driftQuery } },
      async (req) => {
        if (!opts.inferenceLogDir)
          throw invalidParameter(
            'inference-log',
            'a server started with --inference-log DIR',
            'a server without an inference log',
          );
        const { model, window, from, to, reference } = req.query;
        return buildDriftReport({
          stores: {
            registry: platform.registry,
            datasets: platform.datasets,
            artifacts: platform.artifacts.store,
          },
          inferenceLogDir: opts.inferenceLogDir,
          model,
          window: window ?? (from === undefined ? '24h' : undefined),
          from,
          to,
          reference,
          allowFileReference: false,
        });
      },
    );
  };
}
