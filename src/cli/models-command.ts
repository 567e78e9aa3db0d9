/**
 * `slipway models list|show`: registered models, their versions, and one version's lineage (artifact
 * URI, content hash, signature, git commit, datasets) — what you need to reproduce or roll back.
 */
import type { Command } from 'commander';
import type { ModelVersion, RegisteredModel, TensorSpec } from '../registry/types.js';
import type { SlipwayClient } from '../sdk/types.js';
import {
  addConnectionOptions,
  type ConnectionOptions,
  collectPages,
  positiveInt,
  withClient,
} from './client.js';
import { type CliIo, printJson } from './io.js';
import { formatTimestamp, renderFields, renderTable } from './table.js';

/** Model listings are paged at most this large (MLflow's registry search limit). */
const MODEL_PAGE_SIZE = 1000;

interface ListOptions extends ConnectionOptions {
  filter?: string;
  maxResults: number;
  json?: boolean;
}

interface ShowOptions extends ConnectionOptions {
  json?: boolean;
}

/** What `models show` was asked for: a whole model, one version, or the version an alias points to. */
export type ModelRef =
  | { kind: 'model'; name: string }
  | { kind: 'version'; name: string; version: string }
  | { kind: 'alias'; name: string; alias: string };

/**
 * Parses `name`, `name/3` or `name@champion`.
 *
 * @example parseModelRef('fraud@champion') // { kind: 'alias', name: 'fraud', alias: 'champion' }
 */
export function parseModelRef(ref: string): ModelRef {
  const at = ref.lastIndexOf('@');
  if (at > 0 && at < ref.length - 1)
    return { kind: 'alias', name: ref.slice(0, at), alias: ref.slice(at + 1) };
  const m = /^(.+)\/(\d+)$/.exec(ref);
  if (m) return { kind: 'version', name: m[1], version: m[2] };
  return { kind: 'model', name: ref };
}

/** A search-filter string literal for `value` (quotes inside are doubled, as the filter language expects). */
export function filterString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Versions sort by number, newest first. */
const newestFirst = (a: ModelVersion, b: ModelVersion) => Number(b.version) - Number(a.version);

function latestVersion(model: RegisteredModel): string {
  return [...model.latestVersions].sort(newestFirst)[0]?.version ?? '';
}

function aliasList(model: RegisteredModel): string {
  return model.aliases.map((a) => `${a.alias}→v${a.version}`).join(', ');
}

function tagsSection(tags: readonly { key: string; value: string }[]): string {
  if (tags.length === 0) return '';
  const sorted = [...tags].sort((a, b) => a.key.localeCompare(b.key));
  return `\nTags\n${renderTable(sorted, [
    { header: 'KEY', value: (t) => t.key },
    { header: 'VALUE', value: (t) => t.value, maxWidth: 80 },
  ])}`;
}

/** `[-1, 3]` reads as `[?, 3]`: the dynamic dimension is usually the batch. */
function shape(spec: TensorSpec): string {
  return `[${spec.shape.map((d) => (d < 0 ? '?' : String(d))).join(', ')}]`;
}

/** The `models show NAME` text: the model's fields, then every version. */
export function renderModel(model: RegisteredModel, versions: readonly ModelVersion[]): string {
  let text = renderFields([
    ['Name', model.name],
    ['Description', model.description],
    ['Aliases', aliasList(model)],
    ['Created', formatTimestamp(model.creationTimestamp)],
    ['Last updated', formatTimestamp(model.lastUpdatedTimestamp)],
  ]);
  text += tagsSection(model.tags);
  text += `\nVersions\n`;
  text +=
    versions.length === 0
      ? '(none)\n'
      : renderTable([...versions].sort(newestFirst), [
          { header: 'VERSION', value: (v) => v.version, align: 'right' },
          { header: 'STAGE', value: (v) => v.currentStage },
          { header: 'STATUS', value: (v) => v.status },
          { header: 'ALIASES', value: (v) => v.aliases.join(', '), maxWidth: 30 },
          { header: 'CREATED', value: (v) => formatTimestamp(v.creationTimestamp) },
          { header: 'RUN ID', value: (v) => v.runId },
          { header: 'SOURCE', value: (v) => v.source, maxWidth: 60 },
        ]);
  return text;
}

/** The `models show NAME/VERSION` (or `NAME@ALIAS`) text: the version and its lineage. */
export function renderModelVersion(v: ModelVersion): string {
  const { lineage } = v;
  const commit = lineage.codeVersion
    ? `${lineage.codeVersion.gitCommit}${lineage.codeVersion.dirty ? ' (dirty)' : ''}`
    : '';
  let text = renderFields([
    ['Name', v.name],
    ['Version', v.version],
    ['Stage', v.currentStage],
    ['Status', v.status],
    ['Aliases', v.aliases.join(', ')],
    ['Description', v.description],
    ['Created', formatTimestamp(v.creationTimestamp)],
    ['Last updated', formatTimestamp(v.lastUpdatedTimestamp)],
    ['Run ID', v.runId],
    ['Source', v.source],
  ]);
  text += `\nLineage\n${renderFields([
    ['Artifact URI', lineage.artifactUri],
    ['Content hash', lineage.contentHash ?? '(not computed: artifact not readable)'],
    ['Git commit', commit],
  ])}`;
  const specs = lineage.signature
    ? [
        ...lineage.signature.inputs.map((s) => ({ direction: 'input', ...s })),
        ...lineage.signature.outputs.map((s) => ({ direction: 'output', ...s })),
      ]
    : [];
  text += '\nSignature\n';
  text +=
    specs.length === 0
      ? '(none)\n'
      : renderTable(specs, [
          { header: 'DIRECTION', value: (s) => s.direction },
          { header: 'NAME', value: (s) => s.name, maxWidth: 40 },
          { header: 'DTYPE', value: (s) => s.dtype },
          { header: 'SHAPE', value: shape },
        ]);
  if (lineage.datasets.length > 0) {
    text += `\nDatasets\n${renderTable(lineage.datasets, [
      { header: 'NAME', value: (d) => d.dataset.name },
      { header: 'DIGEST', value: (d) => d.dataset.digest },
      { header: 'SOURCE TYPE', value: (d) => d.dataset.sourceType },
      { header: 'SOURCE', value: (d) => d.dataset.source, maxWidth: 50 },
      { header: 'TAGS', value: (d) => d.tags.map((t) => `${t.key}=${t.value}`).join(', ') },
    ])}`;
  }
  return text + tagsSection(v.tags);
}

async function allVersions(client: SlipwayClient, name: string): Promise<ModelVersion[]> {
  const { items } = await collectPages(
    (page) => client.models.searchVersions({ ...page, filter: `name = ${filterString(name)}` }),
    Number.MAX_SAFE_INTEGER,
    MODEL_PAGE_SIZE,
  );
  return items;
}

/** Registers `models list` and `models show` under `program`. */
export function registerModelsCommand(program: Command, io: CliIo): void {
  const models = program.command('models').description('list and inspect registered models and versions');

  addConnectionOptions(
    models
      .command('list')
      .description('list registered models')
      .option('--filter <expression>', `registry search filter, e.g. "name LIKE 'fraud%'"`)
      .option('--max-results <n>', 'show at most this many models', positiveInt('--max-results'), 1000)
      .option('--json', 'print JSON instead of a table'),
  ).action(async (opts: ListOptions) => {
    const result = await withClient(opts, io, (client) =>
      collectPages(
        (page) => client.models.search({ ...page, filter: opts.filter }),
        opts.maxResults,
        MODEL_PAGE_SIZE,
      ),
    );
    if (opts.json) return printJson(io, result.items);
    io.out(
      renderTable(result.items, [
        { header: 'NAME', value: (m) => m.name, maxWidth: 40 },
        { header: 'LATEST', value: latestVersion, align: 'right' },
        { header: 'ALIASES', value: aliasList, maxWidth: 40 },
        { header: 'LAST UPDATED', value: (m) => formatTimestamp(m.lastUpdatedTimestamp) },
        { header: 'DESCRIPTION', value: (m) => m.description, maxWidth: 50 },
      ]),
    );
    if (result.more) io.err(`(first ${result.items.length} models shown; raise --max-results to see more)\n`);
  });

  addConnectionOptions(
    models
      .command('show')
      .description(
        'show a model and its versions, or one version (NAME/VERSION, NAME@ALIAS) with its lineage',
      )
      .argument('<ref>', 'NAME, NAME/VERSION or NAME@ALIAS')
      .option('--json', 'print JSON instead of text'),
  ).action(async (refText: string, opts: ShowOptions) => {
    const ref = parseModelRef(refText);
    await withClient(opts, io, async (client) => {
      if (ref.kind === 'model') {
        const model = await client.models.get(ref.name);
        const versions = await allVersions(client, ref.name);
        if (opts.json) return printJson(io, { ...model, versions });
        return io.out(renderModel(model, versions));
      }
      const version =
        ref.kind === 'alias'
          ? await client.models.getVersionByAlias(ref.name, ref.alias)
          : await client.models.getVersion(ref.name, ref.version);
      if (opts.json) return printJson(io, version);
      io.out(renderModelVersion(version));
    });
  });
}
