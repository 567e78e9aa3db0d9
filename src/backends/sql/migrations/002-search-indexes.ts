/**
 * Migration 002: covering indexes for search. Inputs: the 001 schema. Output: indexes that let a
 * filter read only the matching (key, value) rows — `metrics.acc > 0.9` scans the acc entries above
 * 0.9, `params.lr = '0.01'` the lr entries equal to '0.01' — and list an experiment's active runs in
 * start-time order without touching the table.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists at their time
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('latest_metrics_key').execute();
  await db.schema
    .createIndex('latest_metrics_search')
    .on('latest_metrics')
    .columns(['key', 'is_nan', 'value', 'run_id'])
    .execute();
  for (const table of ['params', 'tags']) {
    await db.schema.dropIndex(`${table}_key_value`).execute();
    await db.schema.createIndex(`${table}_search`).on(table).columns(['key', 'value', 'run_id']).execute();
  }
  await db.schema.dropIndex('runs_experiment_start').execute();
  await db.schema
    .createIndex('runs_search')
    .on('runs')
    .columns(['experiment_id', 'lifecycle_stage', 'start_time', 'run_id'])
    .execute();
  for (const table of ['registered_model_tags', 'model_version_tags']) {
    await db.schema.createIndex(`${table}_search`).on(table).columns(['key', 'value']).execute();
  }
}
