/**
 * Business metrics beside the technical ones: outcome events from the event store are loaded into
 * DuckDB next to the inference log and resolved to their predictions (by request id + row, or by
 * entity as of the event's time — the labels' resolution, performance/label-tables.ts); then, per
 * model version (and window, and segment), the served predictions, requests and latency quantiles,
 * and per event name its count, sum, mean and rate (matched events per prediction).
 *
 * Predictions are those the inference log holds: answered requests (the log records no failed
 * ones — error rates are the SLOs' `slo.*`), sampled at the log's rate.
 */

import { sqlIdent, sqlString } from '../../core/duckdb-sql.js';
import { invalidParameter } from '../../core/errors.js';
import { queryInferenceLog } from '../inference-log/index.js';
import { type ArrivalPayload, resolveToPredictions } from '../performance/index.js';
import type { EventStore, OutcomeEvent } from './types.js';

/** Which predictions and events to report. */
export interface BusinessMetricsQuery {
  /** The inference log folder (as `--inference-log` was given). */
  dir: string;
  model: string;
  version?: string;
  /** Predictions logged at or after this; events with `ts` at or after it. */
  from?: Date;
  /** Predictions logged before this (their events may come later). */
  to?: Date;
  /** Window length in ms, aligned to the epoch; absent: one group per version for the whole range. */
  windowMs?: number;
  /** A log column to segment by (e.g. `in_country`, `req_region`). */
  segment?: string;
}

/** One event name within a group. */
export interface EventMetrics {
  name: string;
  /** Events tied to the group's predictions. */
  events: number;
  sum: number;
  /** sum / events; null without events. */
  mean: number | null;
  /** events / predictions of the group; null without predictions. */
  rate: number | null;
}

/** A model version's group: the whole range or one window, the whole group or one segment. */
export interface BusinessMetricsGroup {
  version: string;
  /** Epoch ms; null without `windowMs`. */
  windowStart: number | null;
  windowEnd: number | null;
  /** The segment column's value as text; null: the whole group. */
  segment: string | null;
  /** Predictions logged (rows: a batch request of n rows gives n). */
  predictions: number;
  /** Distinct requests. */
  requests: number;
  /** Request latency quantiles in ms (from `latency_us`, each request counted once). */
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  /** Every event name reported, in name order (zero where the group has none). */
  events: EventMetrics[];
}

export interface BusinessMetricsReport {
  model: string;
  version: string | null;
  from: string | null;
  to: string | null;
  windowMs: number | null;
  segment: string | null;
  groups: BusinessMetricsGroup[];
  /** Per event name, events of the range that matched no logged prediction (never logged, sampled out, or before `from`). */
  unmatchedEvents: Record<string, number>;
}

const eventPayload: ArrivalPayload<OutcomeEvent> = {
  columns: [
    ['name', 'VARCHAR'],
    ['value', 'DOUBLE'],
  ],
  append: (a, e) => {
    a.appendVarchar(e.name);
    a.appendDouble(e.value);
  },
};

function check(q: BusinessMetricsQuery): void {
  if (q.windowMs !== undefined && !(Number.isSafeInteger(q.windowMs) && q.windowMs > 0))
    throw invalidParameter('windowMs', 'a positive whole number of ms', q.windowMs);
  if (q.from && q.to && q.from.getTime() >= q.to.getTime())
    throw invalidParameter('from', `a time before to (${q.to.toISOString()})`, q.from.toISOString());
}

const num = (v: unknown): number => Number(v ?? 0);
const orNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const groupKey = (version: unknown, window: unknown, segment: unknown) =>
  JSON.stringify([String(version), window === null ? null : Number(window), segment ?? null]);

/**
 * Reports a model's outcome events per version (window, segment) beside its served traffic.
 *
 * @example
 * const report = await reportBusinessMetrics(platform.events, {
 *   dir: './inference-log', model: 'fraud', from: new Date(Date.now() - 86_400_000), windowMs: 3_600_000,
 * });
 * // report.groups[0].events → [{ name: 'converted', events: 31, sum: 31, mean: 1, rate: 0.031 }]
 */
export async function reportBusinessMetrics(
  store: EventStore,
  q: BusinessMetricsQuery,
): Promise<BusinessMetricsReport> {
  check(q);
  // Events are resolved against the whole log from `from` on (every version, no `to`): an entity's
  // latest prediction may be newer than the window, and another version's events are not "unmatched".
  const log = await queryInferenceLog({ dir: q.dir, model: q.model, from: q.from });
  try {
    const columns = await log.columns();
    if (q.segment !== undefined && !columns.some((c) => c.name === q.segment))
      throw invalidParameter(
        'segment',
        `a column of the inference log (${columns.map((c) => c.name).join(', ')})`,
        q.segment,
      );
    const events = await store.list({ model: q.model, from: q.from?.getTime() });
    // An event whose entity keys the log lacks is unmatched, not a refused report.
    await resolveToPredictions(
      log.connection,
      log.sql,
      columns,
      'event_arrivals',
      eventPayload,
      events,
      'unmatched',
    );

    const where = [
      q.to ? `ts < make_timestamp(${q.to.getTime() * 1000})` : 'true',
      q.version === undefined ? 'true' : `version = ${sqlString(q.version, 'version')}`,
    ].join(' AND ');
    const w = q.windowMs;
    const window = w === undefined ? 'NULL::BIGINT' : `(epoch_ms(ts) // ${w}) * ${w}`;
    const segment =
      q.segment === undefined
        ? 'NULL::VARCHAR'
        : `coalesce(CAST(${sqlIdent(q.segment)} AS VARCHAR), '(null)')`;
    const predictions = `SELECT version, ${window} AS w, ${segment} AS seg, request_id, row_index, latency_us
      FROM inference_log WHERE ${where}`;
    // One query per grouping — (version, window), and with a segment also (version, window, segment).
    const perGrouping = (sql: (keys: string, seg: string) => string) =>
      (q.segment === undefined ? [false] : [false, true])
        .map((bySegment) =>
          sql(bySegment ? 'version, w, seg' : 'version, w', bySegment ? 'seg' : 'NULL::VARCHAR AS seg'),
        )
        .join(' UNION ALL ');
    const overPredictions = async (sql: string) =>
      (
        await log.connection.runAndReadAll(`WITH inference_log AS (${log.sql}), p AS (${predictions}) ${sql}`)
      ).getRowObjectsJS() as Array<Record<string, unknown>>;
    const traffic = await overPredictions(
      perGrouping(
        (keys, seg) => `SELECT version, w, ${seg}, count(*) AS predictions,
          count(DISTINCT request_id) AS requests FROM p GROUP BY ${keys}`,
      ),
    );
    const latency = await overPredictions(
      perGrouping(
        (keys, seg) => `SELECT version, w, ${seg}, quantile_cont(latency_us, 0.5) / 1000 AS p50,
          quantile_cont(latency_us, 0.99) / 1000 AS p99
          FROM (SELECT DISTINCT ${keys}, request_id, latency_us FROM p) GROUP BY ${keys}`,
      ),
    );
    const matched = await overPredictions(
      perGrouping(
        (keys, seg) => `SELECT version, w, ${seg}, name, count(*) AS events, sum(value) AS total
          FROM (SELECT p.version, p.w, p.seg, a.name, a.value
            FROM event_arrivals a JOIN p USING (request_id, row_index) WHERE a.matched) GROUP BY ${keys}, name`,
      ),
    );
    const unmatched = await log.rows(
      'SELECT name, count(*) AS n FROM event_arrivals WHERE NOT matched GROUP BY name ORDER BY name',
    );
    const names = [...new Set(events.map((e) => e.name))].sort();

    const latencyOf = new Map(latency.map((r) => [groupKey(r.version, r.w, r.seg), r]));
    const eventsOf = new Map<string, Map<string, { events: number; total: number }>>();
    for (const r of matched) {
      const k = groupKey(r.version, r.w, r.seg);
      const m = eventsOf.get(k) ?? new Map();
      m.set(String(r.name), { events: num(r.events), total: num(r.total) });
      eventsOf.set(k, m);
    }
    const groups: BusinessMetricsGroup[] = traffic.map((r) => {
      const k = groupKey(r.version, r.w, r.seg);
      const predictionCount = num(r.predictions);
      const lat = latencyOf.get(k);
      const windowStart = orNull(r.w);
      return {
        version: String(r.version),
        windowStart,
        windowEnd: windowStart === null || w === undefined ? null : windowStart + w,
        segment: r.seg === null || r.seg === undefined ? null : String(r.seg),
        predictions: predictionCount,
        requests: num(r.requests),
        latencyP50Ms: orNull(lat?.p50),
        latencyP99Ms: orNull(lat?.p99),
        events: names.map((name) => {
          const e = eventsOf.get(k)?.get(name) ?? { events: 0, total: 0 };
          return {
            name,
            events: e.events,
            sum: e.total,
            mean: e.events === 0 ? null : e.total / e.events,
            rate: predictionCount === 0 ? null : e.events / predictionCount,
          };
        }),
      };
    });
    groups.sort(
      (a, b) =>
        a.version.localeCompare(b.version, 'en', { numeric: true }) ||
        (a.windowStart ?? 0) - (b.windowStart ?? 0) ||
        (a.segment === null ? -1 : b.segment === null ? 1 : a.segment.localeCompare(b.segment)),
    );
    return {
      model: q.model,
      version: q.version ?? null,
      from: q.from?.toISOString() ?? null,
      to: q.to?.toISOString() ?? null,
      windowMs: w ?? null,
      segment: q.segment ?? null,
      groups,
      unmatchedEvents: Object.fromEntries(unmatched.map((r) => [String(r.name), num(r.n)])),
    };
  } finally {
    log.close();
  }
}
