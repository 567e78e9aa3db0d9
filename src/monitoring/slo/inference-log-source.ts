/**
 * SLO counts read back from the inference log (Parquet segments, possibly written by several
 * replicas): requests and requests slower than a threshold, from each request's first row and its
 * `latency_us`. The log records answered requests only (and a sampled share of them), so it serves
 * latency SLOs; an errors SLO needs the engine's counters ({@link ServingCounters}).
 */
import { queryInferenceLog } from '../inference-log/index.js';
import type { SloCountQuery, SloCounts, SloSource } from './types.js';

/**
 * An {@link SloSource} over the inference log in `dir`.
 *
 * @example
 * const source = new InferenceLogSloSource('./inference-log');
 * await evaluateSlo({ name: 'p99', model: 'fraud', kind: 'latency', objective: 0.99, latencyThresholdMs: 50 }, source, Date.now());
 */
export class InferenceLogSloSource implements SloSource {
  readonly countsErrors = false;

  constructor(private readonly dir: string) {}

  async counts(q: SloCountQuery): Promise<SloCounts> {
    const query = await queryInferenceLog({
      dir: this.dir,
      model: q.model,
      version: q.version,
      from: new Date(q.from),
      to: new Date(q.to),
    });
    try {
      // A request of n rows is logged as n rows sharing its id and latency; row 0 stands for it.
      const thresholdUs = q.latencyThresholdMs === undefined ? null : Math.round(q.latencyThresholdMs * 1000);
      const slow = thresholdUs === null ? '0' : `count(*) FILTER (WHERE latency_us > ${thresholdUs})`;
      const [row] = await query.rows(
        `SELECT count(*) AS total, ${slow} AS slow FROM inference_log WHERE row_index = 0`,
      );
      return { total: Number(row.total), errors: null, slow: Number(row.slow) };
    } finally {
      query.close();
    }
  }
}
