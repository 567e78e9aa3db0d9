/**
 * Business metrics as alert series: `business.<event>.<count|sum|mean|rate>` with labels
 * {model, version}, computed over the rule's window (predictions logged within it, and their
 * events) by reportBusinessMetrics. A version without predictions in the window, or a mean without
 * events, has no series (no data), rather than a made-up zero.
 */

import type { MetricSeries, MetricSource } from '../alerts/metric-sources.js';
import { loggedModels } from '../inference-log/query.js';
import { reportBusinessMetrics } from './business-report.js';
import type { EventStore } from './types.js';

const METRIC = /^business\.([A-Za-z_][A-Za-z0-9_.-]{0,127})\.(count|sum|mean|rate)$/;

export interface BusinessMetricSourceOptions {
  /** The inference log folder. */
  dir: string;
  /** The models to report; default: every model folder of the log. */
  models?: () => Promise<readonly string[]>;
}

/**
 * A metric source over outcome events and the inference log.
 *
 * @example
 * metrics.register(businessMetricSource(platform.events, { dir: './inference-log' }));
 * await alerts.putRule({ name: 'conversions-low', metric: 'business.converted.rate', comparison: '<', threshold: 0.02, window: '1h' });
 */
export function businessMetricSource(store: EventStore, opts: BusinessMetricSourceOptions): MetricSource {
  return {
    name: 'business',
    has: (metric) => METRIC.test(metric),
    read: async (metric, windowMs, now): Promise<MetricSeries[]> => {
      const m = METRIC.exec(metric);
      if (!m) return [];
      const [, event, stat] = m;
      const out: MetricSeries[] = [];
      for (const model of await (opts.models?.() ?? loggedModels(opts.dir))) {
        const report = await reportBusinessMetrics(store, {
          dir: opts.dir,
          model,
          from: new Date(now - windowMs),
          to: new Date(now),
        });
        for (const g of report.groups) {
          const e = g.events.find((x) => x.name === event);
          // No event of that name in the window: a count, sum and rate of 0, but no mean.
          const value =
            stat === 'mean'
              ? (e?.mean ?? null)
              : stat === 'count'
                ? (e?.events ?? 0)
                : stat === 'sum'
                  ? (e?.sum ?? 0)
                  : (e?.rate ?? 0);
          if (value !== null && value !== undefined && g.predictions > 0)
            out.push({ labels: { model, version: g.version }, value });
        }
      }
      return out;
    },
  };
}
