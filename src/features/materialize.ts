/**
 * Materialization: copy the latest row per entity of each online feature view, from its offline
 * source over an event-time window, into the online store. DuckDB picks the latest row per entity
 * (ties by created timestamp) and streams the result in chunks. Its window and sort hold every
 * source row of the window, so DuckDB runs under a memory limit and spills the rest to a private
 * folder in the system temp folder: memory stays bounded whatever the source's size. Writes are
 * newer-wins, so a run killed half-way and re-run ends correct and only rows newer than what the
 * store holds are written.
 *
 * Each batch is checked against the view's declared constraints before it is written (the same
 * checks as push); a batch with any violation is written not at all, and the run goes on with the
 * next one. `max_null_share` is judged per batch. Statistics of everything read are accumulated on
 * the way.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { sqlIdent } from '../core/duckdb-sql.js';
import { invalidParameter, SlipwayError } from '../core/errors.js';
import { entityKeyOf } from './entity-key.js';
import { type ValidationReport, ValidationReportBuilder } from './materialization-report.js';
import { type ViewStatistics, ViewStatisticsBuilder } from './materialization-statistics.js';
import { featureValueSql } from './offline/feature-cast.js';
import { epochMicros, missingColumn } from './offline/file-scan.js';
import { type OfflineSource, scanOfflineSource } from './offline/source-scan.js';
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
  /**
   * DuckDB's memory budget, as DuckDB writes sizes (`512MiB`, `2GB`); beyond it the latest-row-per-entity
   * step spills to disk. Default `defaultMemoryLimit()`.
   */
  memoryLimit?: string;
  /** The folder DuckDB spills under, in a fresh subfolder removed afterwards (default: the system temp folder). */
  spillDirectory?: string;
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

const SIZE = /^\s*\d+(\.\d+)?\s*(B|[KMGT]i?B)\s*$/i;

/**
 * The memory limit DuckDB runs materialization under when none is given: 512 MiB, or a quarter of
 * the machine's memory when that is less.
 */
export function defaultMemoryLimit(): string {
  return `${Math.min(512, Math.floor(totalmem() / 4 / 2 ** 20))}MiB`;
}

/**
 * `value` checked as a DuckDB memory size (`512MiB`, `2GB`, `1.5GiB`); `field` names it in the error.
 *
 * @example
 * checkMemoryLimit('--memory-limit', '1GiB'); // '1GiB'
 */
export function checkMemoryLimit(field: string, value: string): string {
  if (!SIZE.test(value)) throw invalidParameter(field, 'a size such as 512MiB or 2GB', value);
  return value.trim();
}

/** DuckDB's out-of-memory error as one that names the limit to raise; undefined for other errors. */
function outOfMemory(err: unknown, view: string, memoryLimit: string): SlipwayError | undefined {
  const message = err instanceof Error ? err.message : String(err);
  if (!message.startsWith('Out of Memory Error')) return undefined;
  return new SlipwayError(
    'INVALID_PARAMETER_VALUE',
    `Materializing '${view}' needed more than DuckDB's memory limit of ${memoryLimit} (raise memoryLimit, --memory-limit on the CLI): ${message.split('\n')[0]}`,
    { field: 'memoryLimit', got: memoryLimit, view },
  );
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
  const memoryLimit =
    opts.memoryLimit === undefined ? defaultMemoryLimit() : checkMemoryLimit('memoryLimit', opts.memoryLimit);
  // A private spill folder: concurrent runs never share temp files, and it goes with the run.
  const spill = await mkdtemp(join(opts.spillDirectory ?? tmpdir(), 'slipway-materialize-spill-'));
  const summaries: MaterializeSummary[] = [];
  try {
    const instance = await DuckDBInstance.create(':memory:', {
      memory_limit: memoryLimit,
      temp_directory: spill,
      // The result is ordered by ORDER BY; no other step needs the source's row order.
      preserve_insertion_order: 'false',
      // DuckDB turns `QUALIFY row_number() … = 1` ordered by one key into an arg_max aggregate,
      // whose per-entity state cannot spill: past the limit it fails. The window spills.
      disabled_optimizers: 'top_n_window_elimination',
    });
    const conn = await instance.connect();
    try {
      for (const name of names) {
        const view = opts.catalog.views.get(name);
        if (!view)
          throw invalidParameter('views', `one of ${[...opts.catalog.views.keys()].join(', ')}`, name);
        const source = fileSourceOf(opts.catalog, view);
        if (!source)
          throw invalidParameter(
            `feature_view '${name}'.source`,
            'a file or PostgreSQL source (or a push source with one as batch source)',
            view.source,
          );
        summaries.push(
          await materializeView(conn, opts, view, source).catch((err: unknown) => {
            throw outOfMemory(err, name, memoryLimit) ?? err;
          }),
        );
      }
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  } finally {
    await rm(spill, { recursive: true, force: true });
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
  const latestFirst = source.createdTimestampField ? '__ts DESC, __cts DESC NULLS LAST' : '__ts DESC';
  const sql = `SELECT ${keys}, ${features.join(', ')}, __ts // 1000 AS __ts, __cts // 1000 AS __cts
    FROM (SELECT *, ${ts} AS __ts, ${cts} AS __cts FROM ${file.relation})
    WHERE __ts >= ${Math.trunc(opts.start) * 1000} AND __ts < ${Math.trunc(opts.end) * 1000}
    QUALIFY row_number() OVER (PARTITION BY ${keys} ORDER BY ${latestFirst}) = 1
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
