/**
 * `slipway monitor report`: drift of a model's served traffic (the inference log written by
 * `slipway serve --inference-log DIR`) against its training dataset (from the model's lineage) or a
 * given reference — printed as a table, as JSON, and written as a self-contained HTML report.
 * Works on the stores under --home (or slipway.yaml's).
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { invalidParameter } from '../core/errors.js';
import {
  buildDriftReport,
  type ColumnDriftRow,
  type DriftReport,
  renderDriftReportHtml,
} from '../monitoring/report/index.js';
import { type CliIo, printJson } from './io.js';
import { withLocalPlatform } from './local-platform.js';
import { registerMonitorAlerts } from './monitor-alerts.js';
import { registerMonitorBusiness } from './monitor-business.js';
import { renderTable } from './table.js';

interface ReportOptions {
  model: string;
  window?: string;
  from?: string;
  to?: string;
  reference?: string;
  inferenceLog: string;
  html?: string;
  json?: boolean;
  rowCap?: string;
  largeMethod?: string;
  bins?: string;
  home?: string;
  config?: string;
}

const score = (v: number | null) => (v === null ? '' : Number(v.toPrecision(4)));

function verdict(r: ColumnDriftRow): string {
  if (r.status !== 'tested') return 'no data';
  return r.drifted ? 'DRIFT' : 'ok';
}

/** The `monitor report` text: a summary line, then one row per column (and the prediction). */
export function renderDriftReportText(report: DriftReport): string {
  const d = report.datasetDrift;
  const rows = report.predictionDrift ? [...report.columns, report.predictionDrift] : report.columns;
  const head =
    `${report.model} v${report.version}, window ${report.window.label} (${report.window.from} → ${report.window.to}), ` +
    `reference ${report.reference.kind} ${report.reference.source}${report.reference.trainingDataset ? ' (training dataset)' : ''}\n` +
    `rows: ${report.rows.reference.rows} reference, ${report.rows.current.rows} current` +
    `${report.method === 'sample' ? ` (tested on a sample of ${report.rowCap} per side)` : ''}` +
    `${report.method === 'binned' ? ' (every row; normed Wasserstein from fine bins, exact score within BOUNDS)' : ''}\n` +
    `dataset drift: ${d.drifted ? 'DETECTED' : 'not detected'} — ${d.driftedColumns} of ${d.testedColumns} columns drifted (${(d.share * 100).toFixed(0)} %, threshold ${(d.driftShare * 100).toFixed(0)} %)\n\n`;
  const table = renderTable(rows, [
    { header: 'COLUMN', value: (r) => r.column, maxWidth: 40 },
    { header: 'KIND', value: (r) => r.kind },
    { header: 'TEST', value: (r) => r.test },
    { header: 'SCORE', value: (r) => score(r.score), align: 'right' },
    { header: 'THRESHOLD', value: (r) => r.threshold, align: 'right' },
    ...(report.method === 'binned'
      ? [{ header: 'BOUNDS', value: (r: ColumnDriftRow) => (r.bounds ? r.bounds.map(score).join('–') : '') }]
      : []),
    { header: 'VERDICT', value: verdict },
  ]);
  const unmatched = report.unmatchedColumns.length
    ? `not in the reference (not tested): ${report.unmatchedColumns.join(', ')}\n`
    : '';
  return head + table + unmatched;
}

/** Registers `monitor report` under `program`. */
export function registerMonitorCommand(program: Command, io: CliIo): void {
  const monitor = program.command('monitor').description('monitor served models: drift reports');
  monitor
    .command('report')
    .description("drift of a model's served inputs against its training data (table, JSON, HTML)")
    .requiredOption('--model <ref>', 'NAME@ALIAS, NAME/VERSION or NAME (latest version)')
    .option('--window <duration>', "how far back from now (or --to): '1h', '24h', '7d' (default 24h)")
    .option('--from <time>', 'window start (ISO 8601), instead of --window')
    .option('--to <time>', 'window end (ISO 8601, default now)')
    .option(
      '--reference <file|dataset>',
      'a Parquet/CSV file or DATASET/VERSION (default: the training dataset in the lineage)',
    )
    .requiredOption('--inference-log <dir>', 'the inference log folder (slipway serve --inference-log)')
    .option('--html <file>', 'write the self-contained HTML report here')
    .option('--json', 'print the report as JSON instead of a table')
    .option('--row-cap <n>', 'rows per side read into memory (default 200000); beyond, see --large-method')
    .option(
      '--large-method <binned|sample>',
      'a side beyond --row-cap: every row counted through DuckDB (binned, default) or a seeded sample',
    )
    .option('--bins <n>', 'fine bins per numeric column on the binned path (default 8192)')
    .option('--home <dir>', 'the stores to read the registry from (default ./.slipway)')
    .option('--config <file>', 'slipway.yaml to read store locations from (default ./slipway.yaml)')
    .action(async (opts: ReportOptions) => {
      const rowCap = opts.rowCap === undefined ? undefined : Number(opts.rowCap);
      if (rowCap !== undefined && !(Number.isSafeInteger(rowCap) && rowCap > 0))
        throw invalidParameter('--row-cap', 'a positive whole number', opts.rowCap);
      const largeMethod = opts.largeMethod as 'binned' | 'sample' | undefined;
      if (largeMethod !== undefined && largeMethod !== 'binned' && largeMethod !== 'sample')
        throw invalidParameter('--large-method', "'binned' or 'sample'", opts.largeMethod);
      const bins = opts.bins === undefined ? undefined : Number(opts.bins);
      if (bins !== undefined && !(Number.isSafeInteger(bins) && bins >= 16 && bins <= 1_048_576))
        throw invalidParameter('--bins', 'a whole number of bins in [16, 1048576]', opts.bins);
      const local = opts.reference === undefined ? undefined : resolve(io.cwd, opts.reference);
      const reference = local !== undefined && existsSync(local) ? local : opts.reference;
      const tty = io.errIsTTY === true;
      const report = await withLocalPlatform(opts, io, (platform) =>
        buildDriftReport({
          stores: {
            registry: platform.registry,
            datasets: platform.datasets,
            artifacts: platform.artifacts.store,
          },
          inferenceLogDir: resolve(io.cwd, opts.inferenceLog),
          model: opts.model,
          window: opts.window ?? (opts.from === undefined ? '24h' : undefined),
          from: opts.from,
          to: opts.to,
          reference,
          rowCap,
          largeMethod,
          bins,
          onProgress: (side, n, total) => {
            if (tty)
              io.err(
                `\rreading ${side}: ${n.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows`,
              );
          },
        }),
      ).finally(() => {
        if (tty) io.err('\n');
      });
      if (opts.html) await writeFile(resolve(io.cwd, opts.html), renderDriftReportHtml(report));
      if (opts.json) printJson(io, report);
      else {
        io.out(renderDriftReportText(report));
        if (opts.html) io.out(`HTML report: ${resolve(io.cwd, opts.html)}\n`);
      }
    });
  registerMonitorBusiness(monitor, io);
  registerMonitorAlerts(monitor, io);
}
