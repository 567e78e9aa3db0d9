/**
 * Migration 004: dataset versions. Inputs: the 003 schema. Output: `dataset_versions`, one row per
 * version of each named dataset (training sets built from the feature store, and any other table a
 * run consumes); its primary key (name, version) stops two concurrent registrations from storing
 * the same version twice. (`datasets` is taken: it holds MLflow's run inputs.)
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists at their time
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('dataset_versions')
    .addColumn('name', 'varchar(128)', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('digest', 'varchar(80)', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('row_count', 'bigint', (c) => c.notNull())
    .addColumn('schema', 'text', (c) => c.notNull())
    .addColumn('project', 'varchar(256)')
    .addColumn('features', 'text')
    .addColumn('feature_service', 'varchar(256)')
    .addColumn('entity_source', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('dataset_versions_pk', ['name', 'version'])
    .execute();
}
