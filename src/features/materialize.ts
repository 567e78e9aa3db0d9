/**
 * Materialization: copy the latest row per entity of each online feature view, from its offline
 * source over an event-time window, into the online store. DuckDB picks the latest row per entity
 * (ties by created timestamp) and streams the result in chunks, so memory stays bounded whatever
 * the source's size; writes are newer-wins, so a run killed half-way and re-run ends correct and
 * only rows newer than what the store holds are written.
 *
 * Each batch is checked against the view's declared constraints before it is written (the same
 * checks as push); a batch with any violation is written not at all, and the run goes on with the
 * next one. `max_null_share` is judged per batch. Statistics of everything read are accumulated on
 * the way.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { invalidParameter } from '../core/errors.js';
import { entityKeyOf } from './entity-key.js';
import { type ValidationReport, ValidationReportBuilder } from './materialization-report.js';
import { type ViewStatistics, ViewStatisticsBuilder } from './materialization-statistics.js';
import { featureValueSql } from './offline/feature-cast.js';
import { epochMicros, missingColumn } from './offline/file-scan.js';
import { type OfflineSource, scanOfflineSource } from './offline/source-scan.js';
import { sqlIdent } from './offline/sql.js';
import { batchSourceOf, type FeatureCatalog, joinKeysOf } from './online-features.js';
import { type DataFrame, findViolations } from './online-write.js';
import type { FeatureScalar, FeatureView, OnlineRow, OnlineStore } from './types.js';

export interface MaterializeOptions {
  catalog: FeatureCatalog;
  store: OnlineStore;
  /** Views to materialize (default: every online view with a file or PostgreSQL source). */
  views?: string[];
  /** `postgresql://…` for PostgreSQL sources without their own `connection`. */
  postgresConnection?: string;
  /** Event-time window, epoch ms: [start, end). */
  start: number;
  end: number;
  /** Rows per validated online-store write (default 10,000): the unit validation refuses. */
  batchSize?: number;
  onProgress?: (p: { view: string; rowsRead: number; rowsWritten: number; rowsRefused: number }) => void;
}

export interface MaterializeSummary {
  view: string;
  rowsRead: number;
  /** Rows newer than what the store held. */
  rowsWritten: number;
  /** Rows of batches refused by validation (nothing of them written). */
  rowsRefused: number;
  /** The newest event timestamp among the rows of accepted batches (null when none). */
  newestEventTimestamp: number | null;
  report: ValidationReport;
  /** Over every row read (refused ones included). */
  statistics: ViewStatistics;
  seconds: number;
}

function fileSourceOf(catalog: FeatureCatalog, view: FeatureView): OfflineSource | undefined {
  const src = batchSourceOf(catalog.sources, view);
  return src?.kind === 'file' || src?.kind === 'postgres' ? src : undefined;
}

function scalar(v: unknown): FeatureScalar {
  if (typeof v === 'bigint') return Number(v);
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return String(v);
}

/** Materializes the views over [start, end); returns one summary per view. */
export async function materialize(opts: MaterializeOptions): Promise<MaterializeSummary[]> {
  if (!(opts.end > opts.start))
    throw invalidParameter(
      'end',
      `a time after start (${new Date(opts.start).toISOString()})`,
      new Date(opts.end).toISOString(),
    );
  const names =
    opts.views ??
    [...opts.catalog.views.values()]
      .filter((v) => v.online && fileSourceOf(opts.catalog, v))
      .map((v) => v.name);
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const summaries: MaterializeSummary[] = [];
  try {
    for (const name of names) {
      const view = opts.catalog.views.get(name);
      if (!view) throw invalidParameter('views', `one of ${[...opts.catalog.views.keys()].join(', ')}`, name);
      const source = fileSourceOf(opts.catalog, view);
      if (!source)
        throw invalidParameter(
          `feature_view '${name}'.source`,
          'a file or PostgreSQL source (or a push source with one as batch source)',
          view.source,
        );
      summaries.push(await materializeView(conn, opts, view, source));
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  return summaries;
}

async function materializeView(
  conn: Awaited<ReturnType<DuckDBInstance['connect']>>,
  opts: MaterializeOptions,
  view: FeatureView,
  source: OfflineSource,
): Promise<MaterializeSummary> {
  const started = performance.now();
  const joinKeys = joinKeysOf(opts.catalog, view);
  // A PostgreSQL source reads only these columns, and only rows in the window.
  const file = await scanOfflineSource(conn, source, {
    columns: [
      ...joinKeys.map((name) => ({ name, role: 'join key' })),
      { name: source.timestampField, role: 'event timestamp' },
      ...(source.createdTimestampField
        ? [{ name: source.createdTimestampField, role: 'created timestamp' }]
        : []),
      ...view.schema.map((f) => ({ name: f.name, role: 'feature', featureType: f.type })),
    ],
    postgresConnection: opts.postgresConnection,
    window: { start: opts.start, end: opts.end },
  });
  const need = (col: string, role: string) => {
    const type = file.columns.get(col);
    if (type === undefined) throw missingColumn(file, col, role);
    return type;
  };
  for (const k of joinKeys) need(k, 'join key');
  const ts = epochMicros(source.timestampField, need(source.timestampField, 'event timestamp'), file);
  const cts = source.createdTimestampField
    ? epochMicros(source.createdTimestampField, need(source.createdTimestampField, 'created timestamp'), file)
    : 'NULL';
  const features = view.schema.map(
    (f) => `${featureValueSql(f.name, f.type, need(f.name, 'feature'), file)} AS ${sqlIdent(f.name)}`,
  );
  const keys = joinKeys.map(sqlIdent).join(', ');
  const sql = `SELECT ${keys}, ${features.join(', ')}, __ts // 1000 AS __ts, __cts // 1000 AS __cts
    FROM (SELECT *, ${ts} AS __ts, ${cts} AS __cts FROM ${file.relation})
    WHERE __ts >= ${Math.trunc(opts.start) * 1000} AND __ts < ${Math.trunc(opts.end) * 1000}
    QUALIFY row_number() OVER (PARTITION BY ${keys} ORDER BY __ts DESC, __cts DESC NULLS LAST) = 1
    ORDER BY ${keys}`;
  // Ordered by entity, so that batches (the unit validation refuses) are the same on every run.
  const result = await conn.stream(sql);
  const batchSize = opts.batchSize ?? 10_000;
  const nk = joinKeys.length;
  const nf = view.schema.length;
  const report = new ValidationReportBuilder();
  const statistics = new ViewStatisticsBuilder(view);
  let rowsRead = 0;
  let rowsWritten = 0;
  let newest: number | null = null;
  // The pending batch, column-major: what validation, statistics and the write each walk.
  let n = 0;
  let entityKeys: string[] = [];
  let columns: FeatureScalar[][] = view.schema.map(() => []);
  let eventTs: number[] = [];
  let createdTs: Array<number | null> = [];
  const flush = async () => {
    if (n === 0) return;
    statistics.addColumns(columns, n);
    const df: DataFrame = {};
    view.schema.forEach((f, k) => {
      df[f.name] = columns[k];
    });
    const violations = findViolations(view, df, n);
    report.addBatch(n, violations, (i) => entityKeys[i]);
    if (violations.length === 0) {
      const rows: OnlineRow[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const values: Record<string, FeatureScalar> = {};
        for (let k = 0; k < nf; k++) values[view.schema[k].name] = columns[k][i];
        const created = createdTs[i];
        rows[i] = {
          entityKey: entityKeys[i],
          values,
          eventTimestamp: eventTs[i],
          ...(created === null ? {} : { createdTimestamp: created }),
        };
        if (newest === null || eventTs[i] > newest) newest = eventTs[i];
      }
      rowsWritten += await opts.store.write(view.name, rows);
    }
    n = 0;
    entityKeys = [];
    columns = view.schema.map(() => []);
    eventTs = [];
    createdTs = [];
    opts.onProgress?.({ view: view.name, rowsRead, rowsWritten, rowsRefused: report.rowsRefused });
  };
  const keyRow: Record<string, FeatureScalar> = {};
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const cols = chunk.getColumns();
    for (let r = 0; r < chunk.rowCount; r++) {
      for (let k = 0; k < nk; k++) keyRow[joinKeys[k]] = scalar(cols[k][r]);
      entityKeys.push(entityKeyOf(joinKeys, keyRow));
      for (let k = 0; k < nf; k++) columns[k].push(scalar(cols[nk + k][r]));
      eventTs.push(Number(cols[nk + nf][r]));
      const created = cols[nk + nf + 1][r];
      createdTs.push(created === null ? null : Number(created));
      n++;
      rowsRead++;
      if (n >= batchSize) await flush();
    }
  }
  await flush();
  const built = report.build();
  return {
    view: view.name,
    rowsRead,
    rowsWritten,
    rowsRefused: built.rowsRefused,
    newestEventTimestamp: newest,
    report: built,
    statistics: statistics.build(),
    seconds: (performance.now() - started) / 1000,
  };
}
