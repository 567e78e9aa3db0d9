/**
 * Compiles a parsed `search_runs` filter and `order_by` onto a Kysely query over `runs`.
 * Inputs: a query selecting from the unaliased `runs` table, the parsed AST, the SQL dialect.
 * Output: the same query with WHERE and ORDER BY added; paging (limit/offset) stays with the caller.
 */
import { type RawBuilder, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import type { Comparison, Filter, OrderClause } from '../../../tracking/search/types.js';
import type { Database, RunsTable, SqlDialectName } from '../schema.js';
import {
  attributeColumn,
  attributeCondition,
  type Condition,
  compareValue,
  type KeyValueSource,
  keyValueCondition,
  keyValueOf,
  orderNullsLast,
  unsupported,
  whereAll,
} from './conditions.js';

type RunQueryBuilder<O> = SelectQueryBuilder<Database, 'runs', O>;

const ATTRIBUTES: Record<string, keyof RunsTable> = {
  run_id: 'run_id',
  run_name: 'run_name',
  status: 'status',
  user_id: 'user_id',
  artifact_uri: 'artifact_uri',
  start_time: 'start_time',
  end_time: 'end_time',
  experiment_id: 'experiment_id',
};

const PARAMS: KeyValueSource = { table: 'params', owner: { run_id: 'runs.run_id' } };
const TAGS: KeyValueSource = { table: 'tags', owner: { run_id: 'runs.run_id' } };

/** Dataset inputs record their context as a tag of the input (MLflow's `mlflow.data.context`). */
const CONTEXT_TAG = 'mlflow.data.context';

function latestMetric(key: string): RawBuilder<unknown> {
  return sql`select 1 from latest_metrics as m where m.run_id = runs.run_id and m.key = ${key}`;
}

/** Metric comparisons read the latest value per key; NaN values never satisfy a comparison. */
function metricCondition(c: Comparison, dialect: SqlDialectName): Condition {
  if (c.comparator === 'IS NULL') return sql<SqlBool>`not exists (${latestMetric(c.key)})`;
  if (c.comparator === 'IS NOT NULL') return sql<SqlBool>`exists (${latestMetric(c.key)})`;
  const value = compareValue(sql.ref('m.value'), c, dialect);
  // Driven from the (key, is_nan, value, run_id) index: only runs whose value matches are read.
  return sql<SqlBool>`runs.run_id in (select m.run_id from latest_metrics as m
    where m.key = ${c.key} and m.is_nan = 0 and ${value})`;
}

/**
 * `datasets.name` / `digest` compare the datasets the run used; `datasets.context` reads the
 * context tag inside `run_inputs.tags` (a JSON array of {key, value}) with each engine's JSON
 * functions, rather than a LIKE on the JSON text, so `=`, `IN` and LIKE all mean what they say.
 */
function datasetCondition(c: Comparison, dialect: SqlDialectName): Condition {
  if (c.key === 'name' || c.key === 'digest') {
    const column = compareValue(sql.ref(`d.${c.key}`), c, dialect);
    return sql<SqlBool>`exists (select 1 from run_inputs as ri
      join datasets as d on d.dataset_id = ri.dataset_id
      where ri.run_id = runs.run_id and ${column})`;
  }
  if (c.key !== 'context') throw unsupported('runs', c);
  if (dialect === 'postgres') {
    const context = compareValue(sql`(jt.tag ->> 'value')`, c, dialect);
    return sql<SqlBool>`exists (select 1 from run_inputs as ri
      cross join lateral jsonb_array_elements(ri.tags::jsonb) as jt(tag)
      where ri.run_id = runs.run_id and jt.tag ->> 'key' = ${CONTEXT_TAG} and ${context})`;
  }
  const context = compareValue(sql`json_extract(jt.value, '$.value')`, c, dialect);
  return sql<SqlBool>`exists (select 1 from run_inputs as ri, json_each(ri.tags) as jt
    where ri.run_id = runs.run_id and json_extract(jt.value, '$.key') = ${CONTEXT_TAG} and ${context})`;
}

function runCondition(c: Comparison, dialect: SqlDialectName): Condition {
  switch (c.type) {
    case 'metric':
      return metricCondition(c, dialect);
    case 'param':
      return keyValueCondition(PARAMS, c, dialect);
    case 'tag':
      return keyValueCondition(TAGS, c, dialect);
    case 'attribute':
      return attributeCondition('runs', ATTRIBUTES, c, dialect);
    case 'dataset':
      return datasetCondition(c, dialect);
  }
}

/**
 * Adds a parsed `search_runs` filter to a query over `runs`: each comparison becomes one condition,
 * ANDed; metrics, params, tags and datasets become correlated EXISTS subqueries.
 *
 * @example
 * let qb = db.selectFrom('runs').selectAll('runs').where('runs.experiment_id', 'in', ids);
 * qb = applyRunFilter(qb, parseRunFilter("metrics.acc > 0.9"), 'sqlite');
 */
export function applyRunFilter<O>(
  qb: RunQueryBuilder<O>,
  filter: Filter,
  dialect: SqlDialectName,
): RunQueryBuilder<O> {
  return whereAll(
    qb,
    filter.map((c) => runCondition(c, dialect)),
  );
}

/**
 * Adds `order_by` to a query over `runs`, then the tie-breakers `start_time DESC, run_id ASC` (the
 * whole order when `orderBy` is empty), so paging by offset is stable. Runs lacking an ordered
 * metric, param or tag come last in either direction; a NaN metric sorts after numbers, before absent.
 */
export function applyRunOrder<O>(
  qb: RunQueryBuilder<O>,
  orderBy: OrderClause[],
  _dialect: SqlDialectName,
): RunQueryBuilder<O> {
  let ordered = qb;
  for (const clause of orderBy) {
    switch (clause.type) {
      case 'metric': {
        const rank = sql`coalesce((select m.is_nan from latest_metrics as m
          where m.run_id = runs.run_id and m.key = ${clause.key}), 2)`;
        const value = sql`(select m.value from latest_metrics as m
          where m.run_id = runs.run_id and m.key = ${clause.key} and m.is_nan = 0)`;
        ordered = orderNullsLast(ordered.orderBy(rank, 'asc'), value, clause.ascending);
        break;
      }
      case 'param':
      case 'tag':
        ordered = orderNullsLast(
          ordered,
          keyValueOf(clause.type === 'param' ? PARAMS : TAGS, clause.key),
          clause.ascending,
        );
        break;
      case 'attribute':
        ordered = orderNullsLast(ordered, attributeColumn('runs', ATTRIBUTES, clause), clause.ascending);
        break;
      default:
        throw unsupported('runs', clause);
    }
  }
  return ordered.orderBy('runs.start_time', 'desc').orderBy('runs.run_id', 'asc');
}
