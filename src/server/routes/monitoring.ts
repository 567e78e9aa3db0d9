/**
 * `/monitoring`: drift of a model's served traffic. `GET /monitoring/drift?model=REF&window=24h`
 * (or `from`/`to`, optional `reference` as a dataset NAME/VERSION) returns the same JSON as `slipway monitor report --json`,
 * read from the inference log the server was started with (`slipway server --inference-log DIR`).
 * `GET /monitoring/performance` measures performance from labels over a window of that log. The
 * monitoring loop (`--monitoring FILE`) adds alerts, alert rules, webhook deliveries, SLO verdicts,
 * skew per served version, and `POST /monitoring/evaluate` (one tick now, answering its summary).
 */
import type { FastifyPluginAsync } from 'fastify';
import { invalidParameter } from '../../core/errors.js';
import {
  ALERT_RULE_FIELDS,
  type AlertRuleInput,
  type DeliveryStatus,
} from '../../monitoring/alerts/index.js';
import type { ModelMonitor } from '../../monitoring/monitor/index.js';
import type { PerformanceTask } from '../../monitoring/performance/index.js';
import { driftOverWindow, performanceOverWindow } from '../../monitoring/window-reports.js';
import type { Platform } from '../../platform.js';
import { type InferenceLogRouteOptions, requireInferenceLog } from './inference-log-access.js';
import { int, nonEmpty, num, obj, params } from './schemas.js';

/** Where the monitoring routes read from. */
export interface MonitoringRouteOptions extends InferenceLogRouteOptions {
  /** The monitoring loop (`slipway server --monitoring FILE`); without it, its routes answer 400 naming `monitoring`. */
  monitor?: ModelMonitor;
}

interface PerformanceQuery {
  model: string;
  prediction: string;
  window?: string;
  from?: string;
  to?: string;
  task?: PerformanceTask;
  threshold?: number;
  segment?: string;
}

const performanceQuery = obj(
  {
    model: nonEmpty,
    prediction: nonEmpty,
    window: nonEmpty,
    from: nonEmpty,
    to: nonEmpty,
    task: { type: 'string', enum: ['binary', 'multiclass', 'regression'] },
    threshold: num,
    segment: nonEmpty,
  },
  ['model', 'prediction'],
);

const deliveriesQuery = obj({
  rule: nonEmpty,
  status: { type: 'string', enum: ['pending', 'delivered', 'failed'] },
  limit: { ...int, minimum: 1, maximum: 1000 },
});

interface DriftQuery {
  model: string;
  window?: string;
  from?: string;
  to?: string;
  reference?: string;
}

const driftQuery = obj(
  { model: nonEmpty, window: nonEmpty, from: nonEmpty, to: nonEmpty, reference: nonEmpty },
  ['model'],
);

/** Routes of the monitoring resource. */
export function monitoringRoutes(platform: Platform, opts: MonitoringRouteOptions = {}): FastifyPluginAsync {
  const inferenceLog = () => requireInferenceLog(opts);
  const monitor = (): ModelMonitor => {
    if (!opts.monitor)
      throw invalidParameter(
        'monitoring',
        'a server started with --monitoring FILE',
        'a server without monitoring',
      );
    return opts.monitor;
  };
  return async (app) => {
    app.get<{ Querystring: PerformanceQuery }>(
      '/monitoring/performance',
      { schema: { querystring: performanceQuery } },
      async (req) => performanceOverWindow(platform, await inferenceLog(), req.query),
    );

    app.get('/monitoring/alerts', async () => ({ alerts: monitor().alerts.alerts() }));
    app.get('/monitoring/alerts/rules', async () => ({ rules: monitor().alerts.listRules() }));
    app.put<{ Params: { name: string }; Body: unknown }>(
      '/monitoring/alerts/rules/:name',
      { schema: { params: params('name') } },
      async (req) => {
        const m = monitor();
        const body = req.body;
        if (typeof body !== 'object' || body === null || Array.isArray(body))
          throw invalidParameter('body', 'a JSON object (metric, comparison, threshold, …)', body);
        const unknown = Object.keys(body).find((k) => !ALERT_RULE_FIELDS.includes(k));
        if (unknown !== undefined)
          throw invalidParameter(unknown, `one of ${ALERT_RULE_FIELDS.join(', ')}`, unknown);
        const input = body as Partial<AlertRuleInput>;
        if (input.name !== undefined && input.name !== req.params.name)
          throw invalidParameter('name', `the rule name of the path (${req.params.name})`, input.name);
        return { rule: await m.alerts.putRule({ ...input, name: req.params.name } as AlertRuleInput) };
      },
    );
    app.delete<{ Params: { name: string } }>(
      '/monitoring/alerts/rules/:name',
      { schema: { params: params('name') } },
      async (req) => {
        await monitor().alerts.deleteRule(req.params.name);
        return { deleted: req.params.name };
      },
    );
    app.get<{ Querystring: { rule?: string; status?: DeliveryStatus; limit?: number } }>(
      '/monitoring/alerts/deliveries',
      { schema: { querystring: deliveriesQuery } },
      async (req) => {
        const m = monitor();
        const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
        const deliveries = (await m.deliveries({ limit: 100, ...req.query })).map((d) => ({
          id: d.id,
          channel: d.channel,
          rule: d.rule,
          alertKey: d.alertKey,
          state: (JSON.parse(d.body) as { state?: string }).state ?? null,
          status: d.status,
          attempts: d.attempts,
          lastError: d.lastError,
          nextAttemptAt: iso(d.nextAttemptAt),
          createdAt: iso(d.createdAt),
          deliveredAt: iso(d.deliveredAt),
        }));
        return { deliveries, stats: m.dispatcherStats() };
      },
    );
    app.get('/monitoring/slos', async () => ({ slos: monitor().slos() }));
    app.get('/monitoring/skew', async () => ({ skew: monitor().skew() }));
    app.post('/monitoring/evaluate', async () => monitor().evaluate());

    app.get<{ Querystring: DriftQuery }>(
      '/monitoring/drift',
      { schema: { querystring: driftQuery } },
      async (req) => driftOverWindow(platform, await inferenceLog(), req.query),
    );
  };
}
