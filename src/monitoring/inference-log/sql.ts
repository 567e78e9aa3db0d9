/**
 * DuckDB quoting, shared with the offline feature store (the same rules: doubled quotes, no NUL),
 * re-exported here so this folder has one place to change if it moves to a shared DuckDB backend.
 */
export { sqlIdent, sqlString } from '../../features/offline/sql.js';
