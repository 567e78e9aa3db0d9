/** Alert rules, states and the delivery outbox survive a store reopen, on SQLite and PostgreSQL. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SqlBackend, sqlBackends } from '../../../test/helpers/sql-backends.js';
import { logChannel } from '../../monitoring/alerts/channels.js';
import { NotificationDispatcher } from '../../monitoring/alerts/dispatcher.js';
import { openAlertEvaluator } from '../../monitoring/alerts/evaluator.js';
import { MetricSources, RecordedMetrics } from '../../monitoring/alerts/metric-sources.js';
import type { AlertState, Delivery } from '../../monitoring/alerts/types.js';
import { SqlAlertStore } from './alert-store.js';
import { openSqlDatabase } from './connect.js';

const T0 = Date.parse('2025-03-01T10:00:00Z');

describe.each(sqlBackends('alert-store'))('alert store over %s', (_name, make) => {
  let backend: SqlBackend;
  beforeAll(async () => {
    backend = await make();
  });
  afterAll(() => backend.dispose());

  /** Opens the store, runs `fn`, closes it: each step sees only what the database kept. */
  const withStore = async <T>(fn: (store: SqlAlertStore) => Promise<T>): Promise<T> => {
    const sql = await openSqlDatabase(backend.uri);
    try {
      return await fn(new SqlAlertStore(sql));
    } finally {
      await sql.close();
    }
  };

  it('keeps rules and alert states across a reopen, updating by rule and key', async () => {
    const drift = new RecordedMetrics('drift', /^drift\./);
    const clock = {
      t: T0,
      now() {
        return this.t;
      },
    };
    const lines: string[] = [];
    await withStore(async (store) => {
      const dispatcher = new NotificationDispatcher({
        store,
        channels: [logChannel((l) => lines.push(l))],
        clock,
      });
      const alerts = await openAlertEvaluator({
        store,
        metrics: new MetricSources([drift]),
        notifier: dispatcher,
        clock,
      });
      await alerts.putRule({
        name: 'drift',
        metric: 'drift.share',
        comparison: '>',
        threshold: 0.5,
        for: '1m',
        labels: { team: 'risk' },
      });
      await alerts.putRule({
        name: 'drift',
        metric: 'drift.share',
        comparison: '>',
        threshold: 0.4,
        for: '1m',
        labels: { team: 'risk' },
      });
      drift.record('drift.share', 0.45, { model: 'fraud' }, clock.t);
      await alerts.tick();
      clock.t += 60_000;
      drift.record('drift.share', 0.75, { model: 'fraud' }, clock.t);
      await alerts.tick();
      await dispatcher.whenIdle();
      await dispatcher.close();
    });
    expect(lines).toHaveLength(1);
    await withStore(async (store) => {
      expect(await store.listRules()).toEqual([
        {
          name: 'drift',
          metric: 'drift.share',
          comparison: '>',
          threshold: 0.4,
          windowMs: 300_000,
          forMs: 60_000,
          severity: 'warning',
          labels: { team: 'risk' },
        },
      ]);
      const states = await store.listStates('drift');
      expect(states).toEqual<AlertState[]>([
        {
          rule: 'drift',
          key: 'drift{model="fraud",team="risk"}',
          labels: { model: 'fraud', team: 'risk' },
          state: 'firing',
          value: 0.75,
          activeSince: T0,
          firingSince: T0 + 60_000,
          resolvedAt: null,
          evaluatedAt: T0 + 60_000,
          lastNotifiedAt: T0 + 60_000,
        },
      ]);
      const [delivery] = await store.listDeliveries({ rule: 'drift' });
      expect(delivery).toMatchObject({ channel: 'log', status: 'delivered', attempts: 1 });
      expect(JSON.parse(delivery.body)).toMatchObject({ alert: 'drift', state: 'firing', value: 0.75 });
      expect(await store.deleteRule('drift')).toBe(true);
      expect(await store.deleteRule('drift')).toBe(false);
    });
    await withStore(async (store) => {
      expect(await store.listRules()).toEqual([]);
      expect(await store.listStates()).toEqual([]);
    });
  });

  it('keeps pending deliveries and every attempt across a reopen', async () => {
    const pending: Delivery = {
      id: 'd-pending',
      channel: 'pager',
      rule: 'p99',
      alertKey: 'p99{}',
      body: '{"alert":"p99"}',
      status: 'pending',
      attempts: 0,
      nextAttemptAt: T0,
      createdAt: T0,
      deliveredAt: null,
      lastError: null,
    };
    await withStore(async (store) => {
      await store.addDelivery(pending);
      await store.addDelivery({ ...pending, id: 'd-other', createdAt: T0 + 1 });
      await store.recordAttempt(
        {
          deliveryId: 'd-pending',
          attempt: 1,
          startedAt: T0,
          finishedAt: T0 + 200,
          statusCode: null,
          error: 'no answer within 200 ms',
        },
        { ...pending, attempts: 1, nextAttemptAt: T0 + 1_200, lastError: 'no answer within 200 ms' },
      );
      await store.recordAttempt(
        {
          deliveryId: 'd-other',
          attempt: 1,
          startedAt: T0 + 5,
          finishedAt: T0 + 9,
          statusCode: 200,
          error: null,
        },
        {
          ...pending,
          id: 'd-other',
          createdAt: T0 + 1,
          status: 'delivered',
          attempts: 1,
          nextAttemptAt: null,
          deliveredAt: T0 + 9,
        },
      );
    });
    await withStore(async (store) => {
      expect(await store.pendingDeliveries()).toEqual([
        { ...pending, attempts: 1, nextAttemptAt: T0 + 1_200, lastError: 'no answer within 200 ms' },
      ]);
      expect(await store.listAttempts('d-pending')).toEqual([
        {
          deliveryId: 'd-pending',
          attempt: 1,
          startedAt: T0,
          finishedAt: T0 + 200,
          statusCode: null,
          error: 'no answer within 200 ms',
        },
      ]);
      expect((await store.listDeliveries({ rule: 'p99', status: 'delivered' })).map((d) => d.id)).toEqual([
        'd-other',
      ]);
      expect((await store.listDeliveries({ rule: 'p99', limit: 1 })).map((d) => d.id)).toEqual(['d-other']);
    });
  });
});
