/**
 * The identity of a label (or of an outcome event, within its name): what makes two arrivals "the
 * same" (so the later one replaces the earlier). By request: request id + row. By entity: the
 * entity's keys in name order + ts.
 */
import { isRequestLabel, type PredictionRef } from './types.js';

/** A stable text key for `l` (a label, an event) within its model. */
export function labelKey(l: PredictionRef): string {
  if (isRequestLabel(l)) return JSON.stringify(['r', l.requestId, l.rowIndex]);
  return JSON.stringify(['e', entityKey(l.entity), l.ts]);
}

/** The entity as canonical JSON: keys sorted, so {a,b} and {b,a} are the same entity. */
export function entityKey(entity: Record<string, string | number>): string {
  const names = Object.keys(entity).sort();
  return JSON.stringify(names.map((n) => [n, entity[n]]));
}
