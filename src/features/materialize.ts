/**
 * Materialization: copy the latest row per entity of each online feature view, from its offline
 * source over an event-time window, into the online store. DuckDB picks the latest row per entity
 * (ties by created timestamp) and streams the result in chunks, so memory stays bounded whatever
 * the source's size; writes are newer-wins, so a run killed half-way and re-run ends correct and
 * only rows newer than what the store holds are written.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { invalidParameter } from '../core/errors.js';
import { entityKeyOf } from './entity-key.js';
import { epochMicros, missingColumn, scanFile } from './offline/file-scan.js';
import { sqlIdent } from './offline/sql.js';
import { batchSourceOf, type FeatureCatalog, joinKeysOf } from './online-features.js';
import type { DataSource, FeatureScalar, FeatureView, OnlineRow, OnlineStore } from './types.js';

export interface MaterializeOptions {
  catalog: FeatureCatalog;
  store: OnlineStore;
  /** Views to materialize (default: every online view with a file source). */
  views?: string[];
  /** Event-time window, epoch ms: [start, end). */
  start: number;
  end: number;
  /** Rows per online-store write (default 10,000). */
  batchSize?: number;
  onProgress?: (p: { view: string; rowsRead: number; rowsWritten: number }) => void;
}

export interface MaterializeSummary {
  view: string;
  rowsRead: number;
  rowsWritten: number;
  seconds: number;
}

type FileSource = Extract<DataSource, { kind: 'file' }>;

function fileSourceOf(catalog: FeatureCatalog, view: FeatureView): FileSource | undefined {
  const src = batchSourceOf(catalog.sources, view);
  return src?.kind === 'file' ? src : undefined;
}

/** The SQL value of a feature, cast so DuckDB hands back plain JS scalars. */
function featureSql(name: string, type: string, columnType: string, source: FileSource): string {
  const c = sqlIdent(name);
  switch (type) {
    case 'int64':
    case 'int32':
      return `CAST(${c} AS BIGINT)`;
    case 'float64':
    case 'float32':
      return `CAST(${c} AS DOUBLE)`;
    case 'bool':
      return `CAST(${c} AS BOOLEAN)`;
    case 'timestamp':
      return `(${epochMicros(name, columnType, { label: `data source '${source.name}'`, path: source.path })} // 1000)`;
    default:
      return `CAST(${c} AS VARCHAR)`;
  }
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
          'a file source (or a push source with a file batch source)',
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
  source: FileSource,
): Promise<MaterializeSummary> {
  const started = performance.now();
  const file = await scanFile(conn, source.path, source.format, `data source '${source.name}'`);
  const joinKeys = joinKeysOf(opts.catalog, view);
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
    (f) => `${featureSql(f.name, f.type, need(f.name, 'feature'), source)} AS ${sqlIdent(f.name)}`,
  );
  const keys = joinKeys.map(sqlIdent).join(', ');
  const sql = `SELECT ${keys}, ${features.join(', ')}, __ts // 1000 AS __ts, __cts // 1000 AS __cts
    FROM (SELECT *, ${ts} AS __ts, ${cts} AS __cts FROM ${file.relation})
    WHERE __ts >= ${Math.trunc(opts.start) * 1000} AND __ts < ${Math.trunc(opts.end) * 1000}
    QUALIFY row_number() OVER (PARTITION BY ${keys} ORDER BY __ts DESC, __cts DESC NULLS LAST) = 1`;
  const result = await conn.stream(sql);
  const batchSize = opts.batchSize ?? 10_000;
  let rowsRead = 0;
  let rowsWritten = 0;
  let batch: OnlineRow[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    rowsWritten += await opts.store.write(view.name, batch);
    batch = [];
    opts.onProgress?.({ view: view.name, rowsRead, rowsWritten });
  };
  const nk = joinKeys.length;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    for (const r of chunk.getRows()) {
      const keyRow: Record<string, FeatureScalar> = {};
      for (let k = 0; k < nk; k++) keyRow[joinKeys[k]] = scalar(r[k]);
      const values: Record<string, FeatureScalar> = {};
      view.schema.forEach((f, k) => {
        values[f.name] = scalar(r[nk + k]);
      });
      const created = r[nk + view.schema.length + 1];
      batch.push({
        entityKey: entityKeyOf(joinKeys, keyRow),
        values,
        eventTimestamp: Number(r[nk + view.schema.length]),
        ...(created === null ? {} : { createdTimestamp: Number(created) }),
      });
      rowsRead++;
      if (batch.length >= batchSize) await flush();
    }
  }
  await flush();
  return { view: view.name, rowsRead, rowsWritten, seconds: (performance.now() - started) / 1000 };
}
