import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { SlipwayError } from '../../core/errors.js';
import { migrateToLatest } from './migrate.js';
import type { Database, SqlDialectName } from './schema.js';
import { StatisticsRefresher } from './statistics.js';

export interface SqlDatabase {
  db: Kysely<Database>;
  dialect: SqlDialectName;
  /** Stores report how many rows they wrote, so planner statistics keep up with bulk ingest. */
  statistics: StatisticsRefresher;
  close(): Promise<void>;
}

/** PostgreSQL BIGINT (OID 20) arrives as a string by default; our times and steps fit in a double. */
const PG_INT8 = 20;

/**
 * Opens the metadata database named by `uri` and applies pending migrations.
 * `sqlite:///relative.db`, `sqlite:////absolute.db` (MLflow's convention), `sqlite:///:memory:`,
 * or `postgresql://user@host:port/db`.
 *
 * @example const { db, close } = await openSqlDatabase('sqlite:///.slipway/slipway.db');
 */
export async function openSqlDatabase(uri: string): Promise<SqlDatabase> {
  const { db, dialect } = connect(uri);
  try {
    await migrateToLatest(db, dialect);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  const statistics = new StatisticsRefresher(db, dialect);
  return {
    db,
    dialect,
    statistics,
    close: async () => {
      await statistics.settle();
      await db.destroy();
    },
  };
}

function connect(uri: string): { db: Kysely<Database>; dialect: SqlDialectName } {
  if (uri.startsWith('sqlite:')) {
    const path = sqlitePath(uri);
    if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
    const sqlite = new SQLite(path);
    // WAL + NORMAL: a committed transaction survives a process kill (kill -9); only an OS crash
    // could lose the last commits. busy_timeout covers other processes (the CLI) reading the file.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 10000');
    return {
      db: new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) }),
      dialect: 'sqlite',
    };
  }
  if (uri.startsWith('postgresql://') || uri.startsWith('postgres://')) {
    const pool = new pg.Pool({
      connectionString: uri,
      max: 10,
      types: {
        getTypeParser: ((oid: number, format?: string) =>
          oid === PG_INT8
            ? (v: string) => Number(v)
            : pg.types.getTypeParser(oid, format as 'text')) as never,
      },
    });
    return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres' };
  }
  throw new SlipwayError(
    'INVALID_PARAMETER_VALUE',
    `Invalid value for 'backend-store-uri': expected sqlite:///path or postgresql://…, got '${uri}'`,
    { field: 'backend-store-uri' },
  );
}

function sqlitePath(uri: string): string {
  const rest = uri.replace(/^sqlite:\/\/\//, '').replace(/^sqlite:/, '');
  if (rest === '' || rest === ':memory:') return ':memory:';
  return rest;
}
