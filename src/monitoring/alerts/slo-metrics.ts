/** SLO verdicts as alert series: `slo.<name>.burn`, `slo.<name>.burn.<pair>`, `slo.<name>.budget`. */
import type { SloBoard } from '../slo/index.js';
import type { MetricSource } from './metric-sources.js';

/**
 * A metric source over an SLO board's latest verdicts (evaluate the board before the alert tick).
 *
 * @example metrics.register(sloMetricSource(board));
 */
export function sloMetricSource(board: SloBoard): MetricSource {
  return {
    name: 'slo',
    has: (metric) => board.series(metric) !== undefined,
    read: async (metric) => board.series(metric) ?? [],
  };
}
