/**
 * Compiles parsed `search_registered_models` / `search_model_versions` filters and `order_by`
 * onto Kysely queries over `registered_models` and `model_versions`.
 * Inputs: a query selecting from the unaliased table, the parsed AST, the SQL dialect.
 * Output: the same query with WHERE and ORDER BY added; paging stays with the caller.
 */
import type { SelectQueryBuilder } from 'kysely';
import type { Comparison, Filter, OrderClause } from '../../../tracking/search/types.js';
import type { Database, ModelVersionsTable, RegisteredModelsTable, SqlDialectName } from '../schema.js';
import {
  attributeCondition,
  type Condition,
  type KeyValueSource,
  keyValueCondition,
  orderByAttributes,
  unsupported,
  whereAll,
} from './conditions.js';

const MODEL_ATTRIBUTES: Record<string, keyof RegisteredModelsTable> = {
  name: 'name',
  creation_timestamp: 'creation_time',
  last_updated_timestamp: 'last_updated_time',
};

const VERSION_ATTRIBUTES: Record<string, keyof ModelVersionsTable> = {
  name: 'name',
  version: 'version',
  run_id: 'run_id',
  source: 'source',
  current_stage: 'current_stage',
  creation_timestamp: 'creation_time',
  last_updated_timestamp: 'last_updated_time',
};

const MODEL_TAGS: KeyValueSource = {
  table: 'registered_model_tags',
  owner: { name: 'registered_models.name' },
};

const VERSION_TAGS: KeyValueSource = {
  table: 'model_version_tags',
  owner: { name: 'model_versions.name', version: 'model_versions.version' },
};

function condition(
  table: string,
  attributes: Record<string, string>,
  tags: KeyValueSource,
  c: Comparison,
  dialect: SqlDialectName,
): Condition {
  if (c.type === 'tag') return keyValueCondition(tags, c, dialect);
  if (c.type === 'attribute') return attributeCondition(table, attributes, c, dialect);
  throw unsupported(table, c);
}

/**
 * Adds a parsed registered-model filter (`name`, `tags.*`) to a query over `registered_models`.
 *
 * @example qb = applyRegisteredModelFilter(qb, parseRegisteredModelFilter("name LIKE 'churn%'"), dialect);
 */
export function applyRegisteredModelFilter<O>(
  qb: SelectQueryBuilder<Database, 'registered_models', O>,
  filter: Filter,
  dialect: SqlDialectName,
): SelectQueryBuilder<Database, 'registered_models', O> {
  return whereAll(
    qb,
    filter.map((c) => condition('registered_models', MODEL_ATTRIBUTES, MODEL_TAGS, c, dialect)),
  );
}

/** Adds `order_by` to a query over `registered_models`, then `name ASC` (the default order). */
export function applyRegisteredModelOrder<O>(
  qb: SelectQueryBuilder<Database, 'registered_models', O>,
  orderBy: OrderClause[],
  _dialect: SqlDialectName,
): SelectQueryBuilder<Database, 'registered_models', O> {
  return orderByAttributes(qb, 'registered_models', MODEL_ATTRIBUTES, orderBy).orderBy(
    'registered_models.name',
    'asc',
  );
}

/**
 * Adds a parsed model-version filter (`name`, `run_id`, `source`, `version`, `current_stage`,
 * `tags.*`) to a query over `model_versions`.
 *
 * @example qb = applyModelVersionFilter(qb, parseModelVersionFilter("run_id IN ('a', 'b')"), dialect);
 */
export function applyModelVersionFilter<O>(
  qb: SelectQueryBuilder<Database, 'model_versions', O>,
  filter: Filter,
  dialect: SqlDialectName,
): SelectQueryBuilder<Database, 'model_versions', O> {
  return whereAll(
    qb,
    filter.map((c) => condition('model_versions', VERSION_ATTRIBUTES, VERSION_TAGS, c, dialect)),
  );
}

/** Adds `order_by` to a query over `model_versions`, then `name ASC, version DESC` (the default order). */
export function applyModelVersionOrder<O>(
  qb: SelectQueryBuilder<Database, 'model_versions', O>,
  orderBy: OrderClause[],
  _dialect: SqlDialectName,
): SelectQueryBuilder<Database, 'model_versions', O> {
  return orderByAttributes(qb, 'model_versions', VERSION_ATTRIBUTES, orderBy)
    .orderBy('model_versions.name', 'asc')
    .orderBy('model_versions.version', 'desc');
}
