/**
 * `/labels`: delayed ground truth. `POST /labels` with `{model, labels: [...]}` — each label
 * `{requestId, rowIndex?, value, ts?}` or `{entity: {...}, ts, value}` — stores the batch
 * (idempotently: a label sent again replaces its value) and answers how many were accepted and how
 * many request ids the model's inference log has never seen (with the first few). Without an
 * inference log (`slipway server --inference-log DIR`), the ids are accepted unverified.
 * The work is monitoring/late-arrivals.ts `acceptLabels`, which the SDK calls too.
 */
import type { FastifyPluginAsync } from 'fastify';
import { acceptLabels, type LateArrivalsAccepted } from '../../monitoring/late-arrivals.js';
import type { LabelStore } from '../../monitoring/performance/index.js';
import type { Platform } from '../../platform.js';
import type { InferenceLogRouteOptions } from './inference-log-access.js';

export type { LateArrivalsAccepted } from '../../monitoring/late-arrivals.js';

/** Where the label routes keep and check labels. */
export interface LabelRouteOptions extends InferenceLogRouteOptions {
  /** The label store; by default the platform's. */
  labels?: LabelStore;
  /** Labels one request may carry (default MAX_LABEL_BATCH). */
  maxBatch?: number;
}

export type LabelsAccepted = LateArrivalsAccepted;

/** Routes of the label resource. */
export function labelRoutes(platform: Platform, opts: LabelRouteOptions = {}): FastifyPluginAsync {
  return async (app) => {
    const store = opts.labels ?? platform.labels;
    app.post('/labels', (req): Promise<LabelsAccepted> => acceptLabels(store, req.body, opts, opts.maxBatch));
  };
}
