/**
 * Quoting for the DuckDB SQL the platform builds (offline features, the inference log, monitoring
 * reports). Paths and column names come from users' definitions, files and logs, so every one goes
 * through here: DuckDB reads `''` and `""` as the only escapes inside
 * quotes (backslashes are literal), which makes doubling the quote character sufficient.
 */
import { invalidParameter } from './errors.js';

/** A DuckDB string literal. NUL is rejected: DuckDB's C API would cut the statement short there. */
export function sqlString(value: string, field: string): string {
  if (value.includes('\0')) throw invalidParameter(field, 'text without NUL characters', value);
  return `'${value.replaceAll("'", "''")}'`;
}

/** A DuckDB quoted identifier (column or table name). */
export function sqlIdent(name: string): string {
  if (name.includes('\0')) throw invalidParameter('column', 'a name without NUL characters', name);
  return `"${name.replaceAll('"', '""')}"`;
}
