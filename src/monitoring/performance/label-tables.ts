/**
 * Late arrivals (labels, outcome events) loaded into DuckDB next to the inference log, resolved to
 * the prediction they are about: by (request_id, row_index), or by entity with an as-of join — the
 * entity's latest logged prediction at or before the arrival's time, the entity's keys matched
 * against the log's `req_<key>` (or else `in_<key>`) columns.
 *
 * `resolveToPredictions` writes a temp table of every arrival with the prediction it found (none:
 * `matched` false). `matchLabels` builds `matched_labels` (request_id, row_index, value_number,
 * value_text) from it, one row per labelled prediction; where a request label and an entity label
 * meet on one prediction, the request label wins.
 */
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { sqlIdent } from '../../core/duckdb-sql.js';
import { invalidParameter } from '../../core/errors.js';
import type { LogColumnInfo } from '../inference-log/index.js';
import { type EntityRef, isRequestLabel, type Label, type LabelValue, type PredictionRef } from './types.js';

let seq = 0;

/** What an arrival carries besides its reference: column definitions and how to append them. */
export interface ArrivalPayload<T> {
  /** Column definitions, e.g. `name VARCHAR, value DOUBLE`. */
  columns: ReadonlyArray<readonly [name: string, type: string]>;
  append(a: DuckDBAppender, item: T): void;
}

function appendValue(a: DuckDBAppender, v: LabelValue): void {
  if (typeof v === 'number') {
    a.appendDouble(v);
    a.appendNull();
  } else {
    a.appendNull();
    a.appendVarchar(v);
  }
}

/** The log column an entity key matches: `req_<key>`, else `in_<key>`; undefined when neither. */
function entityColumn(key: string, columns: Map<string, string>): { name: string; type: string } | undefined {
  for (const name of [`req_${key}`, `in_${key}`]) {
    const type = columns.get(name);
    if (type) return { name, type };
  }
  return undefined;
}

/**
 * Creates the temp table `table` on `conn` — request_id, row_index, by_entity, matched, then the
 * payload's columns — with one row per item of `items`, resolved against the log relation `logSql`
 * (with `columns`). An entity arrival that found no prediction has a NULL request_id. Entity keys
 * the log has no column for are refused (INVALID_PARAMETER_VALUE naming `entity.<key>`), or with
 * `missingKeys: 'unmatched'` their arrivals are kept as unmatched (one stray event must not stop a
 * report or an alert rule).
 */
export async function resolveToPredictions<T extends PredictionRef>(
  conn: DuckDBConnection,
  logSql: string,
  columns: readonly LogColumnInfo[],
  table: string,
  payload: ArrivalPayload<T>,
  items: readonly T[],
  missingKeys: 'refuse' | 'unmatched' = 'refuse',
): Promise<void> {
  const defs = payload.columns.map(([n, t]) => `${sqlIdent(n)} ${t}`).join(', ');
  const names = payload.columns.map(([n]) => `l.${sqlIdent(n)}`).join(', ');
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE ${table} (request_id VARCHAR, row_index INTEGER, by_entity BOOLEAN, matched BOOLEAN, ${defs})`,
  );
  const appender = await conn.createAppender(table, 'main', 'temp');
  const byKeys = new Map<string, Array<T & EntityRef>>();
  try {
    for (const item of items) {
      if (!isRequestLabel(item)) {
        const e = item as T & EntityRef;
        const keys = Object.keys(e.entity).sort().join(',');
        const list = byKeys.get(keys) ?? [];
        list.push(e);
        byKeys.set(keys, list);
        continue;
      }
      appender.appendVarchar(item.requestId);
      appender.appendInteger(item.rowIndex);
      appender.appendBoolean(false);
      appender.appendBoolean(false);
      payload.append(appender, item);
      appender.endRow();
    }
  } finally {
    appender.closeSync();
  }
  await conn.run(`UPDATE ${table} m SET matched = true WHERE EXISTS
    (SELECT 1 FROM (${logSql}) p WHERE p.request_id = m.request_id AND p.row_index = m.row_index)`);
  const types = new Map(columns.map((c) => [c.name, c.type]));
  for (const [keyList, group] of byKeys) {
    const keys = keyList.split(',');
    const found = keys.map((k) => entityColumn(k, types));
    const missing = keys.find((_, i) => found[i] === undefined);
    if (missing !== undefined && missingKeys === 'refuse')
      throw invalidParameter(
        `entity.${missing}`,
        `a key the inference log carries (req_${missing} or in_${missing})`,
        missing,
      );
    const staged = `entity_arrivals_${seq++}`;
    const keyDefs = keys.map((_, i) => `k${i} VARCHAR`).join(', ');
    await conn.run(`CREATE TEMP TABLE ${staged} (${defs}, ts_ms BIGINT, ${keyDefs})`);
    const a = await conn.createAppender(staged, 'main', 'temp');
    try {
      for (const e of group) {
        payload.append(a, e);
        a.appendBigInt(BigInt(e.ts));
        for (const k of keys) a.appendVarchar(String(e.entity[k]));
        a.endRow();
      }
    } finally {
      a.closeSync();
    }
    const on = found
      .map((c, i) => (c ? `p.${sqlIdent(c.name)} = TRY_CAST(l.k${i} AS ${c.type})` : ''))
      .join(' AND ');
    // With a key the log lacks, every arrival of the group stays unmatched.
    await conn.run(
      missing === undefined
        ? `INSERT INTO ${table}
           SELECT p.request_id, p.row_index, true, p.request_id IS NOT NULL, ${names}
           FROM (SELECT *, make_timestamp(ts_ms * 1000) AS ts FROM ${staged}) l
           ASOF LEFT JOIN (${logSql}) p ON ${on} AND l.ts >= p.ts`
        : `INSERT INTO ${table} SELECT NULL, NULL, true, false, ${names} FROM ${staged} l`,
    );
    await conn.run(`DROP TABLE ${staged}`);
  }
}

const labelPayload: ArrivalPayload<Label> = {
  columns: [
    ['value_number', 'DOUBLE'],
    ['value_text', 'VARCHAR'],
  ],
  append: (a, l) => appendValue(a, l.value),
};

/**
 * Creates `matched_labels` on `conn` from `labels`, given the log relation `logSql` and its columns.
 * Returns how many entity labels, and request labels, found no prediction.
 */
export async function matchLabels(
  conn: DuckDBConnection,
  logSql: string,
  columns: readonly LogColumnInfo[],
  labels: readonly Label[],
): Promise<{ unmatchedEntityLabels: number; unmatchedRequestLabels: number }> {
  await resolveToPredictions(conn, logSql, columns, 'label_arrivals', labelPayload, labels);
  const r = await conn.runAndReadAll(
    `SELECT count(*) FILTER (by_entity AND NOT matched), count(*) FILTER (NOT by_entity AND NOT matched)
     FROM label_arrivals`,
  );
  const [entity, request] = r.getRowsJS()[0];
  // One label per prediction: a request label over an entity label.
  await conn.run(`CREATE OR REPLACE TEMP TABLE matched_labels AS
    SELECT request_id, row_index, value_number, value_text FROM label_arrivals WHERE matched
    QUALIFY row_number() OVER (PARTITION BY request_id, row_index ORDER BY by_entity) = 1`);
  await conn.run('DROP TABLE label_arrivals');
  return { unmatchedEntityLabels: Number(entity), unmatchedRequestLabels: Number(request) };
}
