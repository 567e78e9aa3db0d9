/**
 * Compiles a parsed `search_experiments` filter and `order_by` onto a Kysely query over `experiments`.
 * Inputs: a query selecting from the unaliased `experiments` table, the parsed AST, the SQL dialect.
 * Output: the same query with WHERE and ORDER BY added; paging stays with the caller.
 */
import type { SelectQueryBuilder } from 'kysely';
import type { Comparison, Filter, OrderClause } from '../../../tracking/search/types.js';
import type { Database, ExperimentsTable, SqlDialectName } from '../schema.js';
import {
  attributeCondition,
  type Condition,
  type KeyValueSource,
  keyValueCondition,
  orderByAttributes,
  unsupported,
  whereAll,
} from './conditions.js';

type ExperimentQueryBuilder<O> = SelectQueryBuilder<Database, 'experiments', O>;

const ATTRIBUTES: Record<string, keyof ExperimentsTable> = {
  experiment_id: 'experiment_id',
  name: 'name',
  creation_time: 'creation_time',
  last_update_time: 'last_update_time',
};

const TAGS: KeyValueSource = {
  table: 'experiment_tags',
  owner: { experiment_id: 'experiments.experiment_id' },
};

function experimentCondition(c: Comparison, dialect: SqlDialectName): Condition {
  if (c.type === 'tag') return keyValueCondition(TAGS, c, dialect);
  if (c.type === 'attribute') return attributeCondition('experiments', ATTRIBUTES, c, dialect);
  throw unsupported('experiments', c);
}

/**
 * Adds a parsed experiment filter (`name`, `creation_time`, `last_update_time`, `tags.*`) to a query
 * over `experiments`.
 *
 * @example qb = applyExperimentFilter(qb, parseExperimentFilter("tags.team = 'risk'"), dialect);
 */
export function applyExperimentFilter<O>(
  qb: ExperimentQueryBuilder<O>,
  filter: Filter,
  dialect: SqlDialectName,
): ExperimentQueryBuilder<O> {
  return whereAll(
    qb,
    filter.map((c) => experimentCondition(c, dialect)),
  );
}

/** Adds `order_by` to a query over `experiments`, then `experiment_id ASC` (the default order). */
export function applyExperimentOrder<O>(
  qb: ExperimentQueryBuilder<O>,
  orderBy: OrderClause[],
  _dialect: SqlDialectName,
): ExperimentQueryBuilder<O> {
  return orderByAttributes(qb, 'experiments', ATTRIBUTES, orderBy).orderBy(
    'experiments.experiment_id',
    'asc',
  );
}
