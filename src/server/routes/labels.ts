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
  parseLabelBatch,
  unknownRequestIds,
} from '../../monitoring/performance/index.js';
import type { Platform } from '../../platform.js';

/** Where the label routes keep and check labels. */
export interface LabelRouteOptions {
  /** The inference log's root folder; request ids are checked against it when given. */
  inferenceLogDir?: string;
  /** The label store; by default one over the platform's metadata database, opened on first use. */
  labels?: LabelStore;
  /** Labels one request may carry (default MAX_LABEL_BATCH). */
  maxBatch?: number;
}

/** What `POST /labels` answers. */
export interface LabelsAccepted {
  model: string;
  accepted: number;
  /** False when the server has no inference log to check request ids against. */
  verified: boolean;
  /** Distinct request ids not in the model's inference log (null when unverified). */
  unknownRequestIds: number | null;
  /** The first few of them, sorted. */
  unknownRequestIdSample: string[];
}

/** Routes of the label resource. */
export function labelRoutes(platform: Platform, opts: LabelRouteOptions = {}): FastifyPluginAsync {
  return async (app) => {
    const store = async (): Promise<LabelStore> => opts.labels ?? platform.labels;
    app.post('/labels', async (req): Promise<LabelsAccepted> => {
      const now = Date.now();
      const batch = parseLabelBatch(req.body, now, opts.maxBatch ?? MAX_LABEL_BATCH);
      const ids = batch.labels.filter(isRequestLabel).map((l) => l.requestId);
      const unknown = opts.inferenceLogDir
        ? await unknownRequestIds(opts.inferenceLogDir, batch.model, ids)
        : undefined;
      await (await store()).upsert(batch.labels, now);
      return {
        model: batch.model,
        accepted: batch.labels.length,
        verified: unknown !== undefined,
        unknownRequestIds: unknown?.count ?? null,
        unknownRequestIdSample: unknown?.sample ?? [],
      };
    });
  };
}
