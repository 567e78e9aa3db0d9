/**
 * `slipway experiments list|show`: read-only views of experiments, as tables or `--json`.
 */
import type { Command } from 'commander';
import { notFound, SlipwayError } from '../core/errors.js';
import type { ViewType } from '../core/types.js';
import type { SlipwayClient } from '../sdk/types.js';
import type { Experiment } from '../tracking/types.js';
import {
  addConnectionOptions,
  type ConnectionOptions,
  collectPages,
  isNotFound,
  withClient,
} from './client.js';
import { type CliIo, printJson } from './io.js';
import { formatTimestamp, renderFields, renderTable } from './table.js';

const VIEWS: Record<string, ViewType> = { active: 'ACTIVE_ONLY', deleted: 'DELETED_ONLY', all: 'ALL' };

interface ListOptions extends ConnectionOptions {
  view: string;
  json?: boolean;
}

interface ShowOptions extends ConnectionOptions {
  json?: boolean;
}

/**
 * Finds an experiment by id or by name. A numeric argument is tried as an id first, then as a name
 * (names may be digits too); anything else is a name.
 */
export async function findExperiment(client: SlipwayClient, idOrName: string): Promise<Experiment> {
  if (/^\d+$/.test(idOrName)) {
    try {
      return await client.experiments.get(idOrName);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  try {
    return await client.experiments.getByName(idOrName);
  } catch (err) {
    if (isNotFound(err)) {
      throw notFound('Experiment', idOrName, `No experiment with id or name '${idOrName}'`);
    }
    throw err;
  }
}

function parseView(view: string): ViewType {
  const v = VIEWS[view.toLowerCase()];
  if (!v)
    throw new SlipwayError(
      'INVALID_PARAMETER_VALUE',
      `Invalid value for '--view': expected active, deleted or all, got '${view}'`,
    );
  return v;
}

function tagsTable(tags: readonly { key: string; value: string }[]): string {
  if (tags.length === 0) return '';
  const sorted = [...tags].sort((a, b) => a.key.localeCompare(b.key));
  return `\nTags\n${renderTable(sorted, [
    { header: 'KEY', value: (t) => t.key },
    { header: 'VALUE', value: (t) => t.value, maxWidth: 80 },
  ])}`;
}

/** Renders one experiment: its fields, then its tags. */
export function renderExperiment(e: Experiment): string {
  return (
    renderFields([
      ['ID', e.experimentId],
      ['Name', e.name],
      ['Lifecycle', e.lifecycleStage],
      ['Artifact location', e.artifactLocation],
      ['Created', formatTimestamp(e.creationTime)],
      ['Last updated', formatTimestamp(e.lastUpdateTime)],
    ]) + tagsTable(e.tags)
  );
}

/** Registers `experiments list` and `experiments show` under `program`. */
export function registerExperimentsCommand(program: Command, io: CliIo): void {
  const experiments = program.command('experiments').description('list and inspect experiments');

  addConnectionOptions(
    experiments
      .command('list')
      .description('list experiments')
      .option('--view <view>', 'active, deleted or all', 'active')
      .option('--json', 'print JSON instead of a table'),
  ).action(async (opts: ListOptions) => {
    const view = parseView(opts.view);
    const { items } = await withClient(opts, io, (client) =>
      collectPages((page) => client.experiments.search({ ...page, view }), Number.MAX_SAFE_INTEGER),
    );
    if (opts.json) return printJson(io, items);
    io.out(
      renderTable(items, [
        { header: 'ID', value: (e) => e.experimentId, align: 'right' },
        { header: 'NAME', value: (e) => e.name, maxWidth: 40 },
        ...(view === 'ACTIVE_ONLY'
          ? []
          : [{ header: 'LIFECYCLE', value: (e: Experiment) => e.lifecycleStage }]),
        { header: 'CREATED', value: (e) => formatTimestamp(e.creationTime) },
        { header: 'LAST UPDATED', value: (e) => formatTimestamp(e.lastUpdateTime) },
        { header: 'ARTIFACT LOCATION', value: (e) => e.artifactLocation, maxWidth: 50 },
      ]),
    );
  });

  addConnectionOptions(
    experiments
      .command('show')
      .description('show one experiment by id or name')
      .argument('<id|name>', 'experiment id or name')
      .option('--json', 'print JSON instead of text'),
  ).action(async (idOrName: string, opts: ShowOptions) => {
    const experiment = await withClient(opts, io, (client) => findExperiment(client, idOrName));
    if (opts.json) return printJson(io, experiment);
    io.out(renderExperiment(experiment));
  });
}
