/**
 * `slipway features materialize|materialize-incremental|stats`: copy the latest value per entity into
 * the online store (each run recorded in the metadata store with its validation report and
 * statistics), and show each view's freshness and statistics. A run that had batches refused by
 * validation prints the report and exits non-zero.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { metadataPostgresUri } from '../core/config.js';
import { invalidParameter, SlipwayError } from '../core/errors.js';
import { loadFeatureRepo } from '../features/definitions/index.js';
import type { ViewFreshness } from '../features/materialization-log.js';
import { formatValidationReport } from '../features/materialization-report.js';
import { materializeView } from '../features/materialization-run.js';
import { checkMemoryLimit, type MaterializeSummary } from '../features/materialize.js';
import { catalogOf } from '../features/online-features.js';
import { openOnlineStore } from '../platform.js';
import { type CliIo, printJson } from './io.js';
import { type StoreFlags, withLocalPlatform } from './local-platform.js';
import { formatTimestamp, renderFields, renderTable } from './table.js';

interface MaterializeFlags extends StoreFlags {
  definitions: string;
  onlineStore?: string;
  views?: string;
  start?: string;
  end?: string;
  batchSize?: string;
  memoryLimit?: string;
}

function timeFlag(flag: string, value: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms))
    throw invalidParameter(flag, 'an ISO time (2026-01-31T00:00:00Z) or epoch milliseconds', value);
  return ms;
}

/**
 * Per view, the end of the last materialized window as releases before the materialization log kept
 * it (`<home>/materialized.json`); read only for views the log has no succeeded run of.
 */
function legacyState(home: string): Record<string, number> {
  const file = join(home, 'materialized.json');
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

async function runMaterialize(opts: MaterializeFlags, io: CliIo, incremental: boolean): Promise<void> {
  const repo = await loadFeatureRepo(opts.definitions);
  const catalog = catalogOf(repo);
  const end = opts.end ? timeFlag('--end', opts.end) : Date.now();
  const batchSize = opts.batchSize === undefined ? undefined : Number(opts.batchSize);
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize > 0))
    throw invalidParameter('--batch-size', 'a positive integer', opts.batchSize);
  const memoryLimit =
    opts.memoryLimit === undefined ? undefined : checkMemoryLimit('--memory-limit', opts.memoryLimit);
  const views =
    opts.views?.split(',').map((v) => v.trim()) ??
    [...catalog.views.values()].filter((v) => v.online).map((v) => v.name);
  const summaries: MaterializeSummary[] = await withLocalPlatform(opts, io, async (platform) => {
    const legacy = incremental ? legacyState(platform.config.home) : {};
    // PostgreSQL sources without their own connection read from the metadata store's database.
    const postgresConnection = metadataPostgresUri(platform.config);
    const store = await openOnlineStore(opts.onlineStore, platform.config.home);
    const tty = io.errIsTTY === true;
    const done: MaterializeSummary[] = [];
    try {
      for (const view of views) {
        const ttl = (catalog.views.get(view)?.ttlSeconds ?? 0) * 1000;
        const start = incremental
          ? ((await platform.materializations.resumeFrom(repo.project, view)) ??
            legacy[view] ??
            (ttl > 0 ? end - ttl : 0))
          : timeFlag('--start', opts.start ?? '');
        const { summary } = await materializeView({
          catalog,
          store,
          log: platform.materializations,
          project: repo.project,
          view,
          start,
          end,
          batchSize,
          memoryLimit,
          postgresConnection,
          onProgress: (p) => {
            if (!tty) return;
            const n = (x: number) => x.toLocaleString('en-US');
            io.err(
              `\r${p.view}: ${n(p.rowsRead)} rows read, ${n(p.rowsWritten)} written, ${n(p.rowsRefused)} refused`,
            );
          },
        });
        if (tty) io.err('\n');
        done.push(summary);
      }
    } finally {
      await store.close();
    }
    return done;
  });
  for (const s of summaries) {
    io.out(
      `${s.view}: ${s.rowsRead} rows read, ${s.rowsWritten} written (newer than the store held), ${s.rowsRefused} refused by validation, in ${s.seconds.toFixed(2)} s\n`,
    );
  }
  const refused = summaries.filter((s) => s.rowsRefused > 0);
  if (refused.length > 0) {
    for (const s of refused) io.out(formatValidationReport(s.view, s.report));
    throw new SlipwayError(
      'INVALID_PARAMETER_VALUE',
      `Validation refused ${refused.reduce((a, s) => a + s.rowsRefused, 0)} row(s) of ${refused.map((s) => s.view).join(', ')}; nothing of the refused batches was written`,
      { views: refused.map((s) => s.view) },
    );
  }
}

interface StatsFlags extends StoreFlags {
  project?: string;
  json?: boolean;
}

const share = (x: number | null | undefined) =>
  x === null || x === undefined ? '' : `${(x * 100).toFixed(1)} %`;
/** Up to 6 significant digits, without trailing zeros (1.7, 0.64, 27.5, 1234570). */
const number = (x: number | null | undefined) =>
  x === null || x === undefined ? '' : String(Number(x.toPrecision(6)));

function freshnessTable(views: ViewFreshness[]): string {
  return renderTable(views, [
    { header: 'PROJECT', value: (v) => v.project },
    { header: 'VIEW', value: (v) => v.view },
    { header: 'VERSION', value: (v) => v.version, align: 'right' },
    { header: 'LAST RUN', value: (v) => v.lastRun?.status ?? 'never' },
    { header: 'LAST SUCCESS', value: (v) => formatTimestamp(v.lastSucceeded?.finishedAt) },
    { header: 'WINDOW END', value: (v) => formatTimestamp(v.lastSucceeded?.windowEnd) },
    { header: 'NEWEST EVENT', value: (v) => formatTimestamp(v.lastSucceeded?.newestEventTimestamp) },
    { header: 'ROWS', value: (v) => v.lastRun?.rowsRead, align: 'right' },
    { header: 'REFUSED', value: (v) => v.lastRun?.rowsRefused, align: 'right' },
  ]);
}

/** `slipway features stats [VIEW]`: freshness of every view, or one view's statistics and report. */
async function runStats(view: string | undefined, opts: StatsFlags, io: CliIo): Promise<void> {
  await withLocalPlatform(opts, io, async (platform) => {
    if (view === undefined) {
      const views = await platform.materializations.views(opts.project);
      if (opts.json) printJson(io, views);
      else
        io.out(views.length === 0 ? 'No feature view was applied or materialized.\n' : freshnessTable(views));
      return;
    }
    const d = await platform.materializations.view(view, opts.project);
    if (opts.json) {
      printJson(io, d);
      return;
    }
    io.out(
      renderFields([
        ['View', `${d.project}/${d.view}`],
        ['Version', d.version],
        ['Last run', d.lastRun ? `${d.lastRun.status}, ${formatTimestamp(d.lastRun.startedAt)}` : 'never'],
        ['Last success', formatTimestamp(d.lastSucceeded?.finishedAt)],
        ['Window end', formatTimestamp(d.lastSucceeded?.windowEnd)],
        ['Newest event', formatTimestamp(d.lastSucceeded?.newestEventTimestamp)],
        ['Rows', d.statistics?.rows],
      ]),
    );
    if (d.statistics) {
      io.out('\n');
      io.out(
        renderTable(d.statistics.features, [
          { header: 'FEATURE', value: (f) => f.feature },
          { header: 'TYPE', value: (f) => f.type },
          { header: 'NULL SHARE', value: (f) => share(f.nullShare), align: 'right' },
          { header: 'MIN', value: (f) => number(f.min), align: 'right' },
          { header: 'MAX', value: (f) => number(f.max), align: 'right' },
          { header: 'MEAN', value: (f) => number(f.mean), align: 'right' },
        ]),
      );
    }
    if (d.report) io.out(`\n${formatValidationReport(d.view, d.report)}`);
  });
}

/** Registers `materialize`, `materialize-incremental` and `stats` under `slipway features`. */
export function registerMaterializeCommands(features: Command, io: CliIo): void {
  const materializeCmd = (name: string, description: string) =>
    features
      .command(name)
      .description(description)
      .requiredOption('--definitions <file>', 'feature definitions: a .yaml or .ts file')
      .option('--views <list>', 'comma-separated views (default: every online view)')
      .option('--end <time>', 'end of the event-time window, exclusive (default: now)')
      .option('--online-store <uri>', 'sqlite (default, in --home) or redis://host:port')
      .option(
        '--batch-size <rows>',
        'rows per validated write; a batch with a violation is not written (default 10000)',
      )
      .option(
        '--memory-limit <size>',
        "DuckDB's memory for picking the latest rows (512MiB, 2GB…); beyond it, it spills to the temp folder (default 512MiB, or a quarter of RAM if less)",
      )
      .option('--home <dir>', 'folder of the embedded stores (default ./.slipway)')
      .option('--config <file>', 'slipway.yaml to read store locations from');
  materializeCmd('materialize', 'copy the latest value per entity in [--start, --end) into the online store')
    .requiredOption('--start <time>', 'start of the event-time window (ISO time or epoch ms)')
    .action((opts: MaterializeFlags) => runMaterialize(opts, io, false));
  materializeCmd(
    'materialize-incremental',
    'materialize from where the last succeeded run ended up to --end (default now)',
  ).action((opts: MaterializeFlags) => runMaterialize(opts, io, true));
  features
    .command('stats [view]')
    .description("feature views' freshness; with a view: its statistics and latest validation report")
    .option('--project <name>', 'only this project (needed when a view name is in several)')
    .option('--home <dir>', 'folder of the embedded stores (default ./.slipway)')
    .option('--config <file>', 'slipway.yaml to read store locations from')
    .option('--json', 'print JSON')
    .action((view: string | undefined, opts: StatsFlags) => runStats(view, opts, io));
}
