/**
 * Business metrics from a real inference log (Parquet segments written by the serving log's
 * writer) and outcome events in a real SQLite event store, joined in DuckDB — checked against
 * numbers computed here from the raw records and events: per version, window and segment; by
 * request id and by entity as of a time; unknown events counted; the alert series.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlAlertStore } from '../../backends/sql/alert-store.js';
import { openSqlDatabase, type SqlDatabase } from '../../backends/sql/connect.js';
import { SqlEventStore } from '../../backends/sql/event-store.js';
import type { InferenceRecord } from '../../serving/types.js';
import { logChannel } from '../alerts/channels.js';
import { NotificationDispatcher } from '../alerts/dispatcher.js';
import { openAlertEvaluator } from '../alerts/evaluator.js';
import { MetricSources } from '../alerts/metric-sources.js';
import { openParquetInferenceLog } from '../inference-log/index.js';
import { seededRandom } from '../profiles/seeded-random.js';
import { reportBusinessMetrics } from './business-report.js';
import { businessMetricSource } from './metric-source.js';
import type { OutcomeEvent } from './types.js';

const DAY = 86_400_000;
const T0 = Date.parse('2025-03-01T00:00:00Z');

/** One served prediction as the test knows it. */
interface Prediction {
  requestId: string;
  rowIndex: number;
  version: string;
  ts: number;
  latencyUs: number;
  country: string;
  user: number;
}

/** DuckDB's quantile_cont: linear interpolation between the order statistics. */
function quantileCont(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

function records(predictions: Prediction[]): InferenceRecord[] {
  const byRequest = new Map<string, Prediction[]>();
  for (const p of predictions) byRequest.set(p.requestId, [...(byRequest.get(p.requestId) ?? []), p]);
  return [...byRequest.values()].map((rows) => {
    const n = rows.length;
    return {
      id: rows[0].requestId,
      model: 'shop',
      version: rows[0].version,
      timestamp: rows[0].ts,
      latencyMicros: rows[0].latencyUs,
      inputs: [{ name: 'country', datatype: 'BYTES', shape: [n], data: rows.map((r) => r.country) }],
      outputs: [{ name: 'score', datatype: 'FP32', shape: [n], data: new Float32Array(n).fill(0.5) }],
      requestInputs: [
        {
          name: 'user_id',
          datatype: 'INT64',
          shape: [n],
          data: BigInt64Array.from(rows.map((r) => BigInt(r.user))),
        },
      ],
    };
  });
}

let home: string;
let sql: SqlDatabase;
let store: SqlEventStore;
let dir: string;
const predictions: Prediction[] = [];
/** Each event with the prediction it belongs to (null: none). */
const truth: Array<{ event: OutcomeEvent; prediction: Prediction | null }> = [];

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'slipway-business-'));
  sql = await openSqlDatabase(`sqlite:///${join(home, 'slipway.db')}`);
  store = new SqlEventStore(sql);
  dir = join(home, 'log');
  const random = seededRandom(11);
  for (let i = 0; i < 300; i++) {
    const version = i % 3 === 0 ? '2' : '1';
    const ts = T0 + (i < 150 ? 0 : DAY) + i * 60_000;
    const rows = i % 7 === 0 ? 2 : 1; // some batch requests
    const latencyUs = Math.round(1000 + random() * 40_000);
    for (let r = 0; r < rows; r++)
      predictions.push({
        requestId: `q${i}`,
        rowIndex: r,
        version,
        ts,
        latencyUs,
        country: (i + r) % 4 === 0 ? 'FR' : 'DE',
        user: (i * 7 + r) % 40,
      });
  }
  const log = await openParquetInferenceLog({ dir, replicaId: 'r' });
  log.write(records(predictions));
  await log.close();

  const events: OutcomeEvent[] = [];
  const add = (event: OutcomeEvent, prediction: Prediction | null) => {
    events.push(event);
    truth.push({ event, prediction });
  };
  for (const p of predictions) {
    // Version 2 converts less.
    if (random() < (p.version === '2' ? 0.15 : 0.35))
      add(
        {
          model: 'shop',
          name: 'converted',
          requestId: p.requestId,
          rowIndex: p.rowIndex,
          value: 1,
          ts: p.ts + 1000,
        },
        p,
      );
    if (random() < 0.1) {
      const amount = Math.round(random() * 10_000) / 100;
      add(
        {
          model: 'shop',
          name: 'chargeback_amount',
          requestId: p.requestId,
          rowIndex: p.rowIndex,
          value: amount,
          ts: p.ts + 5000,
        },
        p,
      );
    }
  }
  // Entity events: the user's latest prediction at or before the event's time (any version).
  for (const [user, at] of [
    [3, T0 + 2 * 3_600_000],
    [17, T0 + DAY + 3 * 3_600_000],
    [21, T0 + DAY + 5 * 3_600_000],
  ] as const) {
    const latest = predictions
      .filter((p) => p.user === user && p.ts <= at)
      .sort((a, b) => b.ts - a.ts || b.rowIndex - a.rowIndex)[0];
    expect(latest).toBeDefined();
    add({ model: 'shop', name: 'refund', entity: { user_id: user }, value: 2, ts: at }, latest);
  }
  // Never logged, and an entity with no prediction yet at that time.
  add({ model: 'shop', name: 'converted', requestId: 'lost', rowIndex: 0, value: 1, ts: T0 }, null);
  add({ model: 'shop', name: 'refund', entity: { user_id: 999 }, value: 1, ts: T0 + DAY }, null);
  // An entity key the log does not carry: unmatched, not a failed report.
  add({ model: 'shop', name: 'refund', entity: { account: 'a-1' }, value: 1, ts: T0 + DAY }, null);
  // A first value, corrected by the batch below (same key): only the correction counts.
  const first = truth.find((t) => t.event.name === 'chargeback_amount')!.event;
  await store.upsert([{ ...first, value: 1e6 }], T0);
  await store.upsert(events, T0 + 2 * DAY);
});
afterAll(async () => {
  await sql.close();
  await rm(home, { recursive: true, force: true });
});

/** What the report must say for the predictions `ps`, computed from the raw rows. */
function expected(ps: Prediction[]) {
  const ids = new Set(ps.map((p) => `${p.requestId}/${p.rowIndex}`));
  const latencies = new Map(ps.map((p) => [p.requestId, p.latencyUs]));
  const names = [...new Set(truth.map((t) => t.event.name))].sort();
  return {
    predictions: ps.length,
    requests: latencies.size,
    latencyP50Ms: quantileCont([...latencies.values()], 0.5)! / 1000,
    latencyP99Ms: quantileCont([...latencies.values()], 0.99)! / 1000,
    events: names.map((name) => {
      const mine = truth.filter(
        (t) =>
          t.event.name === name &&
          t.prediction &&
          ids.has(`${t.prediction.requestId}/${t.prediction.rowIndex}`),
      );
      const sum = mine.reduce((s, t) => s + t.event.value, 0);
      return {
        name,
        events: mine.length,
        sum,
        mean: mine.length === 0 ? null : sum / mine.length,
        rate: mine.length / ps.length,
      };
    }),
  };
}

const close = (actual: unknown, want: ReturnType<typeof expected>) => {
  const a = actual as ReturnType<typeof expected>;
  expect([a.predictions, a.requests]).toEqual([want.predictions, want.requests]);
  expect(a.latencyP50Ms).toBeCloseTo(want.latencyP50Ms, 9);
  expect(a.latencyP99Ms).toBeCloseTo(want.latencyP99Ms, 9);
  expect(a.events.map((e) => [e.name, e.events, e.rate])).toEqual(
    want.events.map((e) => [e.name, e.events, e.rate]),
  );
  for (const [i, e] of want.events.entries()) {
    expect(a.events[i].sum).toBeCloseTo(e.sum, 9);
    if (e.mean === null) expect(a.events[i].mean).toBeNull();
    else expect(a.events[i].mean).toBeCloseTo(e.mean, 9);
  }
};

describe('reportBusinessMetrics', () => {
  it('reports each version: traffic, latency and its outcome events, matched by request and by entity', async () => {
    const report = await reportBusinessMetrics(store, { dir, model: 'shop' });
    expect(report.groups.map((g) => [g.version, g.windowStart, g.segment])).toEqual([
      ['1', null, null],
      ['2', null, null],
    ]);
    for (const g of report.groups) close(g, expected(predictions.filter((p) => p.version === g.version)));
    expect(report.unmatchedEvents).toEqual({ converted: 1, refund: 2 });
    const refunds = report.groups.flatMap((g) => g.events.filter((e) => e.name === 'refund'));
    expect(refunds.reduce((s, e) => s + e.events, 0)).toBe(3);
    // The corrected value replaced the first one.
    const chargebacks = truth.filter((t) => t.event.name === 'chargeback_amount');
    const total = report.groups.flatMap((g) => g.events.filter((e) => e.name === 'chargeback_amount'));
    expect(total.reduce((s, e) => s + e.sum, 0)).toBeCloseTo(
      chargebacks.reduce((s, t) => s + t.event.value, 0),
      6,
    );
  });

  it('splits by window and segment, and by version on request', async () => {
    const report = await reportBusinessMetrics(store, {
      dir,
      model: 'shop',
      version: '1',
      windowMs: DAY,
      segment: 'in_country',
    });
    expect(report.groups.map((g) => [g.version, g.windowStart, g.segment])).toEqual([
      ['1', T0, null],
      ['1', T0, 'DE'],
      ['1', T0, 'FR'],
      ['1', T0 + DAY, null],
      ['1', T0 + DAY, 'DE'],
      ['1', T0 + DAY, 'FR'],
    ]);
    for (const g of report.groups) {
      expect(g.windowEnd).toBe(g.windowStart! + DAY);
      const ps = predictions.filter(
        (p) =>
          p.version === '1' &&
          p.ts >= g.windowStart! &&
          p.ts < g.windowEnd! &&
          (g.segment === null || p.country === g.segment),
      );
      close(g, expected(ps));
    }
  });

  it('keeps to a from/to range, and refuses a segment the log lacks', async () => {
    const from = new Date(T0 + DAY);
    const to = new Date(T0 + DAY + 2 * 3_600_000);
    const report = await reportBusinessMetrics(store, { dir, model: 'shop', from, to });
    for (const g of report.groups)
      close(
        g,
        expected(
          predictions.filter((p) => p.version === g.version && p.ts >= from.getTime() && p.ts < to.getTime()),
        ),
      );
    await expect(
      reportBusinessMetrics(store, { dir, model: 'shop', segment: 'in_nope' }),
    ).rejects.toMatchObject({
      details: { field: 'segment' },
    });
    await expect(reportBusinessMetrics(store, { dir, model: 'shop', windowMs: 0 })).rejects.toMatchObject({
      details: { field: 'windowMs' },
    });
  });

  it('answers alert rules on business.<event>.<stat> per model and version, over the rule window', async () => {
    const now = T0 + 2 * DAY;
    const source = businessMetricSource(store, { dir });
    expect(source.has('business.converted.rate')).toBe(true);
    expect(source.has('business.chargeback_amount.sum')).toBe(true);
    expect(source.has('business.converted.p99')).toBe(false);
    const rate = await source.read('business.converted.rate', DAY, now);
    const day1 = (v: string) => predictions.filter((p) => p.version === v && p.ts >= now - DAY && p.ts < now);
    expect(rate).toEqual(
      ['1', '2'].map((version) => ({
        labels: { model: 'shop', version },
        value: expected(day1(version)).events.find((e) => e.name === 'converted')!.rate,
      })),
    );
    expect(await source.read('business.never_sent.count', DAY, now)).toEqual([
      { labels: { model: 'shop', version: '1' }, value: 0 },
      { labels: { model: 'shop', version: '2' }, value: 0 },
    ]);
    expect(await source.read('business.never_sent.mean', DAY, now)).toEqual([]);

    const alertSql = await openSqlDatabase('sqlite:///:memory:');
    const clock = { now: () => now };
    const lines: string[] = [];
    const errors: unknown[] = [];
    const dispatcher = new NotificationDispatcher({
      store: new SqlAlertStore(alertSql),
      channels: [logChannel((l) => lines.push(l))],
      clock,
    });
    const alerts = await openAlertEvaluator({
      store: new SqlAlertStore(alertSql),
      metrics: new MetricSources([source]),
      notifier: dispatcher,
      clock,
      onError: (_rule, err) => errors.push(err),
    });
    try {
      const v2 = rate.find((s) => s.labels.version === '2')!.value;
      const v1 = rate.find((s) => s.labels.version === '1')!.value;
      // A threshold between the two versions' rates: exactly the lower one fires.
      await alerts.putRule({
        name: 'conversions-low',
        metric: 'business.converted.rate',
        comparison: '<',
        threshold: (v1 + v2) / 2,
        window: '1d',
      });
      await alerts.tick();
      await dispatcher.whenIdle();
      expect(errors).toEqual([]);
      expect(v2).toBeLessThan(v1);
      expect(alerts.alerts().filter((a) => a.state === 'firing')).toMatchObject([
        { labels: { model: 'shop', version: '2' }, value: v2 },
      ]);
      expect(lines).toHaveLength(1);
    } finally {
      await dispatcher.close();
      await alertSql.close();
    }
  });
});
