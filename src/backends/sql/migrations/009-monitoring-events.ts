/**
 * Migration 009: outcome events (business metrics). Inputs: the 008 schema. Output:
 * `monitoring_events`, one row per event keyed by (model, name, event_key) — the key is the request
 * id + row, or the entity + ts, as for labels — so an event sent twice is stored once, with the
 * latest value. Indexed for "a model's events in a time range".
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists at their time
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('monitoring_events')
    .addColumn('model', 'varchar(256)', (c) => c.notNull())
    .addColumn('name', 'varchar(128)', (c) => c.notNull())
    .addColumn('event_key', 'varchar(2048)', (c) => c.notNull())
    .addColumn('request_id', 'varchar(256)')
    .addColumn('row_index', 'integer')
    .addColumn('entity', 'varchar(1024)')
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('value', 'double precision', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('monitoring_events_pk', ['model', 'name', 'event_key'])
    .execute();
  await db.schema
    .createIndex('monitoring_events_ts')
    .on('monitoring_events')
    .columns(['model', 'ts'])
    .execute();
}
