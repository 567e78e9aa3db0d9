/**
 * Migration 005: the materialization log. Inputs: the 003 schema. Output: `feature_materializations`,
 * one row per materialization run of one feature view version — its event-time window, start and
 * finish, row counts, status, and the validation report and statistics as JSON text — indexed for
 * "latest run per (project, view)".
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists at their time
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('feature_materializations')
    .addColumn('run_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('project', 'varchar(256)', (c) => c.notNull())
    .addColumn('view', 'varchar(256)', (c) => c.notNull())
    .addColumn('view_version', 'integer')
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('window_end', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addColumn('status', 'varchar(32)', (c) => c.notNull())
    .addColumn('rows_read', 'bigint', (c) => c.notNull())
    .addColumn('rows_written', 'bigint', (c) => c.notNull())
    .addColumn('rows_refused', 'bigint', (c) => c.notNull())
    .addColumn('newest_event_ts', 'bigint')
    .addColumn('report', 'text')
    .addColumn('statistics', 'text')
    .addColumn('error', 'text')
    .execute();
  await db.schema
    .createIndex('feature_materializations_view')
    .on('feature_materializations')
    .columns(['project', 'view', 'started_at'])
    .execute();
}
