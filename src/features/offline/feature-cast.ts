/**
 * A feature's value as its declared type, the way the online store holds it: integers as BIGINT,
 * floats as DOUBLE, timestamps as epoch milliseconds. Materialization writes these values and
 * on-demand transforms in training sets read them, so a transform sees the same inputs offline and
 * online whatever encoding the source file uses.
 */

import { sqlIdent } from '../../core/duckdb-sql.js';
import type { FeatureValueType } from '../types.js';
import { epochMicros, type ScannedFile } from './file-scan.js';

/** SQL casting column `name` (DuckDB type `columnType`) to feature type `type`, as plain JS scalars. */
export function featureValueSql(
  name: string,
  type: FeatureValueType,
  columnType: string,
  file: Pick<ScannedFile, 'label' | 'path'>,
): string {
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
      return `(${epochMicros(name, columnType, file)} // 1000)`;
    default:
      return `CAST(${c} AS VARCHAR)`;
  }
}
