/**
 * Alert rules, alert states and the notification outbox over SQLite or PostgreSQL (migration 007).
 * Rules are stored as JSON definitions; states are upserted by (rule, dedup key); each delivery
 * attempt is inserted together with its delivery's new status in one transaction, so the outbox
 * never shows an attempt without its outcome.
 */
import type { Kysely, Selectable } from 'kysely';
import type {
  AlertRule,
  AlertState,
  AlertStateName,
  AlertStore,
  Delivery,
  DeliveryAttempt,
  DeliveryStatus,
} from '../../monitoring/alerts/types.js';
import type { SqlDatabase } from './connect.js';
import type { AlertDeliveriesTable, AlertStatesTable, Database } from './schema.js';

type Db = Kysely<Database>;
const num = (v: number | null) => (v === null ? null : Number(v));

function toState(r: Selectable<AlertStatesTable>): AlertState {
  return {
    rule: r.rule,
    key: r.alert_key,
    labels: JSON.parse(r.labels),
    state: r.state as AlertStateName,
    value: r.value === null ? null : Number(r.value),
    activeSince: num(r.active_since),
    firingSince: num(r.firing_since),
    resolvedAt: num(r.resolved_at),
    evaluatedAt: Number(r.evaluated_at),
    lastNotifiedAt: num(r.last_notified_at),
  };
}

function toDelivery(r: Selectable<AlertDeliveriesTable>): Delivery {
  return {
    id: r.id,
    channel: r.channel,
    rule: r.rule,
    alertKey: r.alert_key,
    body: r.body,
    status: r.status as DeliveryStatus,
    attempts: Number(r.attempts),
    nextAttemptAt: num(r.next_attempt_at),
    createdAt: Number(r.created_at),
    deliveredAt: num(r.delivered_at),
    lastError: r.last_error,
  };
}

function deliveryRow(d: Delivery): Selectable<AlertDeliveriesTable> {
  return {
    id: d.id,
    channel: d.channel,
    rule: d.rule,
    alert_key: d.alertKey,
    body: d.body,
    status: d.status,
    attempts: d.attempts,
    next_attempt_at: d.nextAttemptAt,
    created_at: d.createdAt,
    delivered_at: d.deliveredAt,
    last_error: d.lastError,
  };
}

/** Alerting's store in the metadata database. */
export class SqlAlertStore implements AlertStore {
  constructor(private readonly sql: SqlDatabase) {}

  private get db(): Db {
    return this.sql.db;
  }

  async putRule(rule: AlertRule, now: number): Promise<void> {
    const definition = JSON.stringify(rule);
    await this.db
      .insertInto('alert_rules')
      .values({ name: rule.name, definition, created_at: now, updated_at: now })
      .onConflict((oc) => oc.column('name').doUpdateSet({ definition, updated_at: now }))
      .execute();
  }

  async deleteRule(name: string): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const r = await tx.deleteFrom('alert_rules').where('name', '=', name).executeTakeFirst();
      await tx.deleteFrom('alert_states').where('rule', '=', name).execute();
      return Number(r.numDeletedRows) > 0;
    });
  }

  async listRules(): Promise<AlertRule[]> {
    const rows = await this.db.selectFrom('alert_rules').select('definition').orderBy('name').execute();
    return rows.map((r) => JSON.parse(r.definition) as AlertRule);
  }

  async saveStates(states: readonly AlertState[]): Promise<void> {
    if (states.length === 0) return;
    await this.db.transaction().execute(async (tx) => {
      for (const s of states) {
        const row = {
          labels: JSON.stringify(s.labels),
          state: s.state,
          value: s.value !== null && Number.isFinite(s.value) ? s.value : null,
          active_since: s.activeSince,
          firing_since: s.firingSince,
          resolved_at: s.resolvedAt,
          evaluated_at: s.evaluatedAt,
          last_notified_at: s.lastNotifiedAt,
        };
        await tx
          .insertInto('alert_states')
          .values({ rule: s.rule, alert_key: s.key, ...row })
          .onConflict((oc) => oc.columns(['rule', 'alert_key']).doUpdateSet(row))
          .execute();
      }
    });
  }

  async listStates(rule?: string): Promise<AlertState[]> {
    let q = this.db.selectFrom('alert_states').selectAll().orderBy('rule').orderBy('alert_key');
    if (rule !== undefined) q = q.where('rule', '=', rule);
    return (await q.execute()).map(toState);
  }

  async addDelivery(d: Delivery): Promise<void> {
    await this.db.insertInto('alert_deliveries').values(deliveryRow(d)).execute();
  }

  async recordAttempt(a: DeliveryAttempt, d: Delivery): Promise<void> {
    const { id, ...rest } = deliveryRow(d);
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('alert_delivery_attempts')
        .values({
          delivery_id: a.deliveryId,
          attempt: a.attempt,
          started_at: a.startedAt,
          finished_at: a.finishedAt,
          status_code: a.statusCode,
          error: a.error,
        })
        .execute();
      await tx.updateTable('alert_deliveries').set(rest).where('id', '=', id).execute();
    });
  }

  async pendingDeliveries(): Promise<Delivery[]> {
    const rows = await this.db
      .selectFrom('alert_deliveries')
      .selectAll()
      .where('status', '=', 'pending')
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toDelivery);
  }

  async listDeliveries(
    filter: { rule?: string; status?: DeliveryStatus; limit?: number } = {},
  ): Promise<Delivery[]> {
    let q = this.db.selectFrom('alert_deliveries').selectAll().orderBy('created_at', 'desc').orderBy('id');
    if (filter.rule !== undefined) q = q.where('rule', '=', filter.rule);
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    if (filter.limit !== undefined) q = q.limit(filter.limit);
    return (await q.execute()).map(toDelivery);
  }

  async listAttempts(deliveryId: string): Promise<DeliveryAttempt[]> {
    const rows = await this.db
      .selectFrom('alert_delivery_attempts')
      .selectAll()
      .where('delivery_id', '=', deliveryId)
      .orderBy('attempt')
      .execute();
    return rows.map((r) => ({
      deliveryId: r.delivery_id,
      attempt: Number(r.attempt),
      startedAt: Number(r.started_at),
      finishedAt: Number(r.finished_at),
      statusCode: num(r.status_code),
      error: r.error,
    }));
  }
}
