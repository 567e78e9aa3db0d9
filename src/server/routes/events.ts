/**
 * `/events` and `/monitoring/business`: business metrics. `POST /events` with `{model, events: [...]}`
 * — each `{name, requestId, rowIndex?, value?, ts?}` or `{name, entity: {...}, ts, value?}` — stores
 * the batch idempotently and answers like `POST /labels` (accepted, unknown request ids).
 * `GET /monitoring/business?model=NAME&window=24h[&version=N][&segment=COL]` reports the events per
 * model version beside the served traffic, read from the server's inference log
 * (`slipway server --inference-log DIR`), the same JSON as `slipway monitor business --json`.
 */
import type { FastifyPluginAsync } from 'fastify';
import {
  type BusinessMetricsReport,
  type EventStore,
  MAX_EVENT_BATCH,
  parseEventBatch,
  reportBusinessMetrics,
} from '../../monitoring/business/index.js';
import { resolveWindow } from '../../monitoring/report/window.js';
import type { Platform } from '../../platform.js';
import { type InferenceLogRouteOptions, requireInferenceLog } from './inference-log-access.js';
import { acceptLateArrivals, type LateArrivalsAccepted } from './labels.js';
import { nonEmpty, obj } from './schemas.js';

/** Where the event routes keep events and read the log. */
export interface EventRouteOptions extends InferenceLogRouteOptions {
  /** The event store; by default the platform's. */
  events?: EventStore;
  /** Events one request may carry (default MAX_EVENT_BATCH). */
  maxBatch?: number;
}

interface BusinessQuery {
  model: string;
  window?: string;
  from?: string;
  to?: string;
  version?: string;
  segment?: string;
}

const businessQuery = obj(
  { model: nonEmpty, window: nonEmpty, from: nonEmpty, to: nonEmpty, version: nonEmpty, segment: nonEmpty },
  ['model'],
);

/** Routes of the event resource and its report. */
export function eventRoutes(platform: Platform, opts: EventRouteOptions = {}): FastifyPluginAsync {
  return async (app) => {
    const store = opts.events ?? platform.events;
    app.post('/events', async (req): Promise<LateArrivalsAccepted> => {
      const now = Date.now();
      const batch = parseEventBatch(req.body, now, opts.maxBatch ?? MAX_EVENT_BATCH);
      return acceptLateArrivals(batch.model, batch.events, opts, () => store.upsert(batch.events, now));
    });
    app.get<{ Querystring: BusinessQuery }>(
      '/monitoring/business',
      { schema: { querystring: businessQuery } },
      async (req): Promise<BusinessMetricsReport> => {
        const dir = await requireInferenceLog(opts);
        const { model, window, from, to, version, segment } = req.query;
        const range = resolveWindow(
          { window: window ?? (from === undefined ? '24h' : undefined), from, to },
          Date.now(),
        );
        return reportBusinessMetrics(store, {
          dir,
          model,
          version,
          segment,
          from: range.from,
          to: range.to,
        });
      },
    );
  };
}
