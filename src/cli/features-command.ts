/**
 * `slipway features plan|apply`: compare a definitions file (YAML or TypeScript) with the registry
 * and store new versions of what changed. Works on the stores under --home (or slipway.yaml's).
 */
import type { Command } from 'commander';
import { invalidParameter } from '../core/errors.js';
import { formatPlan, loadFeatureRepo } from '../features/definitions/index.js';
import { getHistoricalFeatures, resolveHistoricalFeatures } from '../features/offline/index.js';
import { openPlatform } from '../platform.js';
import { loadConfig } from './config-loader.js';
import { registerMaterializeCommands } from './features-materialize.js';
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
  // PostgreSQL sources without their own connection read from the metadata store's database.
  const { backendStoreUri } = loadConfig({ flags: {}, env: io.env, cwd: io.cwd });
  const result = await getHistoricalFeatures(
    {
      entities: { path: opts.entities, format },
      timestampColumn: opts.timestampColumn,
      ...resolveHistoricalFeatures(repo, refs),
      fullFeatureNames: opts.fullFeatureNames === true,
      output: opts.out,
    },
    { postgresConnection: /^postgres(ql)?:/.test(backendStoreUri) ? backendStoreUri : undefined },
  );
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
  registerMaterializeCommands(features, io);
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
