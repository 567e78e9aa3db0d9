/**
 * Ground-truth labels that arrive after the prediction, and the store that keeps them. A label
 * names its prediction either by request id (and the row within a batch request) or by entity
 * key(s) and time; the join to the inference log happens at read time (see performance-report.ts).
 */

/** A label's value: a number (a class index, 0/1, a regression target) or a class name. */
export type LabelValue = number | string;

/** A label for one logged prediction, found by its request id and row within the request. */
export interface RequestLabel {
  model: string;
  requestId: string;
  /** The row within a batch request; 0 for a one-row request. */
  rowIndex: number;
  value: LabelValue;
  /** When the outcome happened (epoch ms). */
  ts: number;
}

/**
 * A label for an entity at a time: it is joined to that entity's latest prediction at or before
 * `ts`. `entity` maps key names (as the request carried them, e.g. `user_id`) to values.
 */
export interface EntityLabel {
  model: string;
  entity: Record<string, string | number>;
  value: LabelValue;
  ts: number;
}

export type Label = RequestLabel | EntityLabel;

/** True when `l` names its prediction by request id. */
export function isRequestLabel(l: Label): l is RequestLabel {
  return (l as RequestLabel).requestId !== undefined;
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
