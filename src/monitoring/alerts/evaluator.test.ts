import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import client from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqlAlertStore } from '../../backends/sql/alert-store.js';
import { openSqlDatabase, type SqlDatabase } from '../../backends/sql/connect.js';
import { logChannel } from './channels.js';
import { NotificationDispatcher } from './dispatcher.js';
import { type AlertEvaluator, openAlertEvaluator } from './evaluator.js';
import { MetricSources, RecordedMetrics } from './metric-sources.js';
import { registerAlertGauges } from './prometheus.js';
import type { AlertNotification } from './types.js';

const T0 = Date.parse('2025-03-01T10:00:00Z');
const MIN = 60_000;

describe('alert evaluation', () => {
  let home: string;
  let sql: SqlDatabase;
  let clock: { t: number; now(): number };
  let drift: RecordedMetrics;
  let sent: AlertNotification[];
  let dispatcher: NotificationDispatcher;
  let alerts: AlertEvaluator;

  const open = async () => {
    sql = await openSqlDatabase(`sqlite:///${join(home, 'slipway.db')}`);
    const store = new SqlAlertStore(sql);
    dispatcher = new NotificationDispatcher({
      store,
      channels: [logChannel((line) => sent.push(JSON.parse(line.slice(line.indexOf('{')))))],
      clock,
    });
    await dispatcher.start();
    alerts = await openAlertEvaluator({
      store,
      metrics: new MetricSources([drift]),
      notifier: dispatcher,
      clock,
    });
  };
  const close = async () => {
    await dispatcher.close();
    await sql.close();
  };
  /** Records the drift share of `model` at the current time and evaluates. */
  const at = async (minutes: number, values: Record<string, number>) => {
    clock.t = T0 + minutes * MIN;
    for (const [model, v] of Object.entries(values)) drift.record('drift.share', v, { model }, clock.t);
    const changed = await alerts.tick();
    await dispatcher.whenIdle();
    return changed;
  };
  const stateOf = (model: string) => alerts.alerts().find((a) => a.labels.model === model)?.state;

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'slipway-alerts-'));
    clock = {
      t: T0,
      now() {
        return this.t;
      },
    };
    drift = new RecordedMetrics('drift', /^drift\./);
    sent = [];
    await open();
  });
  afterEach(async () => {
    await close();
    await rm(home, { recursive: true, force: true });
  });

  it('goes pending, fires after its for-duration, notifies once, and resolves', async () => {
    await alerts.putRule({
      name: 'drift',
      metric: 'drift.share',
      comparison: '>',
      threshold: 0.5,
      window: '10m',
      for: '10m',
      labels: { team: 'risk' },
    });
    await at(0, { fraud: 0.6 });
    expect(stateOf('fraud')).toBe('pending');
    await at(5, { fraud: 0.7 });
    expect(stateOf('fraud')).toBe('pending');
    expect(sent).toEqual([]);
    await at(10, { fraud: 0.7 });
    expect(stateOf('fraud')).toBe('firing');
    await at(15, { fraud: 0.8 });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      alert: 'drift',
      state: 'firing',
      severity: 'warning',
      value: 0.7,
      threshold: 0.5,
      labels: { model: 'fraud', team: 'risk' },
      startsAt: new Date(T0 + 10 * MIN).toISOString(),
    });
    await at(20, { fraud: 0.3 });
    expect(stateOf('fraud')).toBe('resolved');
    expect(sent).toHaveLength(2);
    expect(sent[1]).toMatchObject({
      state: 'resolved',
      value: 0.3,
      startsAt: new Date(T0 + 10 * MIN).toISOString(),
      endsAt: new Date(T0 + 20 * MIN).toISOString(),
    });
  });

  it('keeps one alert per label set and drops a pending one that recovers before firing', async () => {
    await alerts.putRule({
      name: 'drift',
      metric: 'drift.share',
      comparison: '>=',
      threshold: 0.5,
      for: '5m',
    });
    await at(0, { fraud: 0.5, churn: 0.9 });
    await at(3, { fraud: 0.1, churn: 0.9 });
    expect(stateOf('fraud')).toBe('inactive');
    await at(6, { fraud: 0.1, churn: 0.9 });
    expect(stateOf('churn')).toBe('firing');
    expect(stateOf('fraud')).toBe('inactive');
    expect(sent.map((n) => [n.labels.model, n.state])).toEqual([['churn', 'firing']]);
    // A series that stops reporting reads as recovered.
    await at(30, {});
    expect(sent.map((n) => [n.labels.model, n.state])).toEqual([
      ['churn', 'firing'],
      ['churn', 'resolved'],
    ]);
  });

  it('notifies again every renotify interval while firing', async () => {
    await alerts.putRule({
      name: 'drift',
      metric: 'drift.share',
      comparison: '>',
      threshold: 0.5,
      renotify: '1h',
    });
    await at(0, { fraud: 0.9 });
    await at(30, { fraud: 0.9 });
    await at(60, { fraud: 0.9 });
    await at(90, { fraud: 0.9 });
    expect(sent.map((n) => n.sentAt)).toEqual([
      new Date(T0).toISOString(),
      new Date(T0 + 60 * MIN).toISOString(),
    ]);
  });

  it('keeps rules and firing alerts across a restart without notifying them again', async () => {
    await alerts.putRule({
      name: 'drift',
      metric: 'drift.share',
      comparison: '>',
      threshold: 0.5,
      severity: 'critical',
    });
    await at(0, { fraud: 0.9 });
    expect(sent).toHaveLength(1);
    await close();
    await open();
    expect(alerts.listRules()).toMatchObject([
      { name: 'drift', severity: 'critical', forMs: 0, windowMs: 300_000 },
    ]);
    expect(stateOf('fraud')).toBe('firing');
    await at(1, { fraud: 0.9 });
    expect(sent).toHaveLength(1);

    const registry = new client.Registry();
    registerAlertGauges(registry, alerts);
    expect(await registry.metrics()).toContain('slipway_alert_state{rule="drift",severity="critical"} 2');
  });

  it('refuses rules on unknown metrics or with bad fields, naming the field', async () => {
    await expect(
      alerts.putRule({ name: 'x', metric: 'nope.share', comparison: '>', threshold: 1 }),
    ).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE', details: { field: 'metric' } });
    await expect(
      alerts.putRule({ name: 'x', metric: 'drift.share', comparison: '=>' as '>', threshold: 1 }),
    ).rejects.toMatchObject({ details: { field: 'comparison', got: "'=>'" } });
    await expect(
      alerts.putRule({ name: 'x', metric: 'drift.share', comparison: '>', threshold: 1, for: 'soon' }),
    ).rejects.toMatchObject({ details: { field: 'for' } });
    await expect(alerts.deleteRule('missing')).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
  });
});
