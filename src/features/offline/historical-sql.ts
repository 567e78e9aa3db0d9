/**
 * The one SQL statement behind `getHistoricalFeatures`: entity rows, then one ASOF LEFT JOIN per
 * feature view. Pure string building over already-validated inputs, so the semantics can be read
 * (and reviewed) in one place:
 *
 * - each source is first cut to one row per (join keys, event timestamp): the latest created
 *   timestamp wins (null created is oldest), then the later row in file order. Without this the
 *   ASOF join would pick among ties arbitrarily and results (and their content hash) would vary
 *   from run to run;
 * - ASOF picks, per entity row, the row with equal join keys and the greatest event timestamp
 *   ≤ the entity's timestamp — never one from the future. Nulls in keys or timestamps match nothing;
 * - a match older than the view's TTL gives nulls (exactly TTL old still counts; TTL 0 = unbounded).
 *   Nulling after the join is exact: when the latest row is too old, every earlier one is too;
 * - the result keeps every entity row, duplicates included, in input order.
 */
import { sqlIdent } from '../../core/duckdb-sql.js';

/** The entity side: a relation with a row id and a normalized timestamp column added. */
export interface EntitySide {
  /** SQL after FROM, already exposing `rowId` and `ts` columns. */
  relation: string;
  /** Columns `SELECT *` on `relation` yields that are not the user's and must be dropped. */
  helperColumns: string[];
  rowId: string;
  /** The entity timestamp as epoch µs; never NULL (see `entitySide` in historical.ts for why). */
  ts: string;
}

/** One feature view's side of the join. */
export interface ViewSide {
  /** SQL after FROM for the source file. */
  relation: string;
  /** SQL for the row's file-order position (breaks ties after the created timestamp). */
  position: string;
  /** SQL for the event timestamp as epoch µs. */
  eventMicros: string;
  /** SQL for the created timestamp as epoch µs, when the source has one. */
  createdMicros?: string;
  /** Join key columns; `entityCast` converts the entity side where its type differs (in-memory rows). */
  joinKeys: Array<{ name: string; entityCast?: string }>;
  /** Source column → output column name. */
  features: Array<{ column: string; as: string }>;
  ttlSeconds: number;
}

/**
 * The SELECT producing the training set; `ordered`: in entity-row order (a full sort of the result);
 * `keepRowId`: also return the entity row id (as its own column name), for a later stage to order by.
 */
export function buildHistoricalSql(
  entity: EntitySide,
  views: ViewSide[],
  ordered = true,
  keepRowId = false,
): string {
  const ctes = [`"e" AS (SELECT * FROM ${entity.relation})`];
  const joins: string[] = [];
  const outputs: string[] = [];
  const ts = sqlIdent(entity.ts);
  views.forEach((view, i) => {
    const alias = `f${i}`;
    ctes.push(`"${alias}" AS (${viewCte(view)})`);
    const on = view.joinKeys.map((k) => {
      const left = k.entityCast
        ? `CAST("e".${sqlIdent(k.name)} AS ${k.entityCast})`
        : `"e".${sqlIdent(k.name)}`;
      return `${left} = "${alias}".${sqlIdent(k.name)}`;
    });
    on.push(`"e".${ts} >= "${alias}"."__slipway_ts"`);
    joins.push(`ASOF LEFT JOIN "${alias}" ON ${on.join(' AND ')}`);
    const ttlMicros = Math.round(view.ttlSeconds * 1_000_000);
    for (const [j, f] of view.features.entries()) {
      const value = `"${alias}"."__slipway_v${j}"`;
      outputs.push(
        ttlMicros > 0
          ? `CASE WHEN "e".${ts} - "${alias}"."__slipway_ts" > ${ttlMicros} THEN NULL ELSE ${value} END AS ${sqlIdent(f.as)}`
          : `${value} AS ${sqlIdent(f.as)}`,
      );
    }
  });
  const drop = [...entity.helperColumns].map(sqlIdent).join(', ');
  if (keepRowId) outputs.push(`"e".${sqlIdent(entity.rowId)}`);
  return (
    `WITH ${ctes.join(',\n')}\n` +
    `SELECT "e".* EXCLUDE (${drop}), ${outputs.join(', ')}\n` +
    `FROM "e"\n${joins.join('\n')}` +
    (ordered ? `\nORDER BY "e".${sqlIdent(entity.rowId)}` : '')
  );
}

function viewCte(view: ViewSide): string {
  const keys = view.joinKeys.map((k) => sqlIdent(k.name));
  // Features are renamed to positional names so that no feature can collide with a key or helper.
  const cols = [...keys, `${view.eventMicros} AS "__slipway_ts"`];
  view.features.forEach((f, j) => {
    cols.push(`${sqlIdent(f.column)} AS "__slipway_v${j}"`);
  });
  const newest = view.createdMicros ? `${view.createdMicros} DESC NULLS LAST, ` : '';
  return (
    `SELECT ${cols.join(', ')} FROM ${view.relation} WHERE ${view.eventMicros} IS NOT NULL ` +
    `QUALIFY row_number() OVER (PARTITION BY ${[...keys, view.eventMicros].join(', ')} ` +
    `ORDER BY ${newest}${view.position} DESC) = 1`
  );
}
