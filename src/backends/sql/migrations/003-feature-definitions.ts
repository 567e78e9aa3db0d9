/**
 * Migration 003: the feature registry. Inputs: the 002 schema. Output: `feature_definitions`, one
 * row per version of each entity, source, feature view, on-demand view and feature service of a
 * project; its primary key (project, kind, name, version) is what stops two concurrent applies
 * from storing the same version twice.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists at their time
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('feature_definitions')
    .addColumn('project', 'varchar(256)', (c) => c.notNull())
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('name', 'varchar(256)', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('changes', 'text', (c) => c.notNull())
    .addColumn('breaking', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('deleted_at', 'bigint')
    .addPrimaryKeyConstraint('feature_definitions_pk', ['project', 'kind', 'name', 'version'])
    .execute();
}
