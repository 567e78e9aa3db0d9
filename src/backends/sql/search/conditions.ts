/**
 * SQL building blocks shared by every search compiler in this folder. Values are always bound as
 * parameters; table and column names only ever come from the constant maps of the compilers.
 */
import { type Expression, type RawBuilder, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import { SlipwayError } from '../../../core/errors.js';
import type { Comparison, OrderClause } from '../../../tracking/search/types.js';
import type { SqlDialectName } from '../schema.js';
import { parseLikePattern, toGlobPattern, toLikePattern } from './like-pattern.js';

/** A boolean SQL expression to put in a WHERE clause. */
export type Condition = RawBuilder<SqlBool>;

const SYMBOLS: Record<string, string> = { '=': '=', '!=': '<>', '>': '>', '>=': '>=', '<': '<', '<=': '<=' };

/**
 * `column <comparator> value` for every comparator except IS [NOT] NULL, which callers translate
 * to (NOT) EXISTS. LIKE is case-sensitive and ILIKE case-insensitive on both engines.
 */
export function compareValue(
  column: Expression<unknown>,
  comparison: Comparison,
  dialect: SqlDialectName,
): Condition {
  const { comparator, value } = comparison;
  const symbol = SYMBOLS[comparator];
  if (symbol !== undefined && (typeof value === 'string' || typeof value === 'number')) {
    return sql<SqlBool>`${column} ${sql.raw(symbol)} ${value}`;
  }
  if ((comparator === 'IN' || comparator === 'NOT IN') && Array.isArray(value) && value.length > 0) {
    return sql<SqlBool>`${column} ${sql.raw(comparator.toLowerCase())} (${sql.join(value)})`;
  }
  if ((comparator === 'LIKE' || comparator === 'ILIKE') && typeof value === 'string') {
    const parts = parseLikePattern(value);
    if (dialect === 'postgres') {
      return sql<SqlBool>`${column} ${sql.raw(comparator.toLowerCase())} ${toLikePattern(parts)}`;
    }
    if (comparator === 'LIKE') return sql<SqlBool>`${column} glob ${toGlobPattern(parts)}`;
    return sql<SqlBool>`lower(${column}) like lower(${toLikePattern(parts)}) escape '\\'`;
  }
  throw unsupported('this search', comparison);
}

/** A table of `(owner…, key, value)` rows (params, tags, model tags) and how it joins its owner. */
export interface KeyValueSource {
  table: string;
  /** Column of `table` → the outer query's column it equals, e.g. `{ run_id: 'runs.run_id' }`. */
  owner: Record<string, string>;
}

/** SQL that ties alias `alias` of a key/value table to its owner row in the outer query. */
export function correlate(alias: string, owner: Record<string, string>): RawBuilder<unknown> {
  return sql.join(
    Object.entries(owner).map(([inner, outer]) => sql`${sql.ref(`${alias}.${inner}`)} = ${sql.ref(outer)}`),
    sql` and `,
  );
}

/**
 * A param/tag comparison as an EXISTS over its key/value table. Owners lacking the key never match
 * a value comparison (as in MLflow); `IS NULL` means the key is absent and `IS NOT NULL` present.
 */
export function keyValueCondition(
  source: KeyValueSource,
  comparison: Comparison,
  dialect: SqlDialectName,
): Condition {
  const keyed = sql`select 1 from ${sql.table(source.table)} as kv
    where ${correlate('kv', source.owner)} and ${sql.ref('kv.key')} = ${comparison.key}`;
  if (comparison.comparator === 'IS NULL') return sql<SqlBool>`not exists (${keyed})`;
  if (comparison.comparator === 'IS NOT NULL') return sql<SqlBool>`exists (${keyed})`;
  // `owner IN (matching rows)` rather than a correlated EXISTS: the engine reads the few matching
  // rows from the (key, value, owner) index once instead of probing it for every outer row.
  const inner = Object.keys(source.owner).map((c) => sql.ref(`kv.${c}`));
  const outer = Object.values(source.owner).map((c) => sql.ref(c));
  return sql<SqlBool>`(${sql.join(outer)}) in (select ${sql.join(inner)} from ${sql.table(source.table)} as kv
    where ${sql.ref('kv.key')} = ${comparison.key} and ${compareValue(sql.ref('kv.value'), comparison, dialect)})`;
}

/** The value of `key` in a key/value table for the outer row: NULL when it has no such key. */
export function keyValueOf(source: KeyValueSource, key: string): RawBuilder<unknown> {
  return sql`(select ${sql.ref('kv.value')} from ${sql.table(source.table)} as kv
    where ${correlate('kv', source.owner)} and ${sql.ref('kv.key')} = ${key})`;
}

/** An attribute comparison on a column of the outer table, looked up in a constant column map. */
export function attributeCondition(
  table: string,
  columns: Record<string, string>,
  comparison: Comparison,
  dialect: SqlDialectName,
): Condition {
  return compareValue(attributeColumn(table, columns, comparison), comparison, dialect);
}

/** `table.column` for an attribute key, or INVALID_PARAMETER_VALUE when the search has no such attribute. */
export function attributeColumn(
  table: string,
  columns: Record<string, string>,
  item: { type: string; key: string },
): RawBuilder<unknown> {
  const column = Object.hasOwn(columns, item.key) ? columns[item.key] : undefined;
  if (column === undefined) throw unsupported(table, item);
  return sql.ref(`${table}.${column}`);
}

/** The error for a parsed clause a compiler cannot express (the parsers normally prevent this). */
export function unsupported(search: string, item: { type: string; key: string }): SlipwayError {
  return new SlipwayError(
    'INVALID_PARAMETER_VALUE',
    `Searching ${search} by ${item.type} '${item.key}' is not supported`,
    { type: item.type, key: item.key },
  );
}

/** ANDs conditions onto a query. */
export function whereAll<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>,
  conditions: Condition[],
): SelectQueryBuilder<DB, TB, O> {
  return conditions.reduce((q, condition) => q.where(condition), qb);
}

/** Orders by an expression with NULLs last in either direction (MLflow lists rows lacking a key last). */
export function orderNullsLast<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>,
  expression: Expression<unknown>,
  ascending: boolean,
): SelectQueryBuilder<DB, TB, O> {
  return qb.orderBy(expression, (ob) => (ascending ? ob.asc() : ob.desc()).nullsLast());
}

/** Orders by attribute clauses only (searches without metrics, params or tags to order by). */
export function orderByAttributes<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>,
  table: string,
  columns: Record<string, string>,
  orderBy: OrderClause[],
): SelectQueryBuilder<DB, TB, O> {
  return orderBy.reduce((q, clause) => {
    if (clause.type !== 'attribute') throw unsupported(table, clause);
    return orderNullsLast(q, attributeColumn(table, columns, clause), clause.ascending);
  }, qb);
}
