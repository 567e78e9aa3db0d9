/**
 * `/labels`: delayed ground truth. `POST /labels` with `{model, labels: [...]}` — each label
 * `{requestId, rowIndex?, value, ts?}` or `{entity: {...}, ts, value}` — stores the batch
 * (idempotently: a label sent again replaces its value) and answers how many were accepted and how
 * many request ids the model's inference log has never seen (with the first few). Without an
 * inference log (`slipway server --inference-log DIR`), the ids are accepted unverified.
 */
import type { FastifyPluginAsync } from 'fastify';
import {
  isRequestLabel,
  type LabelStore,
  MAX_LABEL_BATCH,
  type PredictionRef,
  parseLabelBatch,
  unknownRequestIds,
} from '../../monitoring/performance/index.js';
import type { Platform } from '../../platform.js';
import { flushedInferenceLog, type InferenceLogRouteOptions } from './inference-log-access.js';

/** Where the label routes keep and check labels. */
export interface LabelRouteOptions extends InferenceLogRouteOptions {
  /** The label store; by default one over the platform's metadata database, opened on first use. */
  labels?: LabelStore;
  /** Labels one request may carry (default MAX_LABEL_BATCH). */
  maxBatch?: number;
}

/** What `POST /labels` and `POST /events` answer. */
export interface LateArrivalsAccepted {
  model: string;
  accepted: number;
  /** False when the server has no inference log to check request ids against. */
  verified: boolean;
  /** Distinct request ids not in the model's inference log (null when unverified). */
  unknownRequestIds: number | null;
  /** The first few of them, sorted. */
  unknownRequestIdSample: string[];
}

export type LabelsAccepted = LateArrivalsAccepted;

/**
 * Checks the request ids of a validated batch against the model's inference log (when there is one),
 * stores the batch with `store`, and says what was accepted — for labels and for outcome events.
 */
export async function acceptLateArrivals(
  model: string,
  items: readonly PredictionRef[],
  log: InferenceLogRouteOptions,
  store: () => Promise<void>,
): Promise<LateArrivalsAccepted> {
  const ids = items.filter(isRequestLabel).map((l) => l.requestId);
  const dir = ids.length > 0 ? await flushedInferenceLog(log) : log.inferenceLogDir;
  const unknown = dir ? await unknownRequestIds(dir, model, ids) : undefined;
  await store();
  return {
    model,
    accepted: items.length,
    verified: unknown !== undefined,
    unknownRequestIds: unknown?.count ?? null,
    unknownRequestIdSample: unknown?.sample ?? [],
  };
}

/** Routes of the label resource. */
export function labelRoutes(platform: Platform, opts: LabelRouteOptions = {}): FastifyPluginAsync {
  return async (app) => {
    const store = async (): Promise<LabelStore> => opts.labels ?? platform.labels;
    app.post('/labels', async (req): Promise<LabelsAccepted> => {
      const now = Date.now();
      const batch = parseLabelBatch(req.body, now, opts.maxBatch ?? MAX_LABEL_BATCH);
      return acceptLateArrivals(batch.model, batch.labels, opts, async () =>
        (await store()).upsert(batch.labels, now),
      );
    });
  };
}
