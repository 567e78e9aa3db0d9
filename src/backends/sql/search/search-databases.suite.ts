/**
 * Test harness for the search compilers: a fresh database per engine with the real schema (the
 * server's migrations). SQLite is in memory; PostgreSQL gets a uniquely named schema in
 * the `test` database, dropped on close.
 */
import { randomUUID } from 'node:crypto';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from '../migrate.js';
import type { Database, SqlDialectName } from '../schema.js';

/** Every engine the search compilers must work on. */
export const ENGINES: SqlDialectName[] = ['sqlite', 'postgres'];

const POSTGRES_URL = 'postgresql://postgres@127.0.0.1:5432/test';

export interface SearchDatabase {
  db: Kysely<Database>;
  dialect: SqlDialectName;
  close(): Promise<void>;
}

/** Opens an empty database on `dialect` and creates the search tables. */
export async function openSearchDatabase(dialect: SqlDialectName): Promise<SearchDatabase> {
  if (dialect === 'sqlite') {
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });
    await createSearchTables(db, dialect);
    return { db, dialect, close: () => db.destroy() };
  }
  const schema = `search_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 1 });
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 2, options: `-c search_path=${schema}` });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  await createSearchTables(db, dialect);
  return {
    db,
    dialect,
    close: async () => {
      await sql`drop schema ${sql.id(schema)} cascade`.execute(db);
      await db.destroy();
    },
  };
}

/** The real schema: the same numbered migrations the server applies on start. */
async function createSearchTables(db: Kysely<Database>, dialect: SqlDialectName): Promise<void> {
  await migrateToLatest(db, dialect);
}
