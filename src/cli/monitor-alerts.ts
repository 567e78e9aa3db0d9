/**
 * `slipway monitor alerts …` and `slipway monitor performance`. Alerts live in a running server's
 * monitoring loop (`slipway server --monitoring FILE`), so those commands talk to it over HTTP
 * (`--tracking-uri`, `--token`): alert states, rules (list, set, delete) and webhook deliveries.
 * `monitor performance` measures a model's performance from labels over a window of an inference
 * log on the local stores (`--home`), as `GET /api/v1/monitoring/performance` does on a server.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type ErrorCode, invalidParameter, SlipwayError } from '../core/errors.js';
import type { AlertRule, AlertState, Delivery } from '../monitoring/alerts/index.js';
import { performanceTarget, windowPerformance } from '../monitoring/monitor/index.js';
import type { PerformanceGroup, PerformanceTask } from '../monitoring/performance/index.js';
import { resolveWindow } from '../monitoring/report/index.js';
import { serverOf } from './client.js';
import { type CliIo, printJson } from './io.js';
import { withLocalPlatform } from './local-platform.js';
import { renderTable } from './table.js';

interface ServerFlags {
  trackingUri?: string;
  token?: string;
  json?: boolean;
}

type DeliveryRow = Omit<Delivery, 'body' | 'nextAttemptAt' | 'createdAt' | 'deliveredAt'> & {
  state: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
};

/** One request to the server's monitoring API; its `{error}` answer is thrown as the same SlipwayError. */
async function monitoringApi<T>(
  flags: ServerFlags,
  io: CliIo,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const server = serverOf(flags, io);
  if (!server)
    throw invalidParameter(
      'tracking-uri',
      'the URL of a server started with --monitoring FILE (--tracking-uri or SLIPWAY_TRACKING_URI)',
      undefined,
    );
  const headers: Record<string, string> = server.token ? { authorization: `Bearer ${server.token}` } : {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`${server.url}/api/v1/monitoring${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    const cause = (err as Error).cause;
    throw new SlipwayError(
      'TEMPORARILY_UNAVAILABLE',
      `Cannot reach ${server.url}: ${cause instanceof Error ? cause.message : (err as Error).message}`,
    );
  }
  const answer = (await res.json().catch(() => ({}))) as {
    error?: { code: ErrorCode; message: string; details?: Record<string, unknown> };
  };
  if (!res.ok)
    throw new SlipwayError(
      answer.error?.code ?? 'INTERNAL_ERROR',
      answer.error?.message ?? `HTTP ${res.status}`,
      answer.error?.details,
    );
  return answer as T;
}

const connection = (cmd: Command): Command =>
  cmd
    .option('--tracking-uri <url>', 'the server running the monitoring loop (env SLIPWAY_TRACKING_URI)')
    .option('--token <token>', 'bearer token for the server (env SLIPWAY_TRACKING_TOKEN)')
    .option('--json', 'print JSON instead of a table');

const time = (t: number | string | null) =>
  t === null ? '' : new Date(t).toISOString().replace('.000Z', 'Z');
const labelsText = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
const span = (ms: number) =>
  ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`;

/** A subcommand's flags over those of `alerts` (commander hands a flag to the parent when both declare it). */
function withParent<T extends ServerFlags>(parent: Command, flags: T): T {
  const merged = { ...flags };
  for (const [k, v] of Object.entries(parent.opts<ServerFlags>()))
    if (v !== undefined && merged[k as keyof T] === undefined) (merged as Record<string, unknown>)[k] = v;
  return merged;
}

/** Registers `monitor alerts [rules|set|delete|deliveries]` and `monitor performance` under `monitor`. */
export function registerMonitorAlerts(monitor: Command, io: CliIo): void {
  const alerts = connection(
    monitor.command('alerts').description("the monitoring loop's alerts, rules and webhook deliveries"),
  );
  alerts.action(async (flags: ServerFlags) => {
    const { alerts: states } = await monitoringApi<{ alerts: AlertState[] }>(flags, io, 'GET', '/alerts');
    if (flags.json) return printJson(io, states);
    io.out(
      renderTable(states, [
        { header: 'RULE', value: (a) => a.rule },
        { header: 'STATE', value: (a) => a.state.toUpperCase() },
        {
          header: 'VALUE',
          value: (a) => (a.value === null ? '' : Number(a.value.toPrecision(4))),
          align: 'right',
        },
        { header: 'SINCE', value: (a) => time(a.firingSince ?? a.activeSince ?? a.resolvedAt) },
        { header: 'LABELS', value: (a) => labelsText(a.labels), maxWidth: 60 },
      ]),
    );
  });

  connection(alerts.command('rules').description('list the alert rules')).action(async (own: ServerFlags) => {
    const flags = withParent(alerts, own);
    const { rules } = await monitoringApi<{ rules: AlertRule[] }>(flags, io, 'GET', '/alerts/rules');
    if (flags.json) return printJson(io, rules);
    io.out(
      renderTable(rules, [
        { header: 'NAME', value: (r) => r.name },
        { header: 'CONDITION', value: (r) => `${r.metric} ${r.comparison} ${r.threshold}`, maxWidth: 60 },
        { header: 'WINDOW', value: (r) => span(r.windowMs) },
        { header: 'FOR', value: (r) => span(r.forMs) },
        { header: 'SEVERITY', value: (r) => r.severity },
      ]),
    );
  });

  connection(
    alerts
      .command('set <name>')
      .description('add or replace an alert rule')
      .requiredOption('--metric <series>', 'slo.<name>.burn, drift.share, performance.<metric>, …')
      .requiredOption('--comparison <op>', '> >= < <= == !=')
      .requiredOption('--threshold <number>', 'the value compared with')
      .option('--window <duration>', 'how far back the metric is read (default 5m)')
      .option('--for <duration>', 'how long the condition holds before firing (default 0)')
      .option('--severity <level>', 'critical, warning (default) or info')
      .option('--label <key=value>', 'added to its alerts; repeatable', (v: string, acc: string[] = []) => [
        ...acc,
        v,
      ]),
  ).action(
    async (
      name: string,
      own: ServerFlags & {
        metric: string;
        comparison: string;
        threshold: string;
        window?: string;
        for?: string;
        severity?: string;
        label?: string[];
      },
    ) => {
      const flags = withParent(alerts, own);
      const threshold = Number(flags.threshold);
      if (flags.threshold.trim() === '' || !Number.isFinite(threshold))
        throw invalidParameter('--threshold', 'a number', flags.threshold);
      const labels: Record<string, string> = {};
      for (const l of flags.label ?? []) {
        const i = l.indexOf('=');
        if (i <= 0) throw invalidParameter('--label', 'key=value', l);
        labels[l.slice(0, i)] = l.slice(i + 1);
      }
      const { rule } = await monitoringApi<{ rule: AlertRule }>(
        flags,
        io,
        'PUT',
        `/alerts/rules/${encodeURIComponent(name)}`,
        {
          metric: flags.metric,
          comparison: flags.comparison,
          threshold,
          window: flags.window,
          for: flags.for,
          severity: flags.severity,
          labels,
        },
      );
      if (flags.json) return printJson(io, rule);
      io.out(
        `rule ${rule.name}: ${rule.metric} ${rule.comparison} ${rule.threshold} (window ${span(rule.windowMs)}, for ${span(rule.forMs)}, ${rule.severity})\n`,
      );
    },
  );

  connection(alerts.command('delete <name>').description('delete an alert rule')).action(
    async (name: string, own: ServerFlags) => {
      const flags = withParent(alerts, own);
      await monitoringApi(flags, io, 'DELETE', `/alerts/rules/${encodeURIComponent(name)}`);
      io.out(`rule ${name} deleted\n`);
    },
  );

  connection(
    alerts
      .command('deliveries')
      .description('notifications and their delivery: status, attempts, last error, next attempt')
      .option('--rule <name>', 'only this rule')
      .option('--status <status>', 'pending, delivered or failed'),
  ).action(async (own: ServerFlags & { rule?: string; status?: string }) => {
    const flags = withParent(alerts, own);
    const query = new URLSearchParams();
    if (flags.rule) query.set('rule', flags.rule);
    if (flags.status) query.set('status', flags.status);
    const { deliveries } = await monitoringApi<{ deliveries: DeliveryRow[] }>(
      flags,
      io,
      'GET',
      `/alerts/deliveries?${query}`,
    );
    if (flags.json) return printJson(io, deliveries);
    io.out(
      renderTable(deliveries, [
        { header: 'CREATED', value: (d) => time(d.createdAt) },
        { header: 'RULE', value: (d) => d.rule },
        { header: 'STATE', value: (d) => d.state ?? '' },
        { header: 'CHANNEL', value: (d) => d.channel },
        { header: 'STATUS', value: (d) => d.status.toUpperCase() },
        { header: 'ATTEMPTS', value: (d) => d.attempts, align: 'right' },
        { header: 'LAST ERROR', value: (d) => d.lastError ?? '', maxWidth: 40 },
        { header: 'NEXT ATTEMPT', value: (d) => time(d.nextAttemptAt) },
      ]),
    );
  });

  monitor
    .command('performance')
    .description("a model's performance from labels over a window of its inference log")
    .requiredOption('--model <ref>', 'NAME@ALIAS, NAME/VERSION or NAME (every version)')
    .requiredOption('--inference-log <dir>', 'the inference log folder')
    .requiredOption('--prediction <column>', 'the log column holding the prediction, e.g. out_score')
    .option('--window <duration>', "how far back from now: '1h', '24h', '7d' (default 24h)", '24h')
    .option('--task <task>', 'binary (default), multiclass or regression', 'binary')
    .option('--threshold <p>', 'binary: a score at or above it predicts class 1 (default 0.5)')
    .option('--segment <column>', 'also per value of this log column, e.g. in_country')
    .option('--json', 'print the report as JSON')
    .option('--home <dir>', 'the stores the labels are in (default ./.slipway)')
    .option('--config <file>', 'slipway.yaml to read store locations from')
    .action(
      async (opts: {
        model: string;
        inferenceLog: string;
        prediction: string;
        window: string;
        task: string;
        threshold?: string;
        segment?: string;
        json?: boolean;
        home?: string;
        config?: string;
      }) => {
        const threshold = opts.threshold === undefined ? undefined : Number(opts.threshold);
        if (threshold !== undefined && !(threshold >= 0 && threshold <= 1))
          throw invalidParameter('--threshold', 'a number in [0, 1]', opts.threshold);
        if (!['binary', 'multiclass', 'regression'].includes(opts.task))
          throw invalidParameter('--task', 'binary, multiclass or regression', opts.task);
        const window = resolveWindow({ window: opts.window }, Date.now());
        const report = await withLocalPlatform(opts, io, async (platform) =>
          windowPerformance(platform.labels, {
            dir: resolve(io.cwd, opts.inferenceLog),
            ...(await performanceTarget(platform.registry, opts.model)),
            from: window.from,
            to: window.to,
            task: opts.task as PerformanceTask,
            prediction: opts.prediction,
            threshold,
            segment: opts.segment,
          }),
        );
        if (opts.json) return printJson(io, report);
        io.out(
          `${opts.model}, window ${window.label} (${window.from.toISOString()} → ${window.to.toISOString()})\n`,
        );
        const metrics = [
          'accuracy',
          'precision',
          'recall',
          'f1',
          'rocAuc',
          'logLoss',
          'mae',
          'rmse',
        ] as const;
        const shown = metrics.filter((m) => report.groups.some((g) => g.realized[m] !== undefined));
        const value = (v: number | null | undefined) =>
          v === null || v === undefined ? '' : Number(v.toPrecision(4));
        io.out(
          renderTable<PerformanceGroup>(report.groups, [
            { header: 'SEGMENT', value: (g) => g.segment ?? '(all)' },
            { header: 'PREDICTIONS', value: (g) => g.predictions, align: 'right' },
            { header: 'LABELLED', value: (g) => g.labelled, align: 'right' },
            ...shown.map((m) => ({
              header: m.toUpperCase(),
              value: (g: PerformanceGroup) => value(g.realized[m]),
              align: 'right' as const,
            })),
          ]),
        );
        if (report.unmatchedLabels > 0)
          io.out(`labels matching no logged prediction: ${report.unmatchedLabels}\n`);
      },
    );
}
