/**
 * `slipway features plan|apply`: compare a definitions file (YAML or TypeScript) with the registry
 * and store new versions of what changed. Works on the stores under --home (or slipway.yaml's).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { invalidParameter } from '../core/errors.js';
import { formatPlan, loadFeatureRepo } from '../features/definitions/index.js';
import { type MaterializeSummary, materialize } from '../features/materialize.js';
import { getHistoricalFeatures, resolveHistoricalViews } from '../features/offline/index.js';
import { catalogOf } from '../features/online-features.js';
import { openOnlineStore, openPlatform } from '../platform.js';
import { loadConfig } from './config-loader.js';
import { type CliIo, printJson } from './io.js';

interface FeaturesOptions {
  definitions: string;
  home?: string;
  config?: string;
  json?: boolean;
}

async function withRegistry<T>(
  opts: FeaturesOptions,
  io: CliIo,
  fn: (p: Awaited<ReturnType<typeof openPlatform>>) => Promise<T>,
): Promise<T> {
  const config = loadConfig({
    flags: { home: opts.home },
    env: io.env,
    cwd: io.cwd,
    configPath: opts.config,
  });
  const platform = await openPlatform(config);
  try {
    return await fn(platform);
  } finally {
    await platform.close();
  }
}

interface MaterializeFlags {
  definitions: string;
  home?: string;
  config?: string;
  onlineStore?: string;
  views?: string;
  start?: string;
  end?: string;
}

function timeFlag(flag: string, value: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms))
    throw invalidParameter(flag, 'an ISO time (2026-01-31T00:00:00Z) or epoch milliseconds', value);
  return ms;
}

/** `<home>/materialized.json`: per view, the end of the last materialized window. */
function stateFile(home: string): string {
  return join(home, 'materialized.json');
}

async function runMaterialize(opts: MaterializeFlags, io: CliIo, incremental: boolean): Promise<void> {
  const config = loadConfig({
    flags: { home: opts.home },
    env: io.env,
    cwd: io.cwd,
    configPath: opts.config,
  });
  const repo = await loadFeatureRepo(opts.definitions);
  const catalog = catalogOf(repo);
  const end = opts.end ? timeFlag('--end', opts.end) : Date.now();
  const state: Record<string, number> = existsSync(stateFile(config.home))
    ? (JSON.parse(readFileSync(stateFile(config.home), 'utf8')) as Record<string, number>)
    : {};
  const views =
    opts.views?.split(',').map((v) => v.trim()) ??
    [...catalog.views.values()].filter((v) => v.online).map((v) => v.name);
  const store = await openOnlineStore(opts.onlineStore, config.home);
  const summaries: MaterializeSummary[] = [];
  const tty = io.errIsTTY === true;
  try {
    for (const view of views) {
      const ttl = (catalog.views.get(view)?.ttlSeconds ?? 0) * 1000;
      const start = incremental
        ? (state[view] ?? (ttl > 0 ? end - ttl : 0))
        : timeFlag('--start', opts.start ?? '');
      const [summary] = await materialize({
        catalog,
        store,
        views: [view],
        start,
        end,
        onProgress: (p) => {
          const line = `${p.view}: ${p.rowsRead.toLocaleString('en-US')} rows read, ${p.rowsWritten.toLocaleString('en-US')} written`;
          if (tty) io.err(`\r${line}`);
        },
      });
      if (tty) io.err('\n');
      summaries.push(summary);
      state[view] = Math.max(state[view] ?? 0, end);
    }
  } finally {
    await store.close();
  }
  writeFileSync(stateFile(config.home), `${JSON.stringify(state, null, 2)}\n`);
  for (const s of summaries) {
    io.out(
      `${s.view}: ${s.rowsRead} rows read, ${s.rowsWritten} written (newer than the store held) in ${s.seconds.toFixed(2)} s\n`,
    );
  }
}

interface HistoricalFlags {
  definitions: string;
  entities: string;
  service?: string;
  features?: string;
  out: string;
  timestampColumn?: string;
  fullFeatureNames?: boolean;
}

/** `slipway features historical`: a point-in-time-correct training set written to Parquet. */
async function runHistorical(opts: HistoricalFlags, io: CliIo): Promise<void> {
  const repo = await loadFeatureRepo(opts.definitions);
  let refs: string[];
  if (opts.service) {
    const service = repo.featureServices.find((s) => s.name === opts.service);
    if (!service) {
      throw invalidParameter(
        '--service',
        `one of ${repo.featureServices.map((s) => s.name).join(', ') || '(none)'}`,
        opts.service,
      );
    }
    refs = service.features;
  } else if (opts.features) {
    refs = opts.features.split(',').map((f) => f.trim());
  } else {
    throw invalidParameter('--service', 'a feature service name, or --features view:feature,…', undefined);
  }
  const format = opts.entities.toLowerCase().endsWith('.csv') ? 'csv' : 'parquet';
  const result = await getHistoricalFeatures({
    entities: { path: opts.entities, format },
    timestampColumn: opts.timestampColumn,
    views: resolveHistoricalViews(repo, refs),
    fullFeatureNames: opts.fullFeatureNames === true,
    output: opts.out,
  });
  io.out(
    `Wrote ${result.rowCount} rows × ${result.columns.length} columns to ${opts.out} (${result.contentHash})\n`,
  );
}

/** Registers `slipway features …` under `program`. */
export function registerFeaturesCommand(program: Command, io: CliIo): void {
  const features = program.command('features').description('feature store: definitions, plan and apply');
  const common = (cmd: Command) =>
    cmd
      .requiredOption('--definitions <file>', 'feature definitions: a .yaml or .ts file')
      .option('--home <dir>', 'folder of the embedded stores (default ./.slipway)')
      .option('--config <file>', 'slipway.yaml to read store locations from')
      .option('--json', 'print JSON');
  common(
    features.command('plan').description('show what `apply` would change (breaking changes flagged)'),
  ).action(async (opts: FeaturesOptions) => {
    const repo = await loadFeatureRepo(opts.definitions);
    const plan = await withRegistry(opts, io, (p) => p.features.plan(repo));
    if (opts.json) printJson(io, plan);
    else io.out(`${formatPlan(plan)}\n`);
  });
  const materializeCmd = (name: string, description: string) =>
    features
      .command(name)
      .description(description)
      .requiredOption('--definitions <file>', 'feature definitions: a .yaml or .ts file')
      .option('--views <list>', 'comma-separated views (default: every online view)')
      .option('--end <time>', 'end of the event-time window, exclusive (default: now)')
      .option('--online-store <uri>', 'sqlite (default, in --home) or redis://host:port')
      .option('--home <dir>', 'folder of the embedded stores (default ./.slipway)')
      .option('--config <file>', 'slipway.yaml to read store locations from');
  materializeCmd('materialize', 'copy the latest value per entity in [--start, --end) into the online store')
    .requiredOption('--start <time>', 'start of the event-time window (ISO time or epoch ms)')
    .action((opts: MaterializeFlags) => runMaterialize(opts, io, false));
  materializeCmd(
    'materialize-incremental',
    'materialize from where the last run ended up to --end (default now)',
  ).action((opts: MaterializeFlags) => runMaterialize(opts, io, true));
  features
    .command('historical')
    .description('build a point-in-time-correct training set (Parquet) for entity rows')
    .requiredOption('--definitions <file>', 'feature definitions: a .yaml or .ts file')
    .requiredOption(
      '--entities <file>',
      'entity rows: Parquet or CSV with the join keys and an event timestamp',
    )
    .option('--service <name>', 'a feature service')
    .option('--features <list>', 'or: comma-separated view:feature references')
    .requiredOption('--out <file>', 'the training set to write (Parquet)')
    .option('--timestamp-column <name>', "the entity rows' timestamp column (default event_timestamp)")
    .option('--full-feature-names', 'name columns view__feature')
    .action((opts: HistoricalFlags) => runHistorical(opts, io));
  common(features.command('apply').description('store a new version of each changed definition')).action(
    async (opts: FeaturesOptions) => {
      const repo = await loadFeatureRepo(opts.definitions);
      const result = await withRegistry(opts, io, (p) => p.features.apply(repo));
      if (opts.json) printJson(io, result);
      else {
        io.out(`${formatPlan(result.plan)}\n`);
        io.out(
          result.applied.length === 0
            ? 'Nothing to apply.\n'
            : `Applied ${result.applied.length} definition version(s).\n`,
        );
      }
    },
  );
}
