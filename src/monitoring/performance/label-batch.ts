/**
 * Reading a label batch as `POST /api/v1/labels` receives it: `{model, labels: [...]}`, each label
 * `{requestId, rowIndex?, value, ts?}` or `{entity: {...}, ts, value}`. Anything malformed is
 * refused as a whole with a 400 naming the field (`labels[3].value`), what was expected and what
 * arrived, before anything is stored. The envelope and the prediction reference are shared with
 * outcome events (`POST /api/v1/events`, monitoring/business).
 */
import { invalidParameter } from '../../core/errors.js';
import { entityKey } from './label-key.js';
import type { Label, LabelValue, PredictionRef } from './types.js';

/** Labels one request may carry (larger batches are split by the client). */
export const MAX_LABEL_BATCH = 10_000;
const MAX_ID_LENGTH = 256;
const MAX_ENTITY_LENGTH = 1024;
const MAX_VALUE_LENGTH = 256;

/** A validated batch. */
export interface LabelBatch {
  model: string;
  labels: Label[];
}

/** True for a plain JSON object (not null, not an array). */
export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function labelValue(field: string, v: unknown): LabelValue {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v !== '' && v.length <= MAX_VALUE_LENGTH) return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw invalidParameter(
    field,
    `a finite number, a boolean or a class name of 1-${MAX_VALUE_LENGTH} characters`,
    v,
  );
}

/** Epoch ms from a number (ms) or an ISO-8601 string. */
function timestamp(field: string, v: unknown): number {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v)) {
    const t = Date.parse(v);
    if (!Number.isNaN(t)) return t;
  }
  throw invalidParameter(field, 'epoch milliseconds or an ISO-8601 date-time', v);
}

function entity(field: string, v: unknown): Record<string, string | number> {
  if (!isObject(v) || Object.keys(v).length === 0)
    throw invalidParameter(field, 'an object of key name → value', v);
  const out: Record<string, string | number> = {};
  for (const [k, x] of Object.entries(v)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(k))
      throw invalidParameter(`${field}.${k}`, 'a key name of letters, digits and _', k);
    if (!(typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x))))
      throw invalidParameter(`${field}.${k}`, 'a string or a finite number', x);
    out[k] = x;
  }
  if (entityKey(out).length > MAX_ENTITY_LENGTH)
    throw invalidParameter(field, `an entity of at most ${MAX_ENTITY_LENGTH} characters as JSON`, v);
  return out;
}

/**
 * The prediction the item `v` (at field path `at`, e.g. `labels[3]`) names: `requestId` (+ `rowIndex`,
 * `ts` defaulting to `now`), or `entity` + `ts`.
 */
export function parsePredictionRef(at: string, v: Record<string, unknown>, now: number): PredictionRef {
  if (v.requestId !== undefined) {
    if (v.entity !== undefined)
      throw invalidParameter(`${at}.entity`, 'either requestId or entity, not both', v.entity);
    const { requestId } = v;
    if (typeof requestId !== 'string' || requestId === '' || requestId.length > MAX_ID_LENGTH)
      throw invalidParameter(`${at}.requestId`, `a request id of 1-${MAX_ID_LENGTH} characters`, requestId);
    const rowIndex = v.rowIndex ?? 0;
    if (typeof rowIndex !== 'number' || !Number.isSafeInteger(rowIndex) || rowIndex < 0)
      throw invalidParameter(`${at}.rowIndex`, 'a whole number ≥ 0', rowIndex);
    const ts = v.ts === undefined ? now : timestamp(`${at}.ts`, v.ts);
    return { requestId, rowIndex, ts };
  }
  if (v.entity === undefined)
    throw invalidParameter(`${at}.requestId`, 'a request id (or an entity and ts)', undefined);
  if (v.ts === undefined)
    throw invalidParameter(`${at}.ts`, 'the time of the outcome, for an entity reference', undefined);
  return { entity: entity(`${at}.entity`, v.entity), ts: timestamp(`${at}.ts`, v.ts) };
}

/**
 * Validates the envelope `{model, <items>: [...]}` of a batch of late arrivals and reads each item
 * with `item(model, 'items[i]', value)`; the first malformed one refuses the whole batch.
 *
 * @example
 * parseModelBatch(body, 'events', 10_000, (model, at, v) => parseEvent(model, at, v, now));
 */
export function parseModelBatch<T>(
  body: unknown,
  items: string,
  maxBatch: number,
  item: (model: string, at: string, v: unknown) => T,
): { model: string; items: T[] } {
  if (!isObject(body)) throw invalidParameter('body', `a JSON object {model, ${items}}`, body);
  const { model } = body;
  const list = body[items];
  if (typeof model !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$/.test(model))
    throw invalidParameter('model', 'a model name (letters, digits, . _ -)', model);
  if (!Array.isArray(list) || list.length === 0) throw invalidParameter(items, 'a non-empty array', list);
  if (list.length > maxBatch) throw invalidParameter(items, `at most ${maxBatch} ${items} per request`, list);
  return { model, items: list.map((v, i) => item(model, `${items}[${i}]`, v)) };
}

function label(model: string, at: string, v: unknown, now: number): Label {
  if (!isObject(v)) throw invalidParameter(at, 'an object', v);
  const value = labelValue(`${at}.value`, v.value);
  return { model, ...parsePredictionRef(at, v, now), value };
}

/**
 * Validates a request body into a label batch; `now` stamps request labels sent without `ts`.
 *
 * @example
 * parseLabelBatch({ model: 'fraud', labels: [{ requestId: 'r1', value: 1 }] }, Date.now());
 */
export function parseLabelBatch(body: unknown, now: number, maxBatch = MAX_LABEL_BATCH): LabelBatch {
  const batch = parseModelBatch(body, 'labels', maxBatch, (model, at, v) => label(model, at, v, now));
  return { model: batch.model, labels: batch.items };
}
