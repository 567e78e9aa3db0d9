/**
 * Ground-truth labels over SQLite or PostgreSQL (migration 008): one row per (model, label key),
 * upserted, so a label sent again replaces the stored value. A batch is written in one
 * transaction, in chunks (SQLite's bound-parameter limit); within a batch the last label with a
 * key wins, as it would had the labels arrived one by one.
 */
import type { Kysely, Selectable } from 'kysely';
import { labelKey } from '../../monitoring/performance/label-key.js';
import type { Label, LabelFilter, LabelStore, StoredLabel } from '../../monitoring/performance/types.js';
import { chunk } from './collections.js';
import type { SqlDatabase } from './connect.js';
import { lastByKey, refColumns, refOf } from './late-arrivals.js';
import type { Database, MonitoringLabelsTable } from './schema.js';

type Row = Selectable<MonitoringLabelsTable>;

function toRow(l: Label, receivedAt: number): Row {
  return {
    model: l.model,
    label_key: labelKey(l),
    ...refColumns(l),
    value_number: typeof l.value === 'number' ? l.value : null,
    value_text: typeof l.value === 'string' ? l.value : null,
    received_at: receivedAt,
  };
}

function toLabel(r: Row): StoredLabel {
  const value = r.value_text ?? Number(r.value_number);
  return { model: r.model, ...refOf(r), value, receivedAt: Number(r.received_at) };
}

/** Labels in the metadata database. */
export class SqlLabelStore implements LabelStore {
  constructor(private readonly sql: SqlDatabase) {}

  private get db(): Kysely<Database> {
    return this.sql.db;
  }

  async upsert(labels: readonly Label[], receivedAt: number): Promise<void> {
    const rows = lastByKey(
      labels.map((l) => toRow(l, receivedAt)),
      (r) => `${r.model} ${r.label_key}`,
    );
    await this.db.transaction().execute(async (tx) => {
      for (const part of chunk(rows)) {
        await tx
          .insertInto('monitoring_labels')
          .values(part)
          .onConflict((oc) =>
            oc.columns(['model', 'label_key']).doUpdateSet((eb) => ({
              ts: eb.ref('excluded.ts'),
              value_number: eb.ref('excluded.value_number'),
              value_text: eb.ref('excluded.value_text'),
              received_at: eb.ref('excluded.received_at'),
            })),
          )
          .execute();
      }
    });
  }

  async list(filter: LabelFilter): Promise<StoredLabel[]> {
    let q = this.db.selectFrom('monitoring_labels').selectAll().where('model', '=', filter.model);
    if (filter.from !== undefined) q = q.where('ts', '>=', filter.from);
    if (filter.to !== undefined) q = q.where('ts', '<', filter.to);
    const rows = await q.orderBy('ts').orderBy('label_key').execute();
    return rows.map(toLabel);
  }

  async count(model: string): Promise<number> {
    const r = await this.db
      .selectFrom('monitoring_labels')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('model', '=', model)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async delete(model: string): Promise<number> {
    const r = await this.db.deleteFrom('monitoring_labels').where('model', '=', model).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
