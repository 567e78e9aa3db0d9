/**
 * `slipway monitor business`: a model's outcome events (posted to `POST /api/v1/events`) per
 * version beside its served traffic, read from the inference log and the metadata store under
 * --home (or slipway.yaml's): a table of one row per version × event, or the report as JSON.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type BusinessMetricsReport, reportBusinessMetrics } from '../monitoring/business/index.js';
import { resolveWindow } from '../monitoring/report/window.js';
import { type CliIo, printJson } from './io.js';
import { withLocalPlatform } from './local-platform.js';
import { renderTable } from './table.js';

interface BusinessOptions {
  model: string;
  window?: string;
  from?: string;
  to?: string;
  inferenceLog: string;
  json?: boolean;
  home?: string;
  config?: string;
}

const round = (v: number | null) => (v === null ? '' : Number(v.toPrecision(4)));

/** The `monitor business` text: a heading, one row per version × event, then the unmatched events. */
export function renderBusinessReportText(report: BusinessMetricsReport): string {
  const rows = report.groups
    .filter((g) => g.segment === null)
    .flatMap((g) => (g.events.length ? g.events : [null]).map((e) => ({ g, e })));
  const head = `${report.model}${report.version ? ` v${report.version}` : ''}, ${report.from} → ${report.to}\n`;
  const table = renderTable(rows, [
    { header: 'VERSION', value: ({ g }) => g.version },
    { header: 'PREDICTIONS', value: ({ g }) => g.predictions, align: 'right' },
    { header: 'P99 MS', value: ({ g }) => round(g.latencyP99Ms), align: 'right' },
    { header: 'EVENT', value: ({ e }) => e?.name ?? '', maxWidth: 40 },
    { header: 'COUNT', value: ({ e }) => e?.events ?? '', align: 'right' },
    { header: 'SUM', value: ({ e }) => (e ? round(e.sum) : ''), align: 'right' },
    { header: 'MEAN', value: ({ e }) => round(e?.mean ?? null), align: 'right' },
    { header: 'RATE', value: ({ e }) => round(e?.rate ?? null), align: 'right' },
  ]);
  const unmatched = Object.entries(report.unmatchedEvents);
  const tail = unmatched.length
    ? `events with no logged prediction: ${unmatched.map(([n, c]) => `${n} ${c}`).join(', ')}\n`
    : '';
  return head + (rows.length ? table : 'no predictions logged in the window\n') + tail;
}

/** Registers `monitor business` under the `monitor` command. */
export function registerMonitorBusiness(monitor: Command, io: CliIo): void {
  monitor
    .command('business')
    .description('outcome events (POST /api/v1/events) per model version beside its served traffic')
    .requiredOption('--model <name>', 'NAME (every version) or NAME/VERSION, as served and logged')
    .option('--window <duration>', "how far back from now (or --to): '1h', '24h', '7d' (default 24h)")
    .option('--from <time>', 'window start (ISO 8601), instead of --window')
    .option('--to <time>', 'window end (ISO 8601, default now)')
    .requiredOption('--inference-log <dir>', 'the inference log folder (slipway serve --inference-log)')
    .option('--json', 'print the report as JSON instead of a table')
    .option('--home <dir>', 'the stores to read events from (default ./.slipway)')
    .option('--config <file>', 'slipway.yaml to read store locations from (default ./slipway.yaml)')
    .action(async (opts: BusinessOptions) => {
      const range = resolveWindow(
        {
          window: opts.window ?? (opts.from === undefined ? '24h' : undefined),
          from: opts.from,
          to: opts.to,
        },
        Date.now(),
      );
      const [model, version] = opts.model.split('/', 2);
      const report = await withLocalPlatform(opts, io, (platform) =>
        reportBusinessMetrics(platform.events, {
          dir: resolve(io.cwd, opts.inferenceLog),
          model,
          version,
          from: range.from,
          to: range.to,
        }),
      );
      if (opts.json) printJson(io, report);
      else io.out(renderBusinessReportText(report));
    });
}
