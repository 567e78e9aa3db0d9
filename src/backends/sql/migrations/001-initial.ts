/**
 * Migration 001: the tracking and registry tables.
 * Inputs: an empty database. Output: every table of schema.ts, with the indexes search relies on.
 */
import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../schema.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists at their time
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, dialect: SqlDialectName): Promise<void> {
  const bigint = 'bigint';
  await db.schema
    .createTable('experiments')
    .addColumn('experiment_id', dialect === 'postgres' ? 'serial' : 'integer', (c) =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('name', 'varchar(500)', (c) => c.notNull().unique())
    .addColumn('artifact_location', 'text', (c) => c.notNull())
    .addColumn('lifecycle_stage', 'varchar(32)', (c) => c.notNull())
    .addColumn('creation_time', bigint, (c) => c.notNull())
    .addColumn('last_update_time', bigint, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('experiment_tags')
    .addColumn('experiment_id', 'integer', (c) => c.notNull())
    .addColumn('key', 'varchar(250)', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('experiment_tags_pk', ['experiment_id', 'key'])
    .execute();

  await db.schema
    .createTable('runs')
    .addColumn('run_id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('experiment_id', 'integer', (c) => c.notNull())
    .addColumn('run_name', 'varchar(250)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(256)', (c) => c.notNull())
    .addColumn('status', 'varchar(20)', (c) => c.notNull())
    .addColumn('start_time', bigint, (c) => c.notNull())
    .addColumn('end_time', bigint)
    .addColumn('deleted_time', bigint)
    .addColumn('artifact_uri', 'text', (c) => c.notNull())
    .addColumn('lifecycle_stage', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('runs_experiment_start')
    .on('runs')
    .columns(['experiment_id', 'start_time'])
    .execute();

  for (const table of ['params', 'tags']) {
    await db.schema
      .createTable(table)
      .addColumn('run_id', 'varchar(32)', (c) => c.notNull())
      .addColumn('key', 'varchar(250)', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint(`${table}_pk`, ['run_id', 'key'])
      .execute();
    await db.schema.createIndex(`${table}_key_value`).on(table).columns(['key', 'run_id']).execute();
  }

  for (const table of ['metrics', 'latest_metrics']) {
    let t = db.schema
      .createTable(table)
      .addColumn('run_id', 'varchar(32)', (c) => c.notNull())
      .addColumn('key', 'varchar(250)', (c) => c.notNull())
      .addColumn('value', 'double precision', (c) => c.notNull())
      .addColumn('timestamp', bigint, (c) => c.notNull())
      .addColumn('step', bigint, (c) => c.notNull())
      .addColumn('is_nan', 'integer', (c) => c.notNull());
    if (table === 'latest_metrics') t = t.addPrimaryKeyConstraint('latest_metrics_pk', ['run_id', 'key']);
    await t.execute();
  }
  await db.schema
    .createIndex('metrics_history')
    .on('metrics')
    .columns(['run_id', 'key', 'step', 'timestamp'])
    .execute();
  await db.schema.createIndex('latest_metrics_key').on('latest_metrics').columns(['key', 'value']).execute();

  await db.schema
    .createTable('datasets')
    .addColumn('dataset_id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('experiment_id', 'integer', (c) => c.notNull())
    .addColumn('name', 'varchar(500)', (c) => c.notNull())
    .addColumn('digest', 'varchar(64)', (c) => c.notNull())
    .addColumn('source_type', 'varchar(36)', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('schema', 'text')
    .addColumn('profile', 'text')
    .addUniqueConstraint('datasets_identity', ['experiment_id', 'name', 'digest'])
    .execute();
  await db.schema
    .createTable('run_inputs')
    .addColumn('run_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('dataset_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('run_inputs_pk', ['run_id', 'dataset_id'])
    .execute();

  await db.schema
    .createTable('registered_models')
    .addColumn('name', 'varchar(256)', (c) => c.primaryKey())
    .addColumn('creation_time', bigint, (c) => c.notNull())
    .addColumn('last_updated_time', bigint, (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('registered_model_tags')
    .addColumn('name', 'varchar(256)', (c) => c.notNull())
    .addColumn('key', 'varchar(250)', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('registered_model_tags_pk', ['name', 'key'])
    .execute();
  await db.schema
    .createTable('model_versions')
    .addColumn('name', 'varchar(256)', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('creation_time', bigint, (c) => c.notNull())
    .addColumn('last_updated_time', bigint, (c) => c.notNull())
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
  await db.schema
    .createTable('model_version_tags')
    .addColumn('name', 'varchar(256)', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('key', 'varchar(250)', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('model_version_tags_pk', ['name', 'version', 'key'])
    .execute();
  await db.schema
    .createTable('model_aliases')
    .addColumn('name', 'varchar(256)', (c) => c.notNull())
    .addColumn('alias', 'varchar(256)', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('model_aliases_pk', ['name', 'alias'])
    .execute();
}
