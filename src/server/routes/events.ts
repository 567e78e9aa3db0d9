/**
 * `/events` and `/monitoring/business`: business metrics. `POST /events` with `{model, events: [...]}`
 * — each `{name, requestId, rowIndex?, value?, ts?}` or `{name, entity: {...}, ts, value?}` — stores
 * the batch idempotently and answers like `POST /labels` (accepted, unknown request ids).
 * `GET /monitoring/business?model=NAME&window=24h[&version=N][&segment=COL]` reports the events per
 * model version beside the served traffic, read from the server's inference log
 * (`slipway server --inference-log DIR`), the same JSON as `slipway monitor business --json`.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { BusinessMetricsReport, EventStore } from '../../monitoring/business/index.js';
import { acceptEvents, type LateArrivalsAccepted } from '../../monitoring/late-arrivals.js';
import { businessOverWindow } from '../../monitoring/window-reports.js';
import type { Platform } from '../../platform.js';
import { type InferenceLogRouteOptions, requireInferenceLog } from './inference-log-access.js';
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
    app.post(
      '/events',
      (req): Promise<LateArrivalsAccepted> => acceptEvents(store, req.body, opts, opts.maxBatch),
    );
    app.get<{ Querystring: BusinessQuery }>(
      '/monitoring/business',
      { schema: { querystring: businessQuery } },
      async (req): Promise<BusinessMetricsReport> =>
        businessOverWindow(store, await requireInferenceLog(opts), req.query),
    );
  };
}
