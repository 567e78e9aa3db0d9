/**
 * Test harness for the search compilers: a fresh database per engine with just the tables search
 * reads, shaped like schema.ts. SQLite is in memory; PostgreSQL gets a uniquely named schema in
 * the `test` database, dropped on close.
 */
import { randomUUID } from 'node:crypto';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
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

async function createSearchTables(db: Kysely<Database>, dialect: SqlDialectName): Promise<void> {
  const s = db.schema;
  await s
    .createTable('experiments')
    .addColumn('experiment_id', dialect === 'postgres' ? 'serial' : 'integer', (c) => c.primaryKey())
    .addColumn('name', 'varchar(500)', (c) => c.notNull().unique())
    .addColumn('artifact_location', 'text', (c) => c.notNull())
    .addColumn('lifecycle_stage', 'varchar(32)', (c) => c.notNull())
    .addColumn('creation_time', 'bigint', (c) => c.notNull())
    .addColumn('last_update_time', 'bigint', (c) => c.notNull())
    .execute();
  await s
    .createTable('runs')
    .addColumn('run_id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('experiment_id', 'integer', (c) => c.notNull())
    .addColumn('run_name', 'varchar(250)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(256)', (c) => c.notNull())
    .addColumn('status', 'varchar(20)', (c) => c.notNull())
    .addColumn('start_time', 'bigint', (c) => c.notNull())
    .addColumn('end_time', 'bigint')
    .addColumn('deleted_time', 'bigint')
    .addColumn('artifact_uri', 'text', (c) => c.notNull())
    .addColumn('lifecycle_stage', 'varchar(32)', (c) => c.notNull())
    .execute();
  const keyValueTables = [
    ['experiment_tags', ['experiment_id', 'integer']],
    ['params', ['run_id', 'varchar(32)']],
    ['tags', ['run_id', 'varchar(32)']],
    ['registered_model_tags', ['name', 'varchar(256)']],
  ] as const;
  for (const [table, [owner, type]] of keyValueTables) {
    await s
      .createTable(table)
      .addColumn(owner, type, (c) => c.notNull())
      .addColumn('key', 'varchar(250)', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint(`${table}_pk`, [owner, 'key'])
      .execute();
  }
  await s
    .createTable('latest_metrics')
    .addColumn('run_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('key', 'varchar(250)', (c) => c.notNull())
    .addColumn('value', 'double precision', (c) => c.notNull())
    .addColumn('timestamp', 'bigint', (c) => c.notNull())
    .addColumn('step', 'bigint', (c) => c.notNull())
    .addColumn('is_nan', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('latest_metrics_pk', ['run_id', 'key'])
    .execute();
  await s
    .createTable('datasets')
    .addColumn('dataset_id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('experiment_id', 'integer', (c) => c.notNull())
    .addColumn('name', 'varchar(500)', (c) => c.notNull())
    .addColumn('digest', 'varchar(64)', (c) => c.notNull())
    .addColumn('source_type', 'varchar(36)', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('schema', 'text')
    .addColumn('profile', 'text')
    .execute();
  await s
    .createTable('run_inputs')
    .addColumn('run_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('dataset_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('run_inputs_pk', ['run_id', 'dataset_id'])
    .execute();
  await s
    .createTable('registered_models')
    .addColumn('name', 'varchar(256)', (c) => c.primaryKey())
    .addColumn('creation_time', 'bigint', (c) => c.notNull())
    .addColumn('last_updated_time', 'bigint', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .execute();
  await s
    .createTable('model_versions')
    .addColumn('name', 'varchar(256)', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('creation_time', 'bigint', (c) => c.notNull())
    .addColumn('last_updated_time', 'bigint', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('current_stage', 'varchar(20)', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('run_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('run_link', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(20)', (c) => c.notNull())
    .addColumn('storage_location', 'text', (c) => c.notNull())
    .addColumn('content_hash', 'varchar(80)')
    .addColumn('signature', 'text')
    .addColumn('code_version', 'text')
    .addColumn('datasets', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('model_versions_pk', ['name', 'version'])
    .execute();
  await s
    .createTable('model_version_tags')
    .addColumn('name', 'varchar(256)', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('key', 'varchar(250)', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('model_version_tags_pk', ['name', 'version', 'key'])
    .execute();
}
