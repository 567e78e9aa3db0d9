/**
 * The identity of a label: what makes two arrivals "the same label" (so the later one replaces the
 * earlier). Request labels: request id + row. Entity labels: the entity's keys in name order + ts.
 */
import { isRequestLabel, type Label } from './types.js';

/** A stable text key for `l` within its model. */
export function labelKey(l: Label): string {
  if (isRequestLabel(l)) return JSON.stringify(['r', l.requestId, l.rowIndex]);
  return JSON.stringify(['e', entityKey(l.entity), l.ts]);
}

/** The entity as canonical JSON: keys sorted, so {a,b} and {b,a} are the same entity. */
export function entityKey(entity: Record<string, string | number>): string {
  const names = Object.keys(entity).sort();
  return JSON.stringify(names.map((n) => [n, entity[n]]));
}
