/**
 * The monitor's numbers on a prom-client registry (the serving engine's, or the control plane's own
 * when no model is served in-process), read from its latest results at scrape time:
 * `slipway_drift_score{model,version,column,test}`, `slipway_drift_share{model,version}` and
 * `slipway_model_performance{model,version,metric}`.
 */
import client from 'prom-client';
import type { PerformanceResult } from './performance-check.js';
import type { SkewResult } from './skew.js';

/** What the gauges read. */
export interface MonitorReadings {
  skew(): SkewResult[];
  performance(): PerformanceResult[];
}

/**
 * Registers the drift and performance gauges.
 *
 * @example registerMonitorGauges(engine.metrics.registry, monitor);
 */
export function registerMonitorGauges(registry: client.Registry, readings: MonitorReadings): void {
  new client.Gauge({
    name: 'slipway_drift_score',
    help: "Training-serving skew: a column's drift test score (p-value or distance, per its test)",
    labelNames: ['model', 'version', 'column', 'test'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of readings.skew()) {
        if (s.status !== 'checked') continue;
        for (const c of s.columns)
          if (c.score !== null)
            this.set({ model: s.model, version: s.version, column: c.column, test: c.test }, c.score);
      }
    },
  });
  new client.Gauge({
    name: 'slipway_drift_share',
    help: "Training-serving skew: share of a model version's tested input columns that drifted",
    labelNames: ['model', 'version'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of readings.skew())
        if (s.status === 'checked') this.set({ model: s.model, version: s.version }, s.share);
    },
  });
  new client.Gauge({
    name: 'slipway_model_performance',
    help: 'Model performance over the monitored window, from delayed labels (estimated_* from CBPE)',
    labelNames: ['model', 'version', 'metric'],
    registers: [registry],
    collect() {
      this.reset();
      for (const p of readings.performance())
        for (const [metric, value] of Object.entries(p.metrics))
          this.set({ model: p.model, version: p.version, metric }, value);
    },
  });
}
