/**
 * Reading an event batch as `POST /api/v1/events` receives it: `{model, events: [...]}`, each event
 * `{name, requestId, rowIndex?, value?, ts?}` or `{name, entity: {...}, ts, value?}`. The envelope
 * and the prediction reference are the labels' (performance/label-batch.ts); anything malformed
 * refuses the whole batch with a 400 naming the field (`events[3].name`) before anything is stored.
 */
import { invalidParameter } from '../../core/errors.js';
import { isObject, MAX_LABEL_BATCH, parseModelBatch, parsePredictionRef } from '../performance/index.js';
import type { OutcomeEvent } from './types.js';

/** Events one request may carry (as many as labels). */
export const MAX_EVENT_BATCH = MAX_LABEL_BATCH;

/** What an event name looks like: it becomes part of a metric name (`business.<name>.rate`). */
export const EVENT_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

/** A validated batch. */
export interface EventBatch {
  model: string;
  events: OutcomeEvent[];
}

function event(model: string, at: string, v: unknown, now: number): OutcomeEvent {
  if (!isObject(v)) throw invalidParameter(at, 'an object', v);
  if (typeof v.name !== 'string' || !EVENT_NAME.test(v.name))
    throw invalidParameter(
      `${at}.name`,
      'an event name of 1-128 letters, digits, _ . - (not starting with a digit)',
      v.name,
    );
  const value = v.value === undefined ? 1 : v.value;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw invalidParameter(`${at}.value`, 'a finite number (default 1, a count)', value);
  return { model, name: v.name, ...parsePredictionRef(at, v, now), value };
}

/**
 * Validates a request body into an event batch; `now` stamps request events sent without `ts`.
 *
 * @example
 * parseEventBatch({ model: 'fraud', events: [{ name: 'converted', requestId: 'r1' }] }, Date.now());
 */
export function parseEventBatch(body: unknown, now: number, maxBatch = MAX_EVENT_BATCH): EventBatch {
  const batch = parseModelBatch(body, 'events', maxBatch, (model, at, v) => event(model, at, v, now));
  return { model: batch.model, events: batch.items };
}
