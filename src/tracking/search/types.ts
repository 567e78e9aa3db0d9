/**
 * The parsed form of MLflow's search language (`metrics.acc > 0.9 and params.lr = '0.01'`).
 * Parsers in this folder produce it; each metadata backend compiles it to its own query language.
 */

/** What a clause looks at: `metrics.x`, `params.x`, `tags.x`, `attributes.x` or `datasets.x`. */
export type EntityType = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset';

export type Comparator =
  | '='
  | '!='
  | '>'
  | '>='
  | '<'
  | '<='
  | 'LIKE'
  | 'ILIKE'
  | 'IN'
  | 'NOT IN'
  | 'IS NULL'
  | 'IS NOT NULL';

export interface Comparison {
  type: EntityType;
  /** Metric/param/tag key, or the attribute name normalised to snake_case (`start_time`, `run_name`). */
  key: string;
  comparator: Comparator;
  /** A number for metric and numeric-attribute comparisons, a string list for IN, null for IS [NOT] NULL. */
  value: string | number | string[] | null;
}

/** A filter is a conjunction of comparisons (MLflow's language has no OR). */
export type Filter = Comparison[];

export interface OrderClause {
  type: EntityType;
  key: string;
  ascending: boolean;
}
