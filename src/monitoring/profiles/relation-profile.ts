/**
 * Building a dataset profile from any DuckDB relation (a SELECT), streamed chunk by chunk (DuckDB's
 * 2,048-row vectors): no more than one chunk of values is held in JavaScript at a time, whatever
 * the relation's size. Column kinds follow DuckDB's types (numbers → numeric; text, booleans and
 * enums → categorical; others skipped) unless a reference profile fixes them.
 *
 * Histogram edges: a serving profile takes the reference's edges (so its bins are the reference's);
 * a reference profile gets Sturges edges over its own range, from one aggregate pass before the
 * streaming pass.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlIdent } from '../../core/duckdb-sql.js';
import { invalidParameter } from '../../core/errors.js';
import type { CategoricalProfileOptions, NumericProfileOptions } from './column-profile.js';
import { DatasetProfile, type ProfileKey } from './dataset-profile.js';
import { sturgesEdgesOfRange } from './fixed-histogram.js';

const NUMERIC_TYPE =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/;
const CATEGORICAL_TYPE = /^(VARCHAR|BOOLEAN|ENUM.*)$/;

export type ProfiledColumnKind = 'numeric' | 'categorical';

export interface RelationProfileOptions {
  key: ProfileKey;
  /** Window start and end (exclusive), epoch ms. */
  start: number;
  end: number;
  /** Columns to profile (default: every numeric or categorical column not in `exclude`). */
  columns?: readonly string[];
  exclude?: readonly string[];
  /** Kinds by column, overriding the type-based choice (e.g. a numeric class label as categorical). */
  kinds?: Readonly<Record<string, ProfiledColumnKind>>;
  /**
   * The reference this profile will be compared with: its columns' kinds and histogram edges are
   * used. Without one, a 'reference' profile computes its own Sturges edges and a 'serving' one has
   * no histogram.
   */
  reference?: DatasetProfile;
  numeric?: Omit<NumericProfileOptions, 'edges'>;
  categorical?: CategoricalProfileOptions;
}

/** The columns of `sql` to profile and their kinds. */
export async function profiledColumns(
  conn: DuckDBConnection,
  sql: string,
  options: Pick<RelationProfileOptions, 'columns' | 'exclude' | 'kinds' | 'reference'>,
): Promise<Array<{ name: string; kind: ProfiledColumnKind }>> {
  const described = await conn.runAndReadAll(`DESCRIBE ${sql}`);
  const types = new Map(
    described.getRowObjectsJS().map((c) => [String(c['column_name']), String(c['column_type'])]),
  );
  const exclude = new Set(options.exclude ?? []);
  const names = options.columns ?? [...types.keys()].filter((n) => !exclude.has(n));
  const out: Array<{ name: string; kind: ProfiledColumnKind }> = [];
  for (const name of names) {
    const type = types.get(name);
    if (type === undefined)
      throw invalidParameter('columns', `a column of the data (${[...types.keys()].join(', ')})`, name);
    const fromReference = options.reference?.columns.get(name)?.kind;
    const kind =
      options.kinds?.[name] ??
      fromReference ??
      (NUMERIC_TYPE.test(type) ? 'numeric' : CATEGORICAL_TYPE.test(type) ? 'categorical' : undefined);
    if (kind === undefined) {
      if (options.columns)
        throw invalidParameter(`columns.${name}`, 'a numeric, text, boolean or enum column', type);
      continue;
    }
    out.push({ name, kind });
  }
  return out;
}

/** Sturges edges per numeric column over the relation's own finite values (one aggregate query). */
async function ownEdges(
  conn: DuckDBConnection,
  sql: string,
  numeric: string[],
): Promise<Map<string, Float64Array>> {
  const edges = new Map<string, Float64Array>();
  if (numeric.length === 0) return edges;
  const parts = numeric.flatMap((c, i) => {
    const v = `CASE WHEN isfinite(${sqlIdent(c)}::DOUBLE) THEN ${sqlIdent(c)}::DOUBLE END`;
    return [`min(${v}) AS lo${i}`, `max(${v}) AS hi${i}`, `count(${v}) AS n${i}`];
  });
  const row = (await conn.runAndReadAll(`SELECT ${parts.join(', ')} FROM (${sql})`)).getRowObjectsJS()[0]!;
  numeric.forEach((c, i) => {
    const n = Number(row[`n${i}`]);
    if (n > 0) edges.set(c, sturgesEdgesOfRange(Number(row[`lo${i}`]), Number(row[`hi${i}`]), n));
  });
  return edges;
}

/**
 * Profiles the rows of `sql` (any DuckDB SELECT) on `conn`.
 *
 * @example
 * const profile = await profileRelation(conn, "SELECT * FROM read_parquet('train.parquet')", {
 *   key: { model: 'fraud', version: '3', kind: 'reference', source: 'train.parquet', segment: '' },
 *   start: 0, end: Date.now(),
 * });
 */
export async function profileRelation(
  conn: DuckDBConnection,
  sql: string,
  options: RelationProfileOptions,
): Promise<DatasetProfile> {
  const columns = await profiledColumns(conn, sql, options);
  const profile = new DatasetProfile(options.key, options.start, options.end);
  const numericNames = columns.filter((c) => c.kind === 'numeric').map((c) => c.name);
  let edges = new Map<string, Float64Array>();
  if (options.reference) {
    for (const name of numericNames) {
      const ref = options.reference.columns.get(name);
      if (ref?.kind === 'numeric' && ref.histogram) edges.set(name, ref.histogram.edges);
    }
  } else if (options.key.kind === 'reference') {
    edges = await ownEdges(conn, sql, numericNames);
  }
  const adders = columns.map(({ name, kind }) => {
    if (kind === 'numeric') {
      const col = profile.numeric(name, { ...options.numeric, edges: edges.get(name) });
      return (values: unknown[]) => {
        const out = new Float64Array(values.length);
        for (let i = 0; i < values.length; i++) {
          const v = values[i];
          out[i] = typeof v === 'number' ? v : Number.NaN;
        }
        col.add(out);
      };
    }
    const col = profile.categorical(name, options.categorical);
    return (values: unknown[]) => col.add(values as Array<string | null>);
  });
  if (columns.length === 0) return profile;
  const select = columns
    .map(
      ({ name, kind }) =>
        `${sqlIdent(name)}::${kind === 'numeric' ? 'DOUBLE' : 'VARCHAR'} AS ${sqlIdent(name)}`,
    )
    .join(', ');
  const result = await conn.stream(`SELECT ${select} FROM (${sql})`);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    for (let c = 0; c < columns.length; c++) adders[c]!(chunk.getColumnValues(c) as unknown[]);
  }
  return profile;
}
