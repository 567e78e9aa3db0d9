/**
 * Outcome events over SQLite or PostgreSQL (migration 009): one row per (model, name, event key),
 * upserted, so an event sent again replaces the stored value. A batch is written in one
 * transaction, in chunks (SQLite's bound-parameter limit); within a batch the last event with a key
 * wins, as it would had the events arrived one by one.
 */
import type { Kysely, Selectable } from 'kysely';
import type { EventFilter, EventStore, OutcomeEvent, StoredEvent } from '../../monitoring/business/types.js';
import { labelKey } from '../../monitoring/performance/label-key.js';
import { chunk } from './collections.js';
import type { SqlDatabase } from './connect.js';
import { lastByKey, refColumns, refOf } from './late-arrivals.js';
import type { Database, MonitoringEventsTable } from './schema.js';

type Row = Selectable<MonitoringEventsTable>;

function toRow(e: OutcomeEvent, receivedAt: number): Row {
  return {
    model: e.model,
    name: e.name,
    event_key: labelKey(e),
    ...refColumns(e),
    value: e.value,
    received_at: receivedAt,
  };
}

function toEvent(r: Row): StoredEvent {
  return {
    model: r.model,
    name: r.name,
    ...refOf(r),
    value: Number(r.value),
    receivedAt: Number(r.received_at),
  };
}

/** Outcome events in the metadata database. */
export class SqlEventStore implements EventStore {
  constructor(private readonly sql: SqlDatabase) {}

  private get db(): Kysely<Database> {
    return this.sql.db;
  }

  async upsert(events: readonly OutcomeEvent[], receivedAt: number): Promise<void> {
    const rows = lastByKey(
      events.map((e) => toRow(e, receivedAt)),
      (r) => JSON.stringify([r.model, r.name, r.event_key]),
    );
    await this.db.transaction().execute(async (tx) => {
      for (const part of chunk(rows)) {
        await tx
          .insertInto('monitoring_events')
          .values(part)
          .onConflict((oc) =>
            oc.columns(['model', 'name', 'event_key']).doUpdateSet((eb) => ({
              ts: eb.ref('excluded.ts'),
              value: eb.ref('excluded.value'),
              received_at: eb.ref('excluded.received_at'),
            })),
          )
          .execute();
      }
    });
  }

  async list(filter: EventFilter): Promise<StoredEvent[]> {
    let q = this.db.selectFrom('monitoring_events').selectAll().where('model', '=', filter.model);
    if (filter.from !== undefined) q = q.where('ts', '>=', filter.from);
    if (filter.to !== undefined) q = q.where('ts', '<', filter.to);
    if (filter.names !== undefined) {
      if (filter.names.length === 0) return [];
      q = q.where('name', 'in', [...filter.names]);
    }
    const rows = await q.orderBy('ts').orderBy('name').orderBy('event_key').execute();
    return rows.map(toEvent);
  }

  async count(model: string): Promise<number> {
    const r = await this.db
      .selectFrom('monitoring_events')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('model', '=', model)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async delete(model: string): Promise<number> {
    const r = await this.db.deleteFrom('monitoring_events').where('model', '=', model).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
