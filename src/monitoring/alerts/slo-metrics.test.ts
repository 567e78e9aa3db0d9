import { describe, expect, it } from 'vitest';
import { SqlAlertStore } from '../../backends/sql/alert-store.js';
import { openSqlDatabase } from '../../backends/sql/connect.js';
import { ServingCounters, SloBoard } from '../slo/index.js';
import { logChannel } from './channels.js';
import { NotificationDispatcher } from './dispatcher.js';
import { openAlertEvaluator } from './evaluator.js';
import { MetricSources } from './metric-sources.js';
import { sloMetricSource } from './slo-metrics.js';

describe('alert rules on SLO burn', () => {
  it('fires on the fast-burn pair of an errors SLO and names the model', async () => {
    const T0 = 1_700_000_000_000;
    const clock = {
      t: T0 - 60_000,
      now() {
        return this.t;
      },
    };
    const counters = new ServingCounters({ latencyThresholdsMs: [50], clock });
    for (let i = 0; i < 95; i++) counters.success('fraud', '3', 0.01);
    for (let i = 0; i < 5; i++) counters.failure('fraud', '3', 'INTERNAL_ERROR');
    clock.t = T0;
    const board = new SloBoard(counters, [
      { name: 'fraud-errors', model: 'fraud', kind: 'errors', objective: 0.999 },
    ]);
    const sql = await openSqlDatabase('sqlite:///:memory:');
    const store = new SqlAlertStore(sql);
    const lines: string[] = [];
    const dispatcher = new NotificationDispatcher({
      store,
      channels: [logChannel((l) => lines.push(l))],
      clock,
    });
    const alerts = await openAlertEvaluator({
      store,
      metrics: new MetricSources([sloMetricSource(board)]),
      notifier: dispatcher,
      clock,
    });
    try {
      await alerts.putRule({
        name: 'fraud-fast-burn',
        metric: 'slo.fraud-errors.burn.fast',
        comparison: '>=',
        threshold: 14.4,
        severity: 'critical',
      });
      await expect(
        alerts.putRule({ name: 'x', metric: 'slo.unknown.burn', comparison: '>', threshold: 1 }),
      ).rejects.toMatchObject({ details: { field: 'metric' } });
      await board.evaluate(T0);
      await alerts.tick();
      await dispatcher.whenIdle();
      // 5 errors in 100 requests against a 0.1 % budget: 50× over both the 1 h and the 5 min window.
      expect(alerts.alerts()).toMatchObject([
        { state: 'firing', value: 50, labels: { model: 'fraud', version: '', slo: 'fraud-errors' } },
      ]);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('alert fraud-fast-burn firing (critical): value 50, threshold 14.4');
    } finally {
      await dispatcher.close();
      await sql.close();
    }
  });
});
