/**
 * Migration 007: alerting. Inputs: the schema before it. Outputs: `alert_rules` (one row per rule,
 * its definition as JSON text), `alert_states` (one row per alert: rule + dedup key, its state and
 * timestamps), `alert_deliveries` (the notification outbox: one row per notification and channel,
 * the exact body, status and next attempt time) and `alert_delivery_attempts` (one row per attempt,
 * the receiver's status or the error).
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists at their time
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('alert_rules')
    .addColumn('name', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('alert_states')
    .addColumn('rule', 'varchar(128)', (c) => c.notNull())
    .addColumn('alert_key', 'varchar(2048)', (c) => c.notNull())
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('value', 'double precision')
    .addColumn('active_since', 'bigint')
    .addColumn('firing_since', 'bigint')
    .addColumn('resolved_at', 'bigint')
    .addColumn('evaluated_at', 'bigint', (c) => c.notNull())
    .addColumn('last_notified_at', 'bigint')
    .addPrimaryKeyConstraint('alert_states_pk', ['rule', 'alert_key'])
    .execute();
  await db.schema
    .createTable('alert_deliveries')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('channel', 'varchar(512)', (c) => c.notNull())
    .addColumn('rule', 'varchar(128)', (c) => c.notNull())
    .addColumn('alert_key', 'varchar(2048)', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('delivered_at', 'bigint')
    .addColumn('last_error', 'text')
    .execute();
  await db.schema
    .createIndex('alert_deliveries_status')
    .on('alert_deliveries')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('alert_deliveries_rule')
    .on('alert_deliveries')
    .columns(['rule', 'created_at'])
    .execute();
  await db.schema
    .createTable('alert_delivery_attempts')
    .addColumn('delivery_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('error', 'text')
    .addPrimaryKeyConstraint('alert_delivery_attempts_pk', ['delivery_id', 'attempt'])
    .execute();
}
