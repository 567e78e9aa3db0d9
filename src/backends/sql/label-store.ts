/**
 * Ground-truth labels over SQLite or PostgreSQL (migration 008): one row per (model, label key),
 * upserted, so a label sent again replaces the stored value. A batch is written in one
 * transaction, in chunks (SQLite's bound-parameter limit); within a batch the last label with a
 * key wins, as it would had the labels arrived one by one.
 */
import type { Kysely, Selectable } from 'kysely';
import { entityKey, labelKey } from '../../monitoring/performance/label-key.js';
import {
  isRequestLabel,
  type Label,
  type LabelFilter,
  type LabelStore,
  type StoredLabel,
} from '../../monitoring/performance/types.js';
import type { SqlDatabase } from './connect.js';
import type { Database, MonitoringLabelsTable } from './schema.js';

type Row = Selectable<MonitoringLabelsTable>;
const CHUNK = 500;

function toRow(l: Label, receivedAt: number): Row {
  const value = {
    value_number: typeof l.value === 'number' ? l.value : null,
    value_text: typeof l.value === 'string' ? l.value : null,
  };
  const common = { model: l.model, label_key: labelKey(l), ts: l.ts, received_at: receivedAt, ...value };
  return isRequestLabel(l)
    ? { ...common, request_id: l.requestId, row_index: l.rowIndex, entity: null }
    : { ...common, request_id: null, row_index: null, entity: entityKey(l.entity) };
}

function toLabel(r: Row): StoredLabel {
  const value = r.value_text ?? Number(r.value_number);
  const base = { model: r.model, value, ts: Number(r.ts), receivedAt: Number(r.received_at) };
  if (r.request_id !== null) return { ...base, requestId: r.request_id, rowIndex: Number(r.row_index) };
  const pairs = JSON.parse(r.entity ?? '[]') as Array<[string, string | number]>;
  return { ...base, entity: Object.fromEntries(pairs) };
}

/** Labels in the metadata database. */
export class SqlLabelStore implements LabelStore {
  constructor(private readonly sql: SqlDatabase) {}

  private get db(): Kysely<Database> {
    return this.sql.db;
  }

  async upsert(labels: readonly Label[], receivedAt: number): Promise<void> {
    const byKey = new Map<string, Row>();
    for (const l of labels) {
      const row = toRow(l, receivedAt);
      byKey.delete(`${row.model} ${row.label_key}`);
      byKey.set(`${row.model} ${row.label_key}`, row);
    }
    const rows = [...byKey.values()];
    await this.db.transaction().execute(async (tx) => {
      for (let i = 0; i < rows.length; i += CHUNK) {
        await tx
          .insertInto('monitoring_labels')
          .values(rows.slice(i, i + CHUNK))
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
