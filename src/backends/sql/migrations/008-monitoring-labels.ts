/**
 * Migration 008: ground-truth labels. Inputs: the 007 schema. Output: `monitoring_labels`, one row
 * per label keyed by (model, label_key) — the key is the request id + row, or the entity + ts (see
 * monitoring/performance/label-key.ts) — so a label sent twice is stored once, with the latest
 * value. Request labels keep their request id and row; entity labels their entity as JSON. The
 * value is a number or a class name; indexed for "a model's labels in a time range".
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against whatever schema exists at their time
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('monitoring_labels')
    .addColumn('model', 'varchar(256)', (c) => c.notNull())
    .addColumn('label_key', 'varchar(2048)', (c) => c.notNull())
    .addColumn('request_id', 'varchar(256)')
    .addColumn('row_index', 'integer')
    .addColumn('entity', 'varchar(1024)')
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('value_number', 'double precision')
    .addColumn('value_text', 'varchar(256)')
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('monitoring_labels_pk', ['model', 'label_key'])
    .execute();
  await db.schema
    .createIndex('monitoring_labels_ts')
    .on('monitoring_labels')
    .columns(['model', 'ts'])
    .execute();
}
