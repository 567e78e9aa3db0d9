/**
 * Migration 006: monitoring profiles. Inputs: the 005 schema. Output: `monitoring_profiles`, one row
 * per dataset profile — (model, version, kind 'serving' | 'reference', source, segment, window) as
 * its primary key, so replicas merging into the same window meet on one row — with its row count
 * and the profile as JSON text; indexed for "a model's windows in a time range".
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists at their time
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('monitoring_profiles')
    .addColumn('model', 'varchar(256)', (c) => c.notNull())
    .addColumn('version', 'varchar(128)', (c) => c.notNull())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('source', 'varchar(1024)', (c) => c.notNull())
    .addColumn('segment', 'varchar(512)', (c) => c.notNull())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('window_end', 'bigint', (c) => c.notNull())
    .addColumn('rows', 'bigint', (c) => c.notNull())
    .addColumn('profile', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('monitoring_profiles_pk', [
      'model',
      'version',
      'kind',
      'source',
      'segment',
      'window_start',
      'window_end',
    ])
    .execute();
  await db.schema
    .createIndex('monitoring_profiles_window')
    .on('monitoring_profiles')
    .columns(['model', 'window_start'])
    .execute();
}
