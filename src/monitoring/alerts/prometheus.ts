/**
 * `slipway_alert_state{rule,severity}` on a prom-client registry (the serving engine's:
 * `engine.metrics.registry`): 0 inactive or resolved, 1 pending, 2 firing — the highest over the
 * rule's alerts, read from the evaluator at scrape time.
 */
import client from 'prom-client';
import type { AlertEvaluator } from './evaluator.js';
import type { AlertStateName } from './types.js';

const LEVEL: Record<AlertStateName, number> = { inactive: 0, resolved: 0, pending: 1, firing: 2 };

/** Registers the alert-state gauge; the evaluator's rules and alerts are read at each scrape. */
export function registerAlertGauges(registry: client.Registry, alerts: AlertEvaluator): void {
  new client.Gauge({
    name: 'slipway_alert_state',
    help: 'Alert rule state: 0 inactive or resolved, 1 pending, 2 firing (the highest of its alerts)',
    labelNames: ['rule', 'severity'],
    registers: [registry],
    collect() {
      this.reset();
      const level = new Map<string, number>();
      for (const a of alerts.alerts()) level.set(a.rule, Math.max(level.get(a.rule) ?? 0, LEVEL[a.state]));
      for (const r of alerts.listRules())
        this.set({ rule: r.name, severity: r.severity }, level.get(r.name) ?? 0);
    },
  });
}
