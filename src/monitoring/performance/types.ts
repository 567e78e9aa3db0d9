/**
 * Ground-truth labels that arrive after the prediction, and the store that keeps them. A label
 * names its prediction either by request id (and the row within a batch request) or by entity
 * key(s) and time; the join to the inference log happens at read time (see performance-report.ts).
 */

/** A label's value: a number (a class index, 0/1, a regression target) or a class name. */
export type LabelValue = number | string;

/**
 * How a late arrival (a label, an outcome event) names the prediction it is about: by request id
 * and the row within the request, or by entity and time.
 */
export interface RequestRef {
  requestId: string;
  /** The row within a batch request; 0 for a one-row request. */
  rowIndex: number;
  /** When the outcome happened (epoch ms). */
  ts: number;
}

/**
 * An entity at a time: joined to that entity's latest prediction at or before `ts`. `entity` maps
 * key names (as the request carried them, e.g. `user_id`) to values.
 */
export interface EntityRef {
  entity: Record<string, string | number>;
  ts: number;
}

export type PredictionRef = RequestRef | EntityRef;

/** A label for one logged prediction, found by its request id and row within the request. */
export interface RequestLabel extends RequestRef {
  model: string;
  value: LabelValue;
}

/** A label for an entity at a time (see EntityRef). */
export interface EntityLabel extends EntityRef {
  model: string;
  value: LabelValue;
}

export type Label = RequestLabel | EntityLabel;

/** True when `l` (a label, an event) names its prediction by request id. */
export function isRequestLabel<T extends PredictionRef>(l: T): l is T & RequestRef {
  return (l as Partial<RequestRef>).requestId !== undefined;
}

/** A stored label, with when it was (last) received. */
export type StoredLabel = Label & { receivedAt: number };

/** Which labels to read. */
export interface LabelFilter {
  model: string;
  /** Labels whose `ts` is at or after this (epoch ms). */
  from?: number;
  /** Labels whose `ts` is before this (epoch ms). */
  to?: number;
}

/**
 * Where labels are kept. `upsert` is idempotent: a label whose key (model + request id + row, or
 * model + entity + ts) is already stored replaces the stored value (the latest arrival wins).
 */
export interface LabelStore {
  upsert(labels: readonly Label[], receivedAt: number): Promise<void>;
  list(filter: LabelFilter): Promise<StoredLabel[]>;
  count(model: string): Promise<number>;
  delete(model: string): Promise<number>;
}
