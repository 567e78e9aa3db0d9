/**
 * `slipway runs list|show`: search runs with MLflow's filter and order-by language, and inspect one
 * run's info, params, latest metrics, tags and datasets.
 */
import type { Command } from 'commander';
import type { Metric, Run } from '../tracking/types.js';
import { sparkline } from './sparkline.js';

/** `runs show` draws the curve of at most this many metrics, from at most this many points each. */
const MAX_CURVES = 30;
const MAX_CURVE_POINTS = 10_000;

import {
  addConnectionOptions,
  type ConnectionOptions,
  collectPages,
  positiveInt,
  withClient,
} from './client.js';
import { findExperiment } from './experiments-command.js';
import { type CliIo, printJson } from './io.js';
import { type Column, formatDuration, formatTimestamp, renderFields, renderTable } from './table.js';

/** At most this many metric columns in `runs list`; the rest are in `runs show` and `--json`. */
const MAX_METRIC_COLUMNS = 6;

interface ListOptions extends ConnectionOptions {
  experiment: string[];
  filter?: string;
  orderBy?: string[];
  maxResults: number;
  json?: boolean;
}

interface ShowOptions extends ConnectionOptions {
  json?: boolean;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Shows numbers compactly: integers as they are, others to at most 6 significant digits. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value) || !Number.isFinite(value)) return String(value);
  return String(Number(value.toPrecision(6)));
}

/**
 * Which metric keys get a column: those named in `--order-by` or `--filter` first (the reader asked
 * about them), then the others alphabetically.
 */
export function metricColumns(runs: readonly Run[], mentioned: string): string[] {
  const keys = [...new Set(runs.flatMap((r) => r.data.metrics.map((m) => m.key)))].sort();
  const named = keys.filter(
    (k) => mentioned.includes(`metrics.${k}`) || mentioned.includes(`metrics.\`${k}\``),
  );
  return [...named, ...keys.filter((k) => !named.includes(k))].slice(0, MAX_METRIC_COLUMNS);
}

function duration(run: Run): string {
  return run.info.endTime ? formatDuration(run.info.endTime - run.info.startTime) : '';
}

/** The `runs list` table: identity, status, times, then a column per chosen metric. */
export function renderRunsTable(runs: readonly Run[], mentioned = ''): string {
  const metricCol = (key: string): Column<Run> => ({
    header: key,
    value: (r) => {
      const m = r.data.metrics.find((x) => x.key === key);
      return m === undefined ? '' : formatNumber(m.value);
    },
    align: 'right',
    maxWidth: 24,
  });
  return renderTable(runs, [
    { header: 'RUN ID', value: (r) => r.info.runId },
    { header: 'NAME', value: (r) => r.info.runName, maxWidth: 32 },
    { header: 'STATUS', value: (r) => r.info.status },
    { header: 'STARTED', value: (r) => formatTimestamp(r.info.startTime) },
    { header: 'DURATION', value: duration, align: 'right' },
    ...metricColumns(runs, mentioned).map(metricCol),
  ]);
}

/** A metric's curve over its steps, with how many points it holds. */
function historyCell(history: readonly Metric[] | undefined): string {
  if (!history || history.length < 2) return '';
  return `${sparkline(history.map((m) => m.value))} (${history.length} pts)`;
}

/** The `runs show` text: info fields, then params, metrics (with a curve of each), tags and datasets. */
export function renderRun(run: Run, histories: ReadonlyMap<string, readonly Metric[]> = new Map()): string {
  const { info, data } = run;
  const sections: string[] = [
    renderFields([
      ['Run ID', info.runId],
      ['Name', info.runName],
      ['Experiment ID', info.experimentId],
      ['Status', info.status],
      ['User', info.userId],
      ['Started', formatTimestamp(info.startTime)],
      ['Ended', formatTimestamp(info.endTime)],
      ['Duration', duration(run)],
      ['Lifecycle', info.lifecycleStage],
      ['Artifact URI', info.artifactUri],
    ]),
  ];
  const byKey = <T extends { key: string }>(items: readonly T[]) =>
    [...items].sort((a, b) => a.key.localeCompare(b.key));
  if (data.params.length > 0) {
    sections.push(
      `Params\n${renderTable(byKey(data.params), [
        { header: 'KEY', value: (p) => p.key },
        { header: 'VALUE', value: (p) => p.value, maxWidth: 80 },
      ])}`,
    );
  }
  if (data.metrics.length > 0) {
    sections.push(
      `Metrics (latest)\n${renderTable(byKey(data.metrics), [
        { header: 'KEY', value: (m: Metric) => m.key },
        { header: 'VALUE', value: (m: Metric) => formatNumber(m.value), align: 'right' },
        { header: 'STEP', value: (m: Metric) => m.step, align: 'right' },
        { header: 'LOGGED', value: (m: Metric) => formatTimestamp(m.timestamp) },
        { header: 'HISTORY', value: (m: Metric) => historyCell(histories.get(m.key)) },
      ])}`,
    );
  }
  if (data.tags.length > 0) {
    sections.push(
      `Tags\n${renderTable(byKey(data.tags), [
        { header: 'KEY', value: (t) => t.key },
        { header: 'VALUE', value: (t) => t.value, maxWidth: 80 },
      ])}`,
    );
  }
  const datasets = run.inputs?.datasetInputs ?? [];
  if (datasets.length > 0) {
    sections.push(
      `Datasets\n${renderTable(datasets, [
        { header: 'NAME', value: (d) => d.dataset.name },
        { header: 'DIGEST', value: (d) => d.dataset.digest },
        { header: 'SOURCE TYPE', value: (d) => d.dataset.sourceType },
        { header: 'SOURCE', value: (d) => d.dataset.source, maxWidth: 50 },
        { header: 'TAGS', value: (d) => d.tags.map((t) => `${t.key}=${t.value}`).join(', ') },
      ])}`,
    );
  }
  return sections.join('\n');
}

/** Registers `runs list` and `runs show` under `program`. */
export function registerRunsCommand(program: Command, io: CliIo): void {
  const runs = program.command('runs').description('search and inspect runs');

  addConnectionOptions(
    runs
      .command('list')
      .description('search the runs of one or more experiments')
      .requiredOption('--experiment <id|name>', 'experiment id or name (repeat for several)', collect)
      .option(
        '--filter <expression>',
        `MLflow search filter, e.g. "metrics.acc > 0.9 and params.lr = '0.01'"`,
      )
      .option('--order-by <clause>', 'e.g. "metrics.acc DESC" (repeat for several)', collect)
      .option('--max-results <n>', 'show at most this many runs', positiveInt('--max-results'), 1000)
      .option('--json', 'print JSON instead of a table'),
  ).action(async (opts: ListOptions) => {
    const orderBy = opts.orderBy ?? [];
    const result = await withClient(opts, io, async (client) => {
      const experimentIds: string[] = [];
      for (const ref of opts.experiment) experimentIds.push((await findExperiment(client, ref)).experimentId);
      return collectPages(
        (page) => client.runs.search({ ...page, experimentIds, filter: opts.filter, orderBy }),
        opts.maxResults,
      );
    });
    if (opts.json) return printJson(io, result.items);
    io.out(renderRunsTable(result.items, `${orderBy.join(' ')} ${opts.filter ?? ''}`));
    if (result.more) io.err(`(first ${result.items.length} runs shown; raise --max-results to see more)\n`);
  });

  addConnectionOptions(
    runs
      .command('show')
      .description('show one run: info, params, latest metrics, tags')
      .argument('<run_id>', 'the run id')
      .option('--json', 'print JSON instead of text'),
  ).action(async (runId: string, opts: ShowOptions) => {
    const shown = await withClient(opts, io, async (client) => {
      const run = await client.runs.get(runId);
      if (opts.json) return { run, histories: new Map<string, Metric[]>() };
      const histories = new Map<string, Metric[]>();
      for (const m of run.data.metrics.slice(0, MAX_CURVES)) {
        const page = await client.runs.getMetricHistory(runId, m.key, { maxResults: MAX_CURVE_POINTS });
        histories.set(m.key, page.items);
      }
      return { run, histories };
    });
    if (opts.json) return printJson(io, shown.run);
    io.out(renderRun(shown.run, shown.histories));
  });
}
