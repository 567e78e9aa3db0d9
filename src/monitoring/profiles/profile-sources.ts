/**
 * Where profiles are built from: a window of the inference log (a serving profile), any Parquet or
 * CSV file, or a registered dataset version — the training set a model version's lineage names
 * (reference profiles). Every builder streams through DuckDB (see relation-profile.ts), so memory
 * stays bounded by one chunk per column plus the sketches.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { sqlString } from '../../core/duckdb-sql.js';
import { invalidParameter } from '../../core/errors.js';
import type { DatasetVersion } from '../../datasets/index.js';
import type { ModelVersion } from '../../registry/types.js';
import { type ArtifactStore, PROXIED_SCHEME, storePathOf } from '../../tracking/index.js';
import { queryInferenceLog } from '../inference-log/index.js';
import type { InferenceLogSelection } from '../inference-log/types.js';
import type { DatasetProfile } from './dataset-profile.js';
import { profileRelation, type RelationProfileOptions } from './relation-profile.js';

/** The inference log's own columns, which are not model inputs or outputs. */
export const INFERENCE_LOG_FIXED_COLUMNS = [
  'request_id',
  'row_index',
  'ts',
  'model',
  'version',
  'latency_us',
  'replica',
  'date',
];

type BuildOptions = Omit<RelationProfileOptions, 'key' | 'start' | 'end'>;

async function withDuckDB<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    return await fn(conn);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/**
 * The serving profile of one model version over [from, to) of the inference log: every input and
 * output column (`in_*`, `out_*`; `req_*` only when listed in `columns`).
 *
 * @example
 * const current = await profileInferenceLog(
 *   { dir: './inference-log', model: 'fraud', version: '3', from: hourStart, to: hourEnd },
 *   { reference },
 * );
 */
export async function profileInferenceLog(
  selection: InferenceLogSelection & { from: Date; to: Date; version: string; segment?: string },
  options: BuildOptions = {},
): Promise<DatasetProfile> {
  if (typeof selection.version !== 'string' || selection.version === '')
    throw invalidParameter('version', 'a model version', selection.version);
  for (const f of ['from', 'to'] as const) {
    const d = selection[f];
    if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw invalidParameter(f, 'a valid Date', d);
  }
  const query = await queryInferenceLog(selection);
  try {
    const exclude = [...INFERENCE_LOG_FIXED_COLUMNS, ...(options.exclude ?? [])];
    const all = (await query.columns()).map((c) => c.name);
    const columns = options.columns ?? all.filter((n) => /^(in|out)_/.test(n) && !exclude.includes(n));
    return await profileRelation(query.connection, query.sql, {
      ...options,
      columns,
      key: {
        model: selection.model,
        version: selection.version,
        kind: 'serving',
        source: 'inference-log',
        segment: selection.segment ?? '',
      },
      start: selection.from.getTime(),
      end: selection.to.getTime(),
    });
  } finally {
    query.close();
  }
}

/** What a file or dataset profile describes (default: a reference profile of no model). */
export interface FileProfileOptions extends BuildOptions {
  model?: string;
  version?: string;
  kind?: 'reference' | 'serving';
  source?: string;
  segment?: string;
  /** Default: from the extension (.csv, .tsv → csv; otherwise parquet). */
  format?: 'parquet' | 'csv';
  start?: number;
  end?: number;
}

/** The DuckDB relation reading a local Parquet or CSV file. */
export function fileRelation(path: string, format?: 'parquet' | 'csv'): string {
  if (typeof path !== 'string' || path === '')
    throw invalidParameter('path', 'a Parquet or CSV file path', path);
  const f = format ?? (['.csv', '.tsv'].includes(extname(path).toLowerCase()) ? 'csv' : 'parquet');
  if (f !== 'parquet' && f !== 'csv') throw invalidParameter('format', "'parquet' or 'csv'", f);
  return f === 'csv'
    ? `SELECT * FROM read_csv(${sqlString(path, 'path')})`
    : `SELECT * FROM read_parquet(${sqlString(path, 'path')})`;
}

/**
 * The profile of a Parquet or CSV file (a reference profile by default).
 *
 * @example
 * const reference = await profileFile('train.parquet', { model: 'fraud', version: '3' });
 */
export async function profileFile(path: string, options: FileProfileOptions = {}): Promise<DatasetProfile> {
  const {
    model = '',
    version = '',
    kind = 'reference',
    source = path,
    segment = '',
    format,
    start = 0,
    end = Date.now(),
    ...rest
  } = options;
  return withDuckDB(async (conn) => {
    const sql = fileRelation(path, format);
    try {
      await conn.runAndReadAll(`DESCRIBE ${sql}`);
    } catch (err) {
      throw invalidParameter(
        'path',
        'a readable Parquet or CSV file',
        `${path} (${(err as Error).message.split('\n')[0]})`,
      );
    }
    return profileRelation(conn, sql, {
      ...rest,
      key: { model, version, kind, source, segment },
      start,
      end,
    });
  });
}

/**
 * The dataset version a model version was trained on, from its lineage: the Slipway dataset input
 * tagged `mlflow.data.context = training` (or the only Slipway dataset input).
 */
export function trainingDatasetOf(modelVersion: ModelVersion): { name: string; version: number } | undefined {
  const slipway = modelVersion.lineage.datasets.filter((d) => d.dataset.sourceType === 'slipway');
  const training =
    slipway.find((d) => d.tags.some((t) => t.key === 'mlflow.data.context' && t.value === 'training')) ??
    (slipway.length === 1 ? slipway[0] : undefined);
  if (!training) return undefined;
  try {
    const source = JSON.parse(training.dataset.source) as { name?: unknown; version?: unknown };
    if (typeof source.name === 'string' && Number.isSafeInteger(source.version))
      return { name: source.name, version: source.version as number };
  } catch {
    // Not a Slipway source: fall through to the tags.
  }
  const tagged = training.tags.find((t) => t.key === 'slipway.dataset.version')?.value;
  return tagged ? { name: training.dataset.name, version: Number(tagged) } : undefined;
}

/**
 * The reference profile of a dataset version: its Parquet file read where the artifact store keeps
 * it (a local store directly; object storage downloaded to a temporary file first, then removed).
 */
export async function profileDatasetVersion(
  dataset: DatasetVersion,
  artifacts: ArtifactStore,
  options: Omit<FileProfileOptions, 'format' | 'source'> = {},
): Promise<DatasetProfile> {
  const source = `dataset:${dataset.name}/${dataset.version}`;
  const base = {
    start: dataset.createdAt,
    end: dataset.createdAt,
    ...options,
    source,
    format: 'parquet' as const,
  };
  if (!dataset.source.startsWith(PROXIED_SCHEME)) {
    const path = dataset.source.startsWith('file:') ? fileURLToPath(dataset.source) : dataset.source;
    return profileFile(path, base);
  }
  const storePath = storePathOf(dataset.source);
  if (artifacts.rootUri.startsWith('file:'))
    return profileFile(join(fileURLToPath(artifacts.rootUri), storePath), base);
  const dir = await mkdtemp(join(tmpdir(), 'slipway-profile-'));
  try {
    const local = join(dir, 'data.parquet');
    await pipeline(await artifacts.get(storePath), createWriteStream(local));
    return await profileFile(local, base);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
