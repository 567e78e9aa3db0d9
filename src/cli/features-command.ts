/**
 * `slipway features plan|apply`: compare a definitions file (YAML or TypeScript) with the registry
 * and store new versions of what changed. Works on the stores under --home (or slipway.yaml's).
 */
import type { Command } from 'commander';
import { metadataPostgresUri } from '../core/config.js';
import { invalidParameter } from '../core/errors.js';
import { buildTrainingSet } from '../datasets/training-set.js';
import { formatPlan, loadFeatureRepo } from '../features/definitions/index.js';
import { catalogOf, type FeatureCatalog } from '../features/online-features.js';
import type { Platform } from '../platform.js';
import { registerMaterializeCommands } from './features-materialize.js';
import { type CliIo, printJson } from './io.js';
import { withLocalPlatform } from './local-platform.js';

interface FeaturesOptions {
  definitions: string;
  home?: string;
  config?: string;
  json?: boolean;
}

interface HistoricalFlags {
  definitions?: string;
  project?: string;
  entities: string;
  service?: string;
  features?: string;
  out: string;
  timestampColumn?: string;
  fullFeatureNames?: boolean;
  dataset?: string;
  home?: string;
  config?: string;
}

/** Exactly one of `--definitions FILE` and `--project NAME` says where the definitions come from. */
function checkDefinitionsOrProject(opts: HistoricalFlags): void {
  if ((opts.definitions === undefined) === (opts.project === undefined)) {
    throw invalidParameter(
      '--definitions',
      'exactly one of --definitions FILE or --project NAME (the definitions applied to the registry)',
      opts.definitions === undefined
        ? undefined
        : `--definitions ${opts.definitions} --project ${opts.project}`,
    );
  }
}

/** The definitions a training set is built from: a file's, or a project's as applied to the registry. */
async function historicalCatalog(
  opts: HistoricalFlags,
  platform: Platform,
): Promise<{ catalog: FeatureCatalog; project: string }> {
  if (opts.definitions !== undefined) {
    const repo = await loadFeatureRepo(opts.definitions);
    return { catalog: catalogOf(repo), project: repo.project };
  }
  // An unknown project fails here, naming the projects the registry knows.
  const applied = await platform.featureCatalogs.get(opts.project);
  return { catalog: applied.catalog(), project: applied.project };
}

/**
 * `slipway features historical`: a point-in-time-correct training set written to Parquet and
 * registered as a dataset version (kept in the artifact store; the same data keeps its version).
 * The features are resolved against `--definitions FILE` or against `--project P` as applied.
 */
async function runHistorical(opts: HistoricalFlags, io: CliIo): Promise<void> {
  checkDefinitionsOrProject(opts);
  let refs: string[] | undefined;
  if (opts.features && !opts.service) {
    refs = opts.features.split(',').map((f) => f.trim());
  } else if (!opts.service) {
    throw invalidParameter('--service', 'a feature service name, or --features view:feature,…', undefined);
  }
  const format = opts.entities.toLowerCase().endsWith('.csv') ? 'csv' : 'parquet';
  const set = await withLocalPlatform(opts, io, async (platform) => {
    const { catalog, project } = await historicalCatalog(opts, platform);
    if (opts.service && !catalog.services.has(opts.service)) {
      throw invalidParameter(
        '--service',
        `one of ${[...catalog.services.keys()].join(', ') || '(none)'}`,
        opts.service,
      );
    }
    return buildTrainingSet(
      { datasets: platform.datasets, artifacts: platform.artifacts.store },
      {
        catalog,
        project,
        featureService: opts.service,
        features: refs,
        entities: { path: opts.entities, format },
        timestampColumn: opts.timestampColumn,
        fullFeatureNames: opts.fullFeatureNames === true,
        out: opts.out,
        dataset: opts.dataset,
      },
      // PostgreSQL sources without their own connection read from the metadata store's database.
      { postgresConnection: metadataPostgresUri(platform.config) },
    );
  });
  io.out(`Wrote ${set.rows} rows × ${set.columns.length} columns to ${opts.out} (${set.digest})\n`);
  io.out(
    `dataset ${set.dataset.name} v${set.dataset.version} ${set.digest}${set.created ? '' : ' (unchanged: same data as the latest version)'}\n`,
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
    const plan = await withLocalPlatform(opts, io, (p) => p.features.plan(repo));
    if (opts.json) printJson(io, plan);
    else io.out(`${formatPlan(plan)}\n`);
  });
  registerMaterializeCommands(features, io);
  features
    .command('historical')
    .description('build a point-in-time-correct training set (Parquet) for entity rows')
    .option('--definitions <file>', 'feature definitions: a .yaml or .ts file')
    .option('--project <name>', 'or: the definitions of this project as applied to the registry')
    .requiredOption(
      '--entities <file>',
      'entity rows: Parquet or CSV with the join keys and an event timestamp',
    )
    .option('--service <name>', 'a feature service')
    .option('--features <list>', 'or: comma-separated view:feature references')
    .requiredOption('--out <file>', 'the training set to write (Parquet)')
    .option('--timestamp-column <name>', "the entity rows' timestamp column (default event_timestamp)")
    .option('--full-feature-names', 'name columns view__feature')
    .option(
      '--dataset <name>',
      'register it under this dataset name (default: the service name, or training-set)',
    )
    .option('--home <dir>', 'folder of the embedded stores (default ./.slipway)')
    .option('--config <file>', 'slipway.yaml to read store locations from')
    .action((opts: HistoricalFlags) => runHistorical(opts, io));
  common(features.command('apply').description('store a new version of each changed definition')).action(
    async (opts: FeaturesOptions) => {
      const repo = await loadFeatureRepo(opts.definitions);
      const result = await withLocalPlatform(opts, io, (p) => p.features.apply(repo));
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
