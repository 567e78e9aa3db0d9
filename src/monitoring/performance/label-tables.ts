/**
 * Labels loaded into DuckDB next to the inference log, resolved to the prediction they label:
 * request labels by (request_id, row_index); entity labels by an as-of join — the entity's latest
 * logged prediction at or before the label's time, the entity's keys matched against the log's
 * `req_<key>` (or else `in_<key>`) columns. The result is the temp table `matched_labels`
 * (request_id, row_index, value_number, value_text), one row per labelled prediction; where a
 * request label and an entity label meet on one prediction, the request label wins.
 */
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { invalidParameter } from '../../core/errors.js';
import type { LogColumnInfo } from '../inference-log/index.js';
import { sqlIdent } from '../inference-log/sql.js';
import { type EntityLabel, isRequestLabel, type Label, type LabelValue } from './types.js';

let seq = 0;

function appendValue(a: DuckDBAppender, v: LabelValue): void {
  if (typeof v === 'number') {
    a.appendDouble(v);
    a.appendNull();
  } else {
    a.appendNull();
    a.appendVarchar(v);
  }
}

/** The log column an entity key matches: `req_<key>`, else `in_<key>`. */
function entityColumn(key: string, columns: Map<string, string>): { name: string; type: string } {
  for (const name of [`req_${key}`, `in_${key}`]) {
    const type = columns.get(name);
    if (type) return { name, type };
  }
  throw invalidParameter(`entity.${key}`, `a key the inference log carries (req_${key} or in_${key})`, key);
}

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
  await conn.run(
    'CREATE OR REPLACE TEMP TABLE matched_labels (request_id VARCHAR, row_index INTEGER, value_number DOUBLE, value_text VARCHAR, by_entity BOOLEAN)',
  );
  const appender = await conn.createAppender('matched_labels', 'main', 'temp');
  const byKeys = new Map<string, EntityLabel[]>();
  try {
    for (const l of labels) {
      if (!isRequestLabel(l)) {
        const keys = Object.keys(l.entity).sort().join(',');
        const list = byKeys.get(keys) ?? [];
        list.push(l);
        byKeys.set(keys, list);
        continue;
      }
      appender.appendVarchar(l.requestId);
      appender.appendInteger(l.rowIndex);
      appendValue(appender, l.value);
      appender.appendBoolean(false);
      appender.endRow();
    }
  } finally {
    appender.closeSync();
  }
  let unmatched = 0;
  const types = new Map(columns.map((c) => [c.name, c.type]));
  for (const [keyList, group] of byKeys) {
    const keys = keyList.split(',');
    const cols = keys.map((k) => entityColumn(k, types));
    const table = `entity_labels_${seq++}`;
    const keyDefs = keys.map((_, i) => `k${i} VARCHAR`).join(', ');
    await conn.run(
      `CREATE TEMP TABLE ${table} (ts_ms BIGINT, value_number DOUBLE, value_text VARCHAR, ${keyDefs})`,
    );
    const a = await conn.createAppender(table, 'main', 'temp');
    try {
      for (const l of group) {
        a.appendBigInt(BigInt(l.ts));
        appendValue(a, l.value);
        for (const k of keys) a.appendVarchar(String(l.entity[k]));
        a.endRow();
      }
    } finally {
      a.closeSync();
    }
    const on = cols.map((c, i) => `p.${sqlIdent(c.name)} = TRY_CAST(l.k${i} AS ${c.type})`).join(' AND ');
    const r = await conn.runAndReadAll(
      `INSERT INTO matched_labels
       SELECT p.request_id, p.row_index, l.value_number, l.value_text, true
       FROM (SELECT *, make_timestamp(ts_ms * 1000) AS ts FROM ${table}) l
       ASOF JOIN (${logSql}) p ON ${on} AND l.ts >= p.ts`,
    );
    unmatched += group.length - Number(r.getRowsJS()[0][0]);
    await conn.run(`DROP TABLE ${table}`);
  }
  const missing = await conn.runAndReadAll(
    `SELECT count(*) FROM matched_labels m WHERE NOT by_entity AND NOT EXISTS
       (SELECT 1 FROM (${logSql}) p WHERE p.request_id = m.request_id AND p.row_index = m.row_index)`,
  );
  // One label per prediction: a request label over an entity label.
  await conn.run(`CREATE OR REPLACE TEMP TABLE matched_labels AS
    SELECT request_id, row_index, value_number, value_text FROM matched_labels
    QUALIFY row_number() OVER (PARTITION BY request_id, row_index ORDER BY by_entity) = 1`);
  return { unmatchedEntityLabels: unmatched, unmatchedRequestLabels: Number(missing.getRowsJS()[0][0]) };
}
