/** Shared shapes used by several domains. */

/** A key/value tag, as on experiments, runs, registered models and model versions. */
export interface Tag {
  key: string;
  value: string;
}

/** One page of a listing; `nextPageToken` is absent on the last page. */
export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

export type LifecycleStage = 'active' | 'deleted';

/** Which lifecycle stages a listing includes (MLflow's `ViewType`). */
export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';
