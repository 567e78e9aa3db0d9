/**
 * Late arrivals — ground-truth labels and outcome events posted after the prediction — accepted in
 * one place for `POST /labels`, `POST /events` and the SDK's `client.monitoring.logLabels/logEvents`:
 * the batch is validated (the first malformed item refuses it all, nothing stored), its request ids
 * are checked against the model's inference log when there is one, and it is stored idempotently.
 */
import { type EventStore, MAX_EVENT_BATCH, parseEventBatch } from './business/index.js';
import {
  isRequestLabel,
  type LabelStore,
  type LabelValue,
  MAX_LABEL_BATCH,
  type PredictionRef,
  parseLabelBatch,
  unknownRequestIds,
} from './performance/index.js';

/** The inference log request ids are checked against: its folder, and a flush of what is buffered. */
export interface InferenceLogAccess {
  /** The log's root folder; without it, request ids are accepted unverified. */
  inferenceLogDir?: string;
  /** Writes out what an in-process log has buffered, so ids answered a moment ago count as known. */
  flushInferenceLog?: () => Promise<void>;
}

/** What `POST /labels` and `POST /events` (and the SDK's logLabels / logEvents) answer. */
export interface LateArrivalsAccepted {
  model: string;
  accepted: number;
  /** False when there is no inference log to check request ids against. */
  verified: boolean;
  /** Distinct request ids not in the model's inference log (null when unverified). */
  unknownRequestIds: number | null;
  /** The first few of them, sorted. */
  unknownRequestIdSample: string[];
}

/** When the outcome happened: epoch ms, an ISO-8601 date-time, or a Date. */
export type OutcomeTime = number | string | Date;

/** How a late arrival names its prediction: by request id (and row), or by entity and time. */
export type PredictionRefInput =
  | { requestId: string; rowIndex?: number; ts?: OutcomeTime; entity?: never }
  | { entity: Record<string, string | number>; ts: OutcomeTime; requestId?: never };

/** A label as posted: the true class (index, 0/1, or name) or target of one prediction. */
export type LabelInput = PredictionRefInput & { value: LabelValue | boolean };

/** An outcome event as posted: `name` (`converted`) and a value (default 1, a count). */
export type EventInput = PredictionRefInput & { name: string; value?: number };

/**
 * Checks the request ids of a validated batch against the model's inference log (when there is one),
 * stores the batch with `store`, and says what was accepted — for labels and for outcome events.
 *
 * @example
 * await acceptLateArrivals('fraud', batch.labels, { inferenceLogDir: './log' }, () => labels.upsert(batch.labels, now));
 * // { model: 'fraud', accepted: 2, verified: true, unknownRequestIds: 0, unknownRequestIdSample: [] }
 */
export async function acceptLateArrivals(
  model: string,
  items: readonly PredictionRef[],
  log: InferenceLogAccess,
  store: () => Promise<void>,
): Promise<LateArrivalsAccepted> {
  const ids = items.filter(isRequestLabel).map((l) => l.requestId);
  const dir = log.inferenceLogDir;
  let unknown = dir ? await unknownRequestIds(dir, model, ids) : undefined;
  // Ids answered a moment ago may still be in an in-process log's buffer: write it out (only then)
  // and look again, so that a steady stream of labels does not cut a segment per batch.
  if (dir && unknown && unknown.count > 0 && log.flushInferenceLog) {
    await log.flushInferenceLog();
    unknown = await unknownRequestIds(dir, model, ids);
  }
  await store();
  return {
    model,
    accepted: items.length,
    verified: unknown !== undefined,
    unknownRequestIds: unknown?.count ?? null,
    unknownRequestIdSample: unknown?.sample ?? [],
  };
}

/** Parses a batch at `now` and stores it with `store`, answering as acceptLateArrivals. */
async function acceptBatch<T extends PredictionRef>(
  parse: (now: number) => { model: string; items: T[] },
  store: { upsert(items: T[], receivedAt: number): Promise<void> },
  log: InferenceLogAccess,
): Promise<LateArrivalsAccepted> {
  const now = Date.now();
  const { model, items } = parse(now);
  return acceptLateArrivals(model, items, log, () => store.upsert(items, now));
}

/**
 * Validates a label batch (`{model, labels: [...]}`, as posted to `/labels`) and stores it.
 *
 * @example
 * await acceptLabels(platform.labels, { model: 'fraud', labels: [{ requestId: 'r1', value: 1 }] }, {});
 */
export function acceptLabels(
  labels: LabelStore,
  body: unknown,
  log: InferenceLogAccess,
  maxBatch = MAX_LABEL_BATCH,
): Promise<LateArrivalsAccepted> {
  const parse = (now: number) => {
    const batch = parseLabelBatch(body, now, maxBatch);
    return { model: batch.model, items: batch.labels };
  };
  return acceptBatch(parse, labels, log);
}

/**
 * Validates an outcome-event batch (`{model, events: [...]}`, as posted to `/events`) and stores it.
 *
 * @example
 * await acceptEvents(platform.events, { model: 'fraud', events: [{ name: 'converted', requestId: 'r1' }] }, {});
 */
export function acceptEvents(
  events: EventStore,
  body: unknown,
  log: InferenceLogAccess,
  maxBatch = MAX_EVENT_BATCH,
): Promise<LateArrivalsAccepted> {
  const parse = (now: number) => {
    const batch = parseEventBatch(body, now, maxBatch);
    return { model: batch.model, items: batch.events };
  };
  return acceptBatch(parse, events, log);
}
