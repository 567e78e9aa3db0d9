/**
 * `slipway features plan|apply`: compare a definitions file (YAML or TypeScript) with the registry
 * and store new versions of what changed. Works on the stores under --home (or slipway.yaml's).
 */
import type { Command } from 'commander';
import { formatPlan, loadFeatureRepo } from '../features/definitions/index.js';
import { openPlatform } from '../platform.js';
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
